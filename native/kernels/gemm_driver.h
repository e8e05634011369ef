#pragma once
// The ISA-independent part of sgemm: the five loops of the BLIS/GotoBLAS
// structure around an ISA's packing routines and MR×NR register-blocked
// micro-kernel (Van Zee & van de Geijn, "BLIS", TOMS 2015):
//
//   for jc in N by NC          B block KC×NC lives in L3
//     for pc in K by KC          pack B(pc, jc) into NR-wide panels (zero padded)
//       for ic in M by MC          pack A(ic, pc) into MR-high panels (A block in L2)
//         for jr in NC by NR         one B panel (KC×NR) stays in L1
//           for ir in MC by MR         micro-kernel: C(MR×NR) += A panel · B panel
//
// Transposed operands are handled by the packing, so the micro-kernel only
// ever sees one layout. When op(B) has a single panel there is nothing to
// reuse a packed A for, so A is read in place ("direct" micro-kernel).
//
// ODR rule: everything here is a template over the calling ISA's traits
// type, which is declared in an anonymous namespace of that ISA's TU; every
// instantiation is therefore private to the TU compiled with the right
// flags. Never add a non-template function to this header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#if defined(__clang__)
#define HW_UNROLL_FULL _Pragma("unroll")
#elif defined(__GNUC__)
#define HW_UNROLL_FULL _Pragma("GCC unroll 64")
#else
#define HW_UNROLL_FULL
#endif

namespace hogwild::kernels {

// Throws HOGWILD_OUT_OF_MEMORY (defined in dense_kernels.cc, a baseline TU).
[[noreturn]] void throwGemmOutOfMemory(size_t bytes);

namespace gemm {
// Internal linkage: each TU (compiled with its own flags) keeps its own copies.
namespace {

template <typename I> inline I minOf(I a, I b) { return a < b ? a : b; }
template <typename I> inline I roundUp(I x, I to) { return (x + to - 1) / to * to; }
template <typename I> inline I ceilDiv(I x, I y) { return (x + y - 1) / y; }

// Per-thread packing buffers (Hogwild instances run GEMMs concurrently).
// `which`: 0 for A, 1 for B. Grows only; freed at thread exit.
template <class T> float* packBuffer(int which, size_t floats) {
  struct Buf {
    float* p = nullptr;
    size_t n = 0;
    ~Buf() { std::free(p); }
  };
  static thread_local Buf bufs[2];
  Buf& b = bufs[which];
  if (b.n < floats) {
    std::free(b.p);
    b.p = nullptr;
    b.n = 0;
    size_t bytes = roundUp<size_t>(floats * sizeof(float) + 64, 64);
    b.p = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!b.p) throwGemmOutOfMemory(bytes);
    b.n = floats;
  }
  return b.p;
}

// What happens to a finished C tile (sgemmBiasRelu): + bias[j], then ReLU.
struct Epilogue {
  const float* bias = nullptr;  // per column of C, or null
  bool relu = false;
};

// Applies `ep` to an mr×nr tile of C whose bias slice starts at `bias`. Plain
// loops: compiled in each ISA's TU with its flags, the compiler vectorizes them.
template <class T> void epilogueTile(float* c, int64_t ldc, int64_t mr, int64_t nr, const float* bias, bool relu) {
  for (int64_t i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    if (bias)
      for (int64_t j = 0; j < nr; ++j) row[j] += bias[j];
    if (relu)
      for (int64_t j = 0; j < nr; ++j) row[j] = row[j] > 0.f ? row[j] : 0.f;  // NaN -> 0
  }
}

// C = beta · C over an m×n block (beta == 0 writes zeros without reading).
template <class T> void scaleC(int64_t m, int64_t n, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.f) {
      for (int64_t j = 0; j < n; ++j) row[j] = 0.f;
    } else if (beta != 1.f) {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

// The driver. T provides MR, NR, KC, MC, NC, packA, packB, kernelPacked,
// kernelDirect, and useDirectA(transA, m, n, k). `ep` runs on each tile after
// its last K block.
template <class T>
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const Epilogue& ep = Epilogue{}) {
  constexpr int MR = T::MR, NR = T::NR;
  const bool withEp = ep.bias != nullptr || ep.relu;
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.f) {
    scaleC<T>(m, n, beta, c, ldc);
    if (withEp) epilogueTile<T>(c, ldc, m, n, ep.bias, ep.relu);
    return;
  }
  // Even block sizes: K = 784 with KC = 256 runs 4 × 196, not 3 × 256 + 16.
  const int64_t kcBlock = roundUp<int64_t>(ceilDiv<int64_t>(k, ceilDiv<int64_t>(k, T::KC)), 4);
  const int64_t mcBlock = roundUp<int64_t>(ceilDiv<int64_t>(m, ceilDiv<int64_t>(m, T::MC)), MR);
  const int64_t ncBlock = roundUp<int64_t>(ceilDiv<int64_t>(n, ceilDiv<int64_t>(n, T::NC)), NR);
  const bool directA = T::useDirectA(transA, m, n, k);
  float* bufB = packBuffer<T>(1, static_cast<size_t>(kcBlock * ncBlock));
  float* bufA = directA ? nullptr : packBuffer<T>(0, static_cast<size_t>(kcBlock * mcBlock));

  for (int64_t jc = 0; jc < n; jc += ncBlock) {
    const int64_t nc = minOf(ncBlock, n - jc);
    for (int64_t pc = 0; pc < k; pc += kcBlock) {
      const int64_t kc = minOf(kcBlock, k - pc);
      const float betaNow = pc == 0 ? beta : 1.f;
      T::packB(transB, transB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, kc, nc, bufB);
      for (int64_t ic = 0; ic < m; ic += mcBlock) {
        const int64_t mc = minOf(mcBlock, m - ic);
        const float* aBlock = transA ? a + pc * lda + ic : a + ic * lda + pc;
        if (!directA) T::packA(transA, aBlock, lda, mc, kc, bufA);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(minOf<int64_t>(NR, nc - jr));
          const float* bPanel = bufB + (jr / NR) * kc * NR;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int mr = static_cast<int>(minOf<int64_t>(MR, mc - ir));
            float* cTile = c + (ic + ir) * ldc + jc + jr;
            if (directA) {
              const float* aPanel = transA ? aBlock + ir : aBlock + ir * lda;
              T::kernelDirect(kc, aPanel, transA ? 1 : lda, transA ? lda : 1, bPanel, cTile, ldc, alpha, betaNow, mr, nr);
            } else {
              T::kernelPacked(kc, bufA + (ir / MR) * kc * MR, bPanel, cTile, ldc, alpha, betaNow, mr, nr);
            }
            if (withEp && pc + kc >= k) epilogueTile<T>(cTile, ldc, mr, nr, ep.bias ? ep.bias + jc + jr : nullptr, ep.relu);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace gemm
}  // namespace hogwild::kernels
