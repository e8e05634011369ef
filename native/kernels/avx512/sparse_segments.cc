// avx512 segment kernels: the shared SIMD source (../sparse_segments-inl.h) compiled with this
// folder's flags, in namespace hogwild::kernels::avx512.
#include <cstdint>

#include "../sparse_kernels.h"
#include "sparse_vec.h"

namespace hogwild::kernels::avx512 {

constexpr Isa kIsa = Isa::Avx512;

#include "../sparse_segments-inl.h"

}  // namespace hogwild::kernels::avx512
