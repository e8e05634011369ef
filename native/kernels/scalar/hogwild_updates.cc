// scalar Hogwild update kernels: ../hogwild_updates-inl.h compiled twice with this folder's flags,
// into hogwild::kernels::scalar::racy (plain shared accesses: INTENTIONAL DATA RACES, see the
// inl file and native/tests/tsan.supp) and hogwild::kernels::scalar::relaxed (relaxed atomics).
// Keep this translation unit to these kernels: it is the one place races are allowed.
#include <cstdint>

#include "../hogwild_updates.h"
#include "sparse_vec.h"

namespace hogwild::kernels::scalar::racy {
using V = ::hogwild::kernels::scalar::SparseVec;
constexpr Isa kIsa = Isa::Scalar;
constexpr bool kRelaxed = false;
#include "../hogwild_updates-inl.h"
}  // namespace hogwild::kernels::scalar::racy

namespace hogwild::kernels::scalar::relaxed {
using V = ::hogwild::kernels::scalar::SparseVec;
constexpr Isa kIsa = Isa::Scalar;
constexpr bool kRelaxed = true;
#include "../hogwild_updates-inl.h"
}  // namespace hogwild::kernels::scalar::relaxed
