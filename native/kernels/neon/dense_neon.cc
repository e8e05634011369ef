// Dense kernels, NEON level (AArch64 Advanced SIMD, always present there):
// ../dense_kernels-inl.h over this folder's DenseVec. Compiled on arm64 only.
// Everything except fillDenseKernels has internal linkage.
#if defined(__aarch64__)
#include "../dense_kernels.h"
#include "../gemm_driver.h"
#include "dense_vec.h"

namespace hogwild::kernels::neon {
namespace {
using V = DenseVec;
#include "../dense_kernels-inl.h"
}  // namespace

void fillDenseKernels(DenseKernels* t) {
  fillFromVec(t);
  t->isa = Isa::Neon;
}

}  // namespace hogwild::kernels::neon
#endif  // __aarch64__
