// avx512 Hogwild update kernels: ../hogwild_updates-inl.h compiled twice with this folder's flags,
// into hogwild::kernels::avx512::racy (plain shared accesses: INTENTIONAL DATA RACES, see the
// inl file and native/tests/tsan.supp) and hogwild::kernels::avx512::relaxed (relaxed atomics).
// Keep this translation unit to these kernels: it is the one place races are allowed.
#include <cstdint>

#include "../hogwild_updates.h"
#include "sparse_vec.h"

namespace hogwild::kernels::avx512::racy {
using V = ::hogwild::kernels::avx512::SparseVec;
constexpr Isa kIsa = Isa::Avx512;
constexpr bool kRelaxed = false;
#include "../hogwild_updates-inl.h"
}  // namespace hogwild::kernels::avx512::racy

namespace hogwild::kernels::avx512::relaxed {
using V = ::hogwild::kernels::avx512::SparseVec;
constexpr Isa kIsa = Isa::Avx512;
constexpr bool kRelaxed = true;
#include "../hogwild_updates-inl.h"
}  // namespace hogwild::kernels::avx512::relaxed
