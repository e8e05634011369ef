#pragma once
// Which SIMD level this process uses. Chosen once at load from CPUID plus OS
// support (XGETBV), then lowered (never raised) by HOGWILD_SIMD=scalar|avx2|avx512.
// Kernel tables (dense, sparse, …) pick their function pointers from it.
#include <string>
#include <vector>

namespace hogwild::kernels {

enum class Isa { Scalar = 0, Neon = 1, Avx2 = 2, Avx512 = 3 };

const char* isaName(Isa isa);
// Levels the CPU and OS support, best last (always includes Scalar).
const std::vector<Isa>& supportedIsas();
// The level in use: the best supported one, lowered by HOGWILD_SIMD.
Isa activeIsa();
// For tests and benchmarks: parse a name ("scalar", "avx2", …); false if unknown.
bool parseIsa(const std::string& name, Isa* out);

}  // namespace hogwild::kernels
