#pragma once
// Hogwild! update kernels: the in-place optimizer steps and scatter writes that threads apply to
// SHARED parameters without locks (docs/reliability.md §3).
//
// These are the only deliberately racy code in the project. Two variants of every kernel are
// compiled from one source per ISA (native/kernels/hogwild_updates-inl.h, included by
// native/kernels/<isa>/hogwild_updates.cc into two namespaces):
//
//   hogwild::kernels::<isa>::racy     plain loads/stores and SIMD on the shared rows (option A of
//                                     docs/reliability.md §3: what fastText, VW and Caffe2 do). Concurrent
//                                     updates of one row race; a lost or torn update is accepted
//                                     by the algorithm. Formally UB in ISO C++; ThreadSanitizer
//                                     reports it and native/tests/tsan.supp suppresses exactly
//                                     this namespace, with the justification written there.
//   hogwild::kernels::<isa>::relaxed  every access to shared memory is a relaxed atomic load or
//                                     store (__atomic_load/__atomic_store, C++17 GCC/Clang
//                                     builtins): defined behaviour and TSan-clean. The row is
//                                     staged into a local buffer, updated with the same SIMD
//                                     code and stored back, so only the copies are scalar.
//
// The ops use `hogwildUpdates()`: `relaxed` when the build defines HOGWILD_RELAXED_UPDATES=1
// (CMake option HOGWILD_RELAXED_UPDATES, gyp variable hogwild_relaxed_updates), else `racy`.
// Both variants are always compiled so tests compare them and benchmarks report both.
//
// Thread-private inputs (gradients, indices) are read normally. Kernels trust their arguments:
// the ops check shapes and every index first.
#include <cstdint>
#include <cstring>

#include "../core/dtype.h"
#include "isa.h"

#ifndef HOGWILD_RELAXED_UPDATES
#define HOGWILD_RELAXED_UPDATES 0
#endif

namespace hogwild::kernels {

inline constexpr bool kRelaxedUpdates = HOGWILD_RELAXED_UPDATES != 0;

enum class UpdateAccess { Plain, Relaxed };

struct HogwildUpdates {
  Isa isa = Isa::Scalar;
  UpdateAccess access = UpdateAccess::Plain;

  // y = a*y + b*x (WeightedSum(y, a, x, b) in place on y: SGD when a = 1 and b = lr < 0).
  void (*axpby)(float* y, const float* x, int64_t n, float a, float b) = nullptr;

  // Adagrad: h = decay*h + g^2;  p = p + lr*g / (sqrt(h) + eps).
  void (*adagrad)(float* p, float* h, const float* g, int64_t n, float lr, float eps, float decay) = nullptr;
  // SparseAdagrad: the Adagrad step (decay 1) on rows idx[k] of p and h with gradient row k of g.
  void (*sparseAdagradI32)(float* p, float* h, int64_t block, const int32_t* idx, int64_t n, const float* g,
                           float lr, float eps) = nullptr;
  void (*sparseAdagradI64)(float* p, float* h, int64_t block, const int64_t* idx, int64_t n, const float* g,
                           float lr, float eps) = nullptr;
  // RowWiseSparseAdagrad: one moment per row: h[r] += mean(g_k^2); p[r] += g_k * lr/(sqrt(h[r]) + eps).
  void (*rowWiseAdagradI32)(float* p, float* h, int64_t block, const int32_t* idx, int64_t n, const float* g,
                            float lr, float eps) = nullptr;
  void (*rowWiseAdagradI64)(float* p, float* h, int64_t block, const int64_t* idx, int64_t n, const float* g,
                            float lr, float eps) = nullptr;

  // Adam: m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  p = p + lrc*m / (sqrt(v) + eps), where the
  // caller folds the bias correction into lrc = lr * sqrt(1 - b2^t) / (1 - b1^t).
  void (*adam)(float* p, float* m, float* v, const float* g, int64_t n, float b1, float b2, float eps,
               float lrc) = nullptr;
  void (*sparseAdamI32)(float* p, float* m, float* v, int64_t block, const int32_t* idx, int64_t n,
                        const float* g, float b1, float b2, float eps, float lrc) = nullptr;
  void (*sparseAdamI64)(float* p, float* m, float* v, int64_t block, const int64_t* idx, int64_t n,
                        const float* g, float b1, float b2, float eps, float lrc) = nullptr;

