#pragma once
// One-lane "vector" helpers so the Hogwild update kernels (hogwild_updates-inl.h) compile for
// the scalar level from the same source as the SIMD levels. No ISA flags here.
#include <cstdint>

namespace hogwild::kernels::scalar {

struct SparseVec {
  using R = float;
  using M = int;
  static constexpr int kW = 1;

  static R zero() { return 0.f; }
  static R set1(float x) { return x; }
  static R load(const float* p) { return *p; }
  static void store(float* p, R v) { *p = v; }
  static M mask(int n) { return n; }
  static R loadMask(const float* p, M m) { return m ? *p : 0.f; }
  static void storeMask(float* p, R v, M m) {
    if (m) *p = v;
  }
  static R loadN(const float* p, int) { return *p; }
  static void storeN(float* p, R v, int) { *p = v; }
  static R add(R a, R b) { return a + b; }
  static R sub(R a, R b) { return a - b; }
  static R mul(R a, R b) { return a * b; }
  static R div(R a, R b) { return a / b; }
  static R sqrt(R a) { return __builtin_sqrtf(a); }
  static R fmadd(R a, R b, R c) { return a * b + c; }
  static float reduceAdd(R v) { return v; }
};

}  // namespace hogwild::kernels::scalar
