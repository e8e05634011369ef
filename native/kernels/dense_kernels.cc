// Fills one DenseKernels table per compiled ISA (each ISA's TU fills its own)
// and picks the active one once, from kernels::activeIsa().
#include "dense_kernels.h"

#include <vector>

#include "../core/error.h"
#include "gemm_driver.h"

namespace hogwild::kernels {

// Defined in kernels/<isa>/dense_<isa>.cc, each compiled with its own flags.
namespace scalar { void fillDenseKernels(DenseKernels* t); }
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define HW_DENSE_X86 1
namespace avx2 { void fillDenseKernels(DenseKernels* t); }
namespace avx512 { void fillDenseKernels(DenseKernels* t); }
#elif defined(__aarch64__)
#define HW_DENSE_NEON 1
namespace neon { void fillDenseKernels(DenseKernels* t); }
#endif

namespace {

struct Tables {
  DenseKernels scalar{}, neon{}, avx2{}, avx512{};
  std::vector<Isa> compiled;
  Tables() {
    scalar::fillDenseKernels(&scalar);
    compiled.push_back(Isa::Scalar);
#ifdef HW_DENSE_NEON
    neon::fillDenseKernels(&neon);
    compiled.push_back(Isa::Neon);
#endif
#ifdef HW_DENSE_X86
    avx2::fillDenseKernels(&avx2);
    avx512::fillDenseKernels(&avx512);
    compiled.push_back(Isa::Avx2);
    compiled.push_back(Isa::Avx512);
#endif
  }
  const DenseKernels* find(Isa isa) const {
    for (Isa c : compiled) {
      if (c != isa) continue;
      switch (isa) {
        case Isa::Scalar: return &scalar;
        case Isa::Neon: return &neon;
        case Isa::Avx2: return &avx2;
        case Isa::Avx512: return &avx512;
      }
    }
    return nullptr;
  }
};

const Tables& tables() {
  static const Tables t;  // immutable after construction
  return t;
}

}  // namespace

const std::vector<Isa>& compiledIsas() { return tables().compiled; }

const DenseKernels& denseKernelsFor(Isa isa) {
  const DenseKernels* t = tables().find(isa);
  HW_CHECK(t, codes::kInvalidArgument, "Expected a SIMD level compiled into this binary but received " << isaName(isa));
  bool supported = false;
  for (Isa s : supportedIsas()) supported = supported || s == isa;
  HW_CHECK(supported, codes::kInvalidArgument,
           "Expected a SIMD level this machine supports but received " << isaName(isa));
  return *t;
}

const DenseKernels& denseKernels() {
  static const DenseKernels* active = [] {
    // The best compiled level not above activeIsa() (a level can be detected
    // but not compiled, e.g. a build without the AVX-512 TU).
    const Tables& t = tables();
    const DenseKernels* best = &t.scalar;
    for (Isa c : t.compiled)
      if (static_cast<int>(c) <= static_cast<int>(activeIsa())) {
        for (Isa s : supportedIsas())
          if (s == c) best = t.find(c);
      }
    return best;
  }();
  return *active;
}

}  // namespace hogwild::kernels

namespace hogwild::kernels {

void throwGemmOutOfMemory(size_t bytes) {
  HW_THROW(codes::kOutOfMemory, "sgemm: failed to allocate " << bytes << " bytes of packing buffer");
}

}  // namespace hogwild::kernels