  // MomentumSGDUpdate (Caffe2): plain:    a = lr*g + mu*m;  m = a;  ng = a;  p -= a
  //                             nesterov: m' = mu*m + lr*g;  ng = (1+mu)*m' - mu*m;  m = m';  p -= ng
  // `ng` is thread-private output and may alias `g`.
  void (*momentumSgd)(float* p, float* m, const float* g, float* ng, int64_t n, float lr, float mu,
                      bool nesterov) = nullptr;

  // ScatterWeightedSum: for k < n in order (a duplicate index is applied again):
  //   x0[idx[k]] = w0 * x0[idx[k]] + sum_i ws[i] * xs[i][k*block : +block)   (i < nx)
  void (*scatterWeightedSumI32)(float* x0, int64_t block, const int32_t* idx, int64_t n, float w0,
                                const float* const* xs, const float* ws, int64_t nx) = nullptr;
  void (*scatterWeightedSumI64)(float* x0, int64_t block, const int64_t* idx, int64_t n, float w0,
                                const float* const* xs, const float* ws, int64_t nx) = nullptr;

  // ScatterAssign of one row: dst[0:count) = src[0:count), elements of `dtype`.
  void (*storeRow)(void* dst, const void* src, int64_t count, DType dtype) = nullptr;

  // Word vectors (WordVectorsTrain: fastText's cbow and skipgram with negative sampling).
  // meanRows: out = mean of the shared rows idx[0..n) of `base` (n > 0; out is thread-private).
  void (*meanRowsI32)(const float* base, int64_t block, const int32_t* idx, int64_t n, float* out) = nullptr;
  // dotRow: sum of row[i]*x[i] over one shared row.
  float (*dotRow)(const float* row, const float* x, int64_t n) = nullptr;
  // logisticStep (fastText's binaryLogistic update): grad += alpha*row, then row += alpha*hidden.
  void (*logisticStep)(float* row, const float* hidden, float* grad, int64_t n, float alpha) = nullptr;
  // addRow: base[idx[k]] += g for k < n (a duplicate index adds again).
  void (*addRowI32)(float* base, int64_t block, const int32_t* idx, int64_t n, const float* g) = nullptr;
};

// The table the ops use: activeIsa(), access chosen by HOGWILD_RELAXED_UPDATES.
const HogwildUpdates& hogwildUpdates();
// One level and access, for tests and benchmarks; nullptr when this build or CPU lacks the level.
const HogwildUpdates* hogwildUpdatesFor(Isa isa, UpdateAccess access);

// Per-ISA entry points (native/kernels/<isa>/hogwild_updates.cc).
namespace scalar::racy { const HogwildUpdates& updateTable(); }
namespace scalar::relaxed { const HogwildUpdates& updateTable(); }
namespace avx2::racy { const HogwildUpdates& updateTable(); }
namespace avx2::relaxed { const HogwildUpdates& updateTable(); }
namespace avx512::racy { const HogwildUpdates& updateTable(); }
namespace avx512::relaxed { const HogwildUpdates& updateTable(); }

// Readers of possibly shared rows outside the kernels above (Gather): a relaxed element-wise copy
// in relaxed builds, memcpy otherwise (the reading side of the Hogwild race; see tsan.supp).
template <typename T> inline void loadSharedRow(T* dst, const T* src, int64_t count) {
  if constexpr (kRelaxedUpdates) {
    for (int64_t i = 0; i < count; ++i) __atomic_load(src + i, dst + i, __ATOMIC_RELAXED);
  } else if (count > 0) {
    std::memcpy(dst, src, static_cast<size_t>(count) * sizeof(T));
  }
}

// Scalars other threads may write (an iteration counter, a learning rate blob): always a relaxed
// load, which costs nothing for one value; race-free as long as the writer uses atomics too
// (e.g. an AtomicIter that updates the counter with __atomic builtins).
template <typename T> inline T loadSharedScalar(const T* p) {
  T v;
  __atomic_load(p, &v, __ATOMIC_RELAXED);
  return v;
}

// A shared progress counter several threads advance (word vectors' tokens processed): a relaxed
// atomic add, race-free; callers batch their adds (lrUpdateRate) so the cache line rarely moves.
inline int64_t addSharedCounter(int64_t* p, int64_t delta) { return __atomic_fetch_add(p, delta, __ATOMIC_RELAXED); }

}  // namespace hogwild::kernels
