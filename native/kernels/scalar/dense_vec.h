#pragma once
// One-lane trait of the dense kernels (../dense_kernels-inl.h), so the scalar level, the
// reference every SIMD level is tested against, is the same source. No ISA flags here.
#include <cstdint>
#include <cstring>

#include "sparse_vec.h"

namespace hogwild::kernels::scalar {
namespace {

struct DenseVec : SparseVec {
  using Mk = bool;
  static constexpr int kMR = 4, kNV = 8, kNarrowMR = 0, kMcPanels = 32;  // 4×8 tile

  static R fnmadd(R a, R b, R c) { return c - a * b; }
  // x86 semantics: the second operand when either is NaN.
  static R min(R a, R b) { return a < b ? a : b; }
  static R max(R a, R b) { return a > b ? a : b; }
  static Mk lt(R a, R b) { return a < b; }
  static Mk gt(R a, R b) { return a > b; }
  static Mk eq(R a, R b) { return a == b; }
  static Mk isNan(R a) { return a != a; }
  static Mk laneMask(int n) { return n > 0; }
  static R select(Mk m, R t, R f) { return m ? t : f; }
  static R abs(R a) { return __builtin_fabsf(a); }
  static R copySign(R mag, R s) { return __builtin_copysignf(mag, s); }
  static R roundNearest(R a) { return __builtin_nearbyintf(a); }
  static R bitsToFloat(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  // 2^n for n in [-126, 127].
  static R pow2i(int32_t n) { return bitsToFloat(static_cast<uint32_t>(n + 127) << 23); }
  // Two steps so 2^n never leaves the normal range (n in [-150, 128]; never NaN: exp clamps first).
  static R ldexp(R y, R n) {
    const int32_t ni = static_cast<int32_t>(n), n1 = ni >> 1;
    return y * pow2i(n1) * pow2i(ni - n1);
  }
  static R frexp1(R x, R& e) {
    int32_t ei = 0;
    if (x < 1.17549435e-38f) {  // denormals (and <= 0): normalize first
      x *= 8388608.f;
      ei = -23;
    }
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    e = static_cast<float>(ei + static_cast<int32_t>((bits >> 23) & 0xff) - 127);
    return bitsToFloat((bits & 0x7fffffu) | 0x3f800000u);
  }
  static float reduceMax(R v) { return v; }
  static void prefetch(const float*) {}
};

}  // namespace
}  // namespace hogwild::kernels::scalar
