#pragma once
// Row kernels of the segment ops (LengthsSum/Mean, SparseLengthsSum/Mean/WeightedSum and their
// gradients). One implementation per instruction set, each in its own namespace:
//   native/kernels/scalar/sparse_segments.cc   hogwild::kernels::scalar   (the reference)
//   native/kernels/avx2/sparse_segments.cc     hogwild::kernels::avx2
//   native/kernels/avx512/sparse_segments.cc   hogwild::kernels::avx512
// The table is chosen once from activeIsa(). Kernels trust their arguments: the ops check every
// index, length and shape before calling them.
#include <cstdint>

#include "isa.h"

namespace hogwild::kernels {

struct SparseKernels {
  Isa isa = Isa::Scalar;

  // One output segment of a sparse reduction:
  //   out[0:block) = scale * sum_k w[k] * data[idx[k]*block : +block)   for k < n
  // `w == nullptr` means every weight is 1. `n == 0` writes zeros (an empty segment).
  void (*gatherSumI32)(const float* data, int64_t block, const int32_t* idx, int64_t n, const float* w,
                       float scale, float* out) = nullptr;
  void (*gatherSumI64)(const float* data, int64_t block, const int64_t* idx, int64_t n, const float* w,
                       float scale, float* out) = nullptr;
  // The same, reading `data` through relaxed atomic loads: used instead of the two above when the
  // build has HOGWILD_RELAXED_UPDATES=1, since `data` may be a parameter other Hogwild threads are
  // updating in place (see hogwild_updates.h). Rows are staged into a local buffer, then summed
  // with the same SIMD code.
  void (*gatherSumRelaxedI32)(const float* data, int64_t block, const int32_t* idx, int64_t n, const float* w,
                              float scale, float* out) = nullptr;
  void (*gatherSumRelaxedI64)(const float* data, int64_t block, const int64_t* idx, int64_t n, const float* w,
                              float scale, float* out) = nullptr;

  // A dense segment (LengthsSum/Mean): out[0:block) = scale * sum_{k<n} data[k*block : +block).
  void (*rangeSum)(const float* data, int64_t block, int64_t n, float scale, float* out) = nullptr;

  // Gradient of one segment, expanded to its rows:
  //   out[k*block : +block) = scale * (w ? w[k] : 1) * g[0:block)   for k < n
  void (*expandRows)(const float* g, int64_t block, int64_t n, const float* w, float scale, float* out) = nullptr;
};

// The table for activeIsa() (an ISA without its own kernels, such as NEON here, gets scalar).
const SparseKernels& sparseKernels();
// The table of one level, for tests and benchmarks; nullptr when this build or CPU lacks it.
const SparseKernels* sparseKernelsFor(Isa isa);

// Per-ISA entry points (defined in native/kernels/<isa>/sparse_segments.cc).
namespace scalar { const SparseKernels& sparseTable(); }
namespace avx2 { const SparseKernels& sparseTable(); }
namespace avx512 { const SparseKernels& sparseTable(); }

}  // namespace hogwild::kernels
