#pragma once
// AVX2+FMA vector helpers for the sparse segment and Hogwild update kernels. Included only by
// sources in this folder, which are compiled with the AVX2 flags (native/sources.mjs).
#include <immintrin.h>

#include <cstdint>

namespace hogwild::kernels::avx2 {

struct SparseVec {
  using R = __m256;
  using M = __m256i;
  static constexpr int kW = 8;

  static R zero() { return _mm256_setzero_ps(); }
  static R set1(float x) { return _mm256_set1_ps(x); }
  static R load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, R v) { _mm256_storeu_ps(p, v); }
  // Lanes [0, n) for n in [1, kW]. Masked-off lanes are neither read nor written (no fault).
  static M mask(int n) {
    alignas(32) static const int32_t kBits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kBits + 8 - n));
  }
  static R loadMask(const float* p, M m) { return _mm256_maskload_ps(p, m); }
  static void storeMask(float* p, R v, M m) { _mm256_maskstore_ps(p, m, v); }
  static R loadN(const float* p, int n) { return n == kW ? load(p) : loadMask(p, mask(n)); }
  static void storeN(float* p, R v, int n) {
    if (n == kW) store(p, v);
    else storeMask(p, v, mask(n));
  }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
  static R sub(R a, R b) { return _mm256_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static R div(R a, R b) { return _mm256_div_ps(a, b); }
  static R sqrt(R a) { return _mm256_sqrt_ps(a); }
  static R fmadd(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }  // a*b + c
  static float reduceAdd(R v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

}  // namespace hogwild::kernels::avx2
