// Picks the sparse segment and Hogwild update tables for the active instruction set.
#include "sparse_kernels.h"

#include "hogwild_updates.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define HW_SPARSE_X86 1
#endif

namespace hogwild::kernels {

namespace {

bool supported(Isa isa) {
  for (Isa s : supportedIsas())
    if (s == isa) return true;
  return false;
}

}  // namespace

const SparseKernels* sparseKernelsFor(Isa isa) {
  if (!supported(isa)) return nullptr;
  switch (isa) {
    case Isa::Scalar:
    case Isa::Neon:  // no NEON segment kernels yet: the scalar ones
      return &scalar::sparseTable();
#ifdef HW_SPARSE_X86
    case Isa::Avx2: return &avx2::sparseTable();
    case Isa::Avx512: return &avx512::sparseTable();
#endif
    default: return nullptr;
  }
}

const SparseKernels& sparseKernels() {
  static const SparseKernels* table = sparseKernelsFor(activeIsa());  // set once, then read-only
  return *table;
}

const HogwildUpdates* hogwildUpdatesFor(Isa isa, UpdateAccess access) {
  if (!supported(isa)) return nullptr;
  const bool relaxed = access == UpdateAccess::Relaxed;
  switch (isa) {
    case Isa::Scalar:
    case Isa::Neon:
      return relaxed ? &scalar::relaxed::updateTable() : &scalar::racy::updateTable();
#ifdef HW_SPARSE_X86
    case Isa::Avx2: return relaxed ? &avx2::relaxed::updateTable() : &avx2::racy::updateTable();
    case Isa::Avx512: return relaxed ? &avx512::relaxed::updateTable() : &avx512::racy::updateTable();
#endif
    default: return nullptr;
  }
}

const HogwildUpdates& hogwildUpdates() {
  static const HogwildUpdates* table =
      hogwildUpdatesFor(activeIsa(), kRelaxedUpdates ? UpdateAccess::Relaxed : UpdateAccess::Plain);
  return *table;
}

}  // namespace hogwild::kernels
