// Dense kernels, scalar level: the portable reference every SIMD level is
// tested against, ../dense_kernels-inl.h over one-lane "vectors", compiled
// with the baseline flags only.
#include "../dense_kernels.h"
#include "../gemm_driver.h"
#include "dense_vec.h"

namespace hogwild::kernels::scalar {
namespace {
using V = DenseVec;
#include "../dense_kernels-inl.h"

// The reference reductions accumulate in double.
float dotDouble(int64_t n, const float* x, const float* y) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * y[i];
  return static_cast<float>(s);
}
float sumDouble(int64_t n, const float* x) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  return static_cast<float>(s);
}
}  // namespace

void fillDenseKernels(DenseKernels* t) {
  fillFromVec(t);
  t->isa = Isa::Scalar;
  t->dot = dotDouble;
  t->sum = sumDouble;
}

}  // namespace hogwild::kernels::scalar
