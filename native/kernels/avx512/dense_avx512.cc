// Dense kernels, AVX-512 (F/BW/DQ/VL) level: ../dense_kernels-inl.h over this folder's
// DenseVec, compiled with the avx512 flags of native/sources.mjs only, and
// called only after CPUID + XGETBV said the CPU and OS support them.
// Everything except fillDenseKernels has internal linkage: no std:: template
// or inline helper with external linkage is instantiated here, so none can
// leak avx512 code into baseline callers (docs/kernels.md).
#include "../dense_kernels.h"
#include "../gemm_driver.h"
#include "dense_vec.h"

namespace hogwild::kernels::avx512 {
namespace {
using V = DenseVec;
#include "../dense_kernels-inl.h"
}  // namespace

void fillDenseKernels(DenseKernels* t) {
  fillFromVec(t);
  t->isa = Isa::Avx512;
}

}  // namespace hogwild::kernels::avx512
