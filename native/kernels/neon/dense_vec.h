#pragma once
// NEON (AArch64 Advanced SIMD) trait of the dense kernels (../dense_kernels-inl.h). Included only
// by sources in this folder, compiled on arm64 only; internal linkage.
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace hogwild::kernels::neon {
namespace {

struct DenseVec {
  using R = float32x4_t;
  using Mk = uint32x4_t;
  static constexpr int kW = 4;
  static constexpr int kMR = 8, kNV = 3, kNarrowMR = 0, kMcPanels = 32;  // 8×12 tile, 24 accumulators

  static R zero() { return vdupq_n_f32(0.f); }
  static R set1(float v) { return vdupq_n_f32(v); }
  static R load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, R v) { vst1q_f32(p, v); }
  // Lanes [0, n), n in [1, 4], through a stack buffer: the rest is neither read nor written.
  static R loadN(const float* p, int n) {
    if (n == kW) return load(p);
    float b[4] = {0, 0, 0, 0};
    std::memcpy(b, p, static_cast<size_t>(n) * sizeof(float));
    return vld1q_f32(b);
  }
  static void storeN(float* p, R v, int n) {
    if (n == kW) return store(p, v);
    float b[4];
    vst1q_f32(b, v);
    std::memcpy(p, b, static_cast<size_t>(n) * sizeof(float));
  }
  static R add(R a, R b) { return vaddq_f32(a, b); }
  static R sub(R a, R b) { return vsubq_f32(a, b); }
  static R mul(R a, R b) { return vmulq_f32(a, b); }
  static R div(R a, R b) { return vdivq_f32(a, b); }
  static R fmadd(R a, R b, R c) { return vfmaq_f32(c, a, b); }
  static R fnmadd(R a, R b, R c) { return vfmsq_f32(c, a, b); }
  // x86 semantics (the second operand when either is NaN), as the other levels.
  static R min(R a, R b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
  static R max(R a, R b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
  static Mk lt(R a, R b) { return vcltq_f32(a, b); }
  static Mk gt(R a, R b) { return vcgtq_f32(a, b); }
  static Mk eq(R a, R b) { return vceqq_f32(a, b); }
  static Mk isNan(R a) { return vmvnq_u32(vceqq_f32(a, a)); }
  static Mk laneMask(int n) {
    const uint32_t lanes[4] = {0, 1, 2, 3};
    return vcltq_u32(vld1q_u32(lanes), vdupq_n_u32(static_cast<uint32_t>(n)));
  }
  static R select(Mk m, R t, R f) { return vbslq_f32(m, t, f); }
  static R abs(R a) { return vabsq_f32(a); }
  static R copySign(R mag, R s) { return vbslq_f32(vdupq_n_u32(0x80000000u), s, vabsq_f32(mag)); }
  static R roundNearest(R a) { return vrndnq_f32(a); }
  static R pow2i(int32x4_t n) { return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n, vdupq_n_s32(127)), 23)); }
  static R ldexp(R y, R n) {  // two steps: 2^n stays normal for n in [-150, 128]
    const int32x4_t ni = vcvtq_s32_f32(n), n1 = vshrq_n_s32(ni, 1);
    return vmulq_f32(vmulq_f32(y, pow2i(n1)), pow2i(vsubq_s32(ni, n1)));
  }
  static R frexp1(R x, R& e) {
    const uint32x4_t tiny = vcltq_f32(x, set1(1.17549435e-38f));  // denormals (and <= 0): normalize
    const int32x4_t bits = vreinterpretq_s32_f32(vbslq_f32(tiny, vmulq_f32(x, set1(8388608.f)), x));
    int32x4_t ei = vsubq_s32(vandq_s32(vshrq_n_s32(bits, 23), vdupq_n_s32(0xff)), vdupq_n_s32(127));
    ei = vsubq_s32(ei, vandq_s32(vreinterpretq_s32_u32(tiny), vdupq_n_s32(23)));
    e = vcvtq_f32_s32(ei);
    return vreinterpretq_f32_s32(vorrq_s32(vandq_s32(bits, vdupq_n_s32(0x7fffff)), vdupq_n_s32(0x3f800000)));
  }
  static float reduceAdd(R v) { return vaddvq_f32(v); }
  static float reduceMax(R v) { return vmaxvq_f32(v); }
  static void prefetch(const float* p) { __builtin_prefetch(p); }
  static R unpackLo(R a, R b) { return vzip1q_f32(a, b); }
  static R unpackHi(R a, R b) { return vzip2q_f32(a, b); }
  static R lo64(R a, R b) { return vcombine_f32(vget_low_f32(a), vget_low_f32(b)); }
  static R hi64(R a, R b) { return vcombine_f32(vget_high_f32(a), vget_high_f32(b)); }
  static void swapBlocks(R*) {}  // one 128-bit block
};

}  // namespace
}  // namespace hogwild::kernels::neon
