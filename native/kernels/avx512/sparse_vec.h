#pragma once
// AVX-512 vector helpers for the sparse segment and Hogwild update kernels. Included only by
// sources in this folder, which are compiled with the AVX-512 flags (native/sources.mjs).
#include <immintrin.h>

#include <cstdint>

namespace hogwild::kernels::avx512 {

struct SparseVec {
  using R = __m512;
  using M = __mmask16;
  static constexpr int kW = 16;

  static R zero() { return _mm512_setzero_ps(); }
  static R set1(float x) { return _mm512_set1_ps(x); }
  static R load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, R v) { _mm512_storeu_ps(p, v); }
  // Lanes [0, n) for n in [1, kW]. Masked-off lanes are neither read nor written (no fault).
  static M mask(int n) { return static_cast<M>((1u << n) - 1u); }
  static R loadMask(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void storeMask(float* p, R v, M m) { _mm512_mask_storeu_ps(p, m, v); }
  static R loadN(const float* p, int n) { return n == kW ? load(p) : loadMask(p, mask(n)); }
  static void storeN(float* p, R v, int n) {
    if (n == kW) store(p, v);
    else storeMask(p, v, mask(n));
  }
  static R add(R a, R b) { return _mm512_add_ps(a, b); }
  static R sub(R a, R b) { return _mm512_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  static R div(R a, R b) { return _mm512_div_ps(a, b); }
  static R sqrt(R a) { return _mm512_sqrt_ps(a); }
  static R fmadd(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }  // a*b + c
  static float reduceAdd(R v) { return _mm512_reduce_add_ps(v); }
};

}  // namespace hogwild::kernels::avx512
