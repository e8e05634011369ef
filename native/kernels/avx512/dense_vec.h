#pragma once
// AVX-512 vector trait of the dense kernels (../dense_kernels-inl.h): SparseVec plus what the
// transcendentals, softmax and GEMM need. Included only by sources in this folder, compiled with
// the AVX-512 flags; internal linkage, so no AVX-512 code can serve a baseline caller.
#include "sparse_vec.h"

namespace hogwild::kernels::avx512 {
namespace {

struct DenseVec : SparseVec {
  using Mk = __mmask16;
  // 14×32 register tile (28 accumulators); n <= 16: 16×16 (16 accumulators).
  static constexpr int kMR = 14, kNV = 2, kNarrowMR = 16, kMcPanels = 24;

  static R fnmadd(R a, R b, R c) { return _mm512_fnmadd_ps(a, b, c); }
  static R min(R a, R b) { return _mm512_min_ps(a, b); }
  static R max(R a, R b) { return _mm512_max_ps(a, b); }
  static Mk lt(R a, R b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static Mk gt(R a, R b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static Mk eq(R a, R b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static Mk isNan(R a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static Mk laneMask(int n) { return mask(n); }
  static R select(Mk m, R t, R f) { return _mm512_mask_blend_ps(m, f, t); }
  static R abs(R a) { return _mm512_andnot_ps(set1(-0.f), a); }
  static R copySign(R mag, R s) { return _mm512_or_ps(abs(mag), _mm512_and_ps(set1(-0.f), s)); }
  static R roundNearest(R a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static R ldexp(R y, R n) { return _mm512_scalef_ps(y, n); }
  static R frexp1(R x, R& e) {
    e = _mm512_getexp_ps(x);
    return _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  }
  static float reduceMax(R v) { return _mm512_reduce_max_ps(v); }
  static void prefetch(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }

  static R unpackLo(R a, R b) { return _mm512_unpacklo_ps(a, b); }
  static R unpackHi(R a, R b) { return _mm512_unpackhi_ps(a, b); }
  static R lo64(R a, R b) { return _mm512_shuffle_ps(a, b, 0x44); }
  static R hi64(R a, R b) { return _mm512_shuffle_ps(a, b, 0xEE); }
  // The 4×4 grid of 128-bit blocks transposed, in two rounds of f32x4 shuffles.
  static void swapBlocks(R r[16]) {
    R t[16];
    for (int c = 0; c < 4; ++c)
      for (int h = 0; h < 2; ++h) {
        t[8 * h + c] = _mm512_shuffle_f32x4(r[8 * h + c], r[8 * h + 4 + c], 0x88);
        t[8 * h + 4 + c] = _mm512_shuffle_f32x4(r[8 * h + c], r[8 * h + 4 + c], 0xDD);
      }
    for (int c = 0; c < 8; ++c) {
      r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
      r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xDD);
    }
  }
};

}  // namespace
}  // namespace hogwild::kernels::avx512
