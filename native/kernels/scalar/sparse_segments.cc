// Scalar segment kernels: the reference every SIMD level is tested against
// (native/tests/test_sparse_kernels.cc). Plain loops, one row at a time, in the order Caffe2's
// reference kernels use (sum the rows, then scale), so results match them to rounding.
#include <cstdint>
#include <cstring>

#include "../sparse_kernels.h"

namespace hogwild::kernels::scalar {

namespace {

template <class I, bool kRelaxed>
void gatherSum(const float* data, int64_t block, const I* idx, int64_t n, const float* w, float scale,
               float* out) {
  for (int64_t j = 0; j < block; ++j) out[j] = 0.f;
  for (int64_t k = 0; k < n; ++k) {
    const float* row = data + static_cast<int64_t>(idx[k]) * block;
    const float wk = w ? w[k] : 1.f;
    for (int64_t j = 0; j < block; ++j) {
      float x;
      if constexpr (kRelaxed) __atomic_load(row + j, &x, __ATOMIC_RELAXED);
      else x = row[j];
      out[j] += w ? wk * x : x;
    }
  }
  for (int64_t j = 0; j < block; ++j) out[j] *= scale;
}

void rangeSum(const float* data, int64_t block, int64_t n, float scale, float* out) {
  for (int64_t j = 0; j < block; ++j) out[j] = 0.f;
  for (int64_t k = 0; k < n; ++k) {
    const float* row = data + k * block;
    for (int64_t j = 0; j < block; ++j) out[j] += row[j];
  }
  for (int64_t j = 0; j < block; ++j) out[j] *= scale;
}

void expandRows(const float* g, int64_t block, int64_t n, const float* w, float scale, float* out) {
  for (int64_t k = 0; k < n; ++k) {
    const float s = w ? scale * w[k] : scale;
    float* row = out + k * block;
    for (int64_t j = 0; j < block; ++j) row[j] = s * g[j];
  }
}

}  // namespace

const SparseKernels& sparseTable() {
  static const SparseKernels table = [] {
    SparseKernels t;
    t.isa = Isa::Scalar;
    t.gatherSumI32 = &gatherSum<int32_t, false>;
    t.gatherSumI64 = &gatherSum<int64_t, false>;
    t.gatherSumRelaxedI32 = &gatherSum<int32_t, true>;
    t.gatherSumRelaxedI64 = &gatherSum<int64_t, true>;
    t.rangeSum = &rangeSum;
    t.expandRows = &expandRows;
    return t;
  }();
  return table;
}

}  // namespace hogwild::kernels::scalar
