#pragma once
// The dense float32 kernels (GEMM, transcendentals, activations, softmax,
// BLAS-1 helpers) as a const table of function pointers, one table per
// instruction set. The kernels are written once (dense_kernels-inl.h, over a
// vector trait); each ISA's translation unit (kernels/<isa>/dense_<isa>.cc)
// includes that source into its own namespace and is compiled with that
// ISA's flags only. This header holds nothing but the table type, so no
// inline code is shared between TUs built with different flags (ODR /
// illegal-instruction hazard, docs/kernels.md).
//
// Conventions: row-major storage, sizes and strides in elements, n == 0 is a
// no-op, outputs may alias inputs exactly (y == x) but must not partly
// overlap them. No kernel throws or allocates except sgemm (its thread-local
// packing buffers, allocated once per thread and size).
//
// Transcendentals use the same range reduction and polynomials on every ISA
// (Cephes-derived), so levels differ only by FMA rounding. Max error against
// double precision, asserted by test_dense_kernels over ~300k inputs spanning
// the float range (measured on scalar/avx2/avx512: 0.97, 0.58, 1.30, 2.05 ulp):
//   exp      <= 1.5 ulp; 0 below -103.97 (gradual underflow), +inf above 88.72
//   log      <= 1 ulp, or 1.2e-7 absolute near x = 1; denormals handled;
//               log(0) = -inf, log(x < 0) = NaN, log(+inf) = +inf
//   tanh     <= 2 ulp (polynomial below |x| = 0.625, 1 − 2/(e^2|x| + 1) above)
//   sigmoid  <= 2.5 ulp (1 / (1 + e^−x)); exactly 0 below −103.97
// NaN inputs give NaN outputs. Relu maps NaN to 0 on every level.
#include <cstdint>

#include "isa.h"

namespace hogwild::kernels {

struct DenseKernels {
  Isa isa;

  // C = alpha · op(A) · op(B) + beta · C, op(X) = X or Xᵀ; C is m×n, op(A)
  // m×k, op(B) k×n; lda/ldb/ldc are row strides of the stored matrices.
  // beta == 0 never reads C (NaN there is overwritten); k == 0 or alpha == 0
  // scales C by beta. Register- and cache-blocked with packed panels.
  void (*sgemm)(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

  // C = op(A)·op(B) + bias, then max(·, 0) when `relu` (NaN -> 0, as relu);
  // `bias` (n floats, one per column) may be null. Fused: each register tile
  // of C gets its bias and ReLU right after its last K block, while it is
  // still in L1, instead of a broadcast pass before and a ReLU pass after.
  void (*sgemmBiasRelu)(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                        const float* b, int64_t ldb, const float* bias, bool relu, float* c, int64_t ldc);

  // y[i] = f(x[i]).
  void (*exp)(int64_t n, const float* x, float* y);
  void (*log)(int64_t n, const float* x, float* y);
  void (*tanh)(int64_t n, const float* x, float* y);
  void (*sigmoid)(int64_t n, const float* x, float* y);
  void (*relu)(int64_t n, const float* x, float* y);

  // dx from the forward output y and its gradient dy:
  // relu: dy·(y > 0); sigmoid: dy·y·(1−y); tanh: dy·(1−y²).
  void (*reluGrad)(int64_t n, const float* y, const float* dy, float* dx);
  void (*sigmoidGrad)(int64_t n, const float* y, const float* dy, float* dx);
  void (*tanhGrad)(int64_t n, const float* y, const float* dy, float* dx);

  // The FC+ReLU gradient's one pass over dY (rows×cols, contiguous):
  // dz = dy·(y > 0) and db[j] = Σ_i dz[i][j].
  void (*reluGradColSums)(int64_t rows, int64_t cols, const float* y, const float* dy, float* dz, float* db);

  // Row-wise softmax of a rows×cols matrix (max-subtracted). With `logOut`
  // non-null it also writes log-softmax there (x − max − log Σ exp).
  void (*softmaxRows)(int64_t rows, int64_t cols, const float* x, float* y, float* logOut);
  // dx = y · (dy − Σ_row dy·y).
  void (*softmaxGradRows)(int64_t rows, int64_t cols, const float* y, const float* dy, float* dx);

  void (*axpy)(int64_t n, float a, const float* x, float* y);            // y += a·x
  void (*scale)(int64_t n, float a, const float* x, float* y);           // y = a·x
  void (*add)(int64_t n, const float* x, const float* y, float* z);      // z = x + y
  void (*sub)(int64_t n, const float* x, const float* y, float* z);      // z = x − y
  void (*mul)(int64_t n, const float* x, const float* y, float* z);      // z = x · y
  float (*dot)(int64_t n, const float* x, const float* y);               // Σ x·y
  float (*sum)(int64_t n, const float* x);                               // Σ x
  // y[j] = beta·y[j] + Σ_i x[i·ldx + j] over a rows×cols matrix (bias gradients).
  void (*colSums)(int64_t rows, int64_t cols, const float* x, int64_t ldx, float beta, float* y);
  // Copies each of `rows` rows of y (stride ldy) from the `cols`-vector b (bias broadcast).
  void (*broadcastRows)(int64_t rows, int64_t cols, const float* b, float* y, int64_t ldy);

  // Benchmark helper: `iters` rounds of independent FMAs on registers;
  // returns the flops done (2 per lane per FMA).
  double (*fmaPeakLoop)(int64_t iters);
  // Benchmark helper: `reps` sweeps of the GEMM register tile over `tiles`
  // packed A panels and one packed B panel, kc deep (no packing, one C tile);
  // returns the flops done. Its rate over fmaPeakLoop's is the tile's
  // efficiency, apart from the cache blocking.
  double (*gemmTileLoop)(int64_t tiles, int64_t kc, int64_t reps);
};

// The table for the level this process uses (activeIsa()), chosen once.
const DenseKernels& denseKernels();
// The table of one level, for tests and benchmarks. Throws
// HOGWILD_INVALID_ARGUMENT when the level was not compiled in or this
// machine cannot run it.
const DenseKernels& denseKernelsFor(Isa isa);
// Levels with a table in this binary, best last (Scalar always).
const std::vector<Isa>& compiledIsas();

}  // namespace hogwild::kernels
