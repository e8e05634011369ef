#pragma once
// AVX2+FMA vector trait of the dense kernels (../dense_kernels-inl.h): SparseVec plus what the
// transcendentals, softmax and GEMM need. Included only by sources in this folder, compiled with
// the AVX2 flags; internal linkage, so no AVX2 code can serve a baseline caller.
#include "sparse_vec.h"

namespace hogwild::kernels::avx2 {
namespace {

struct DenseVec : SparseVec {
  using Mk = __m256;  // all-ones lanes
  static constexpr int kMR = 6, kNV = 2, kNarrowMR = 0, kMcPanels = 32;  // 6×16 tile, 12 accumulators

  static R fnmadd(R a, R b, R c) { return _mm256_fnmadd_ps(a, b, c); }
  static R min(R a, R b) { return _mm256_min_ps(a, b); }
  static R max(R a, R b) { return _mm256_max_ps(a, b); }
  static Mk lt(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static Mk gt(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static Mk eq(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static Mk isNan(R a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static Mk laneMask(int n) { return _mm256_castsi256_ps(mask(n)); }
  static R select(Mk m, R t, R f) { return _mm256_blendv_ps(f, t, m); }
  static R abs(R a) { return _mm256_andnot_ps(set1(-0.f), a); }
  static R copySign(R mag, R s) { return _mm256_or_ps(abs(mag), _mm256_and_ps(set1(-0.f), s)); }
  static R roundNearest(R a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // 2^n for integer n in [-126, 127].
  static R pow2i(__m256i n) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23)); }
  // Two steps so 2^n never leaves the normal range (n in [-150, 128]).
  static R ldexp(R y, R n) {
    const __m256i ni = _mm256_cvtps_epi32(n), n1 = _mm256_srai_epi32(ni, 1);
    return _mm256_mul_ps(_mm256_mul_ps(y, pow2i(n1)), pow2i(_mm256_sub_epi32(ni, n1)));
  }
  static R frexp1(R x, R& e) {
    const R tiny = _mm256_cmp_ps(x, set1(1.17549435e-38f), _CMP_LT_OQ);  // denormals (and <= 0): normalize
    const __m256i bits = _mm256_castps_si256(_mm256_blendv_ps(x, _mm256_mul_ps(x, set1(8388608.f)), tiny));
    __m256i ei = _mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff)), _mm256_set1_epi32(127));
    ei = _mm256_sub_epi32(ei, _mm256_and_si256(_mm256_castps_si256(tiny), _mm256_set1_epi32(23)));
    e = _mm256_cvtepi32_ps(ei);
    return _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x3f800000)));
  }
  static float reduceMax(R v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static void prefetch(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }

  static R unpackLo(R a, R b) { return _mm256_unpacklo_ps(a, b); }
  static R unpackHi(R a, R b) { return _mm256_unpackhi_ps(a, b); }
  static R lo64(R a, R b) { return _mm256_shuffle_ps(a, b, 0x44); }
  static R hi64(R a, R b) { return _mm256_shuffle_ps(a, b, 0xEE); }
  // Rows c and 4 + c exchange their high and low 128-bit halves.
  static void swapBlocks(R r[8]) {
    for (int c = 0; c < 4; ++c) {
      const R lo = r[c], hi = r[4 + c];
      r[c] = _mm256_permute2f128_ps(lo, hi, 0x20);
      r[4 + c] = _mm256_permute2f128_ps(lo, hi, 0x31);
    }
  }
};

}  // namespace
}  // namespace hogwild::kernels::avx2
