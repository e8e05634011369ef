// Dense kernels, scalar level: the portable reference every SIMD level is
// tested against, compiled with the baseline flags only. The transcendentals
// use the same range reductions and polynomials as the SIMD levels.
#include <cmath>
#include <cstring>

#include "../dense_kernels.h"
#include "../gemm_driver.h"

namespace hogwild::kernels::scalar {
namespace {

// ---- Transcendentals (Cephes-derived, see dense_kernels.h for the errors) ----

inline float bitsToFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline uint32_t floatToBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
// 2^n for n in [-126, 127].
inline float pow2i(int32_t n) { return bitsToFloat(static_cast<uint32_t>(n + 127) << 23); }

float expOne(float x) {
  if (x != x) return x;
  const float xc = x < -104.f ? -104.f : (x > 89.f ? 89.f : x);
  const float n = std::nearbyint(xc * 1.44269504088896341f);
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * (r * r) + r + 1.f;
  // Scale in two steps so 2^n never leaves the normal range (n in [-150, 128]).
  const int32_t ni = static_cast<int32_t>(n), n1 = ni >> 1;
  return y * pow2i(n1) * pow2i(ni - n1);
}

float logOne(float x) {
  if (x != x) return x;
  if (x < 0.f) return NAN;
  if (x == 0.f) return -INFINITY;
  if (x == INFINITY) return x;
  int32_t e = 0;
  if (x < 1.17549435e-38f) {  // denormal: normalize first
    x *= 8388608.f;
    e = -23;
  }
  const uint32_t bits = floatToBits(x);
  e += static_cast<int32_t>((bits >> 23) & 0xff) - 127;
  float m = bitsToFloat((bits & 0x7fffffu) | 0x3f800000u);  // [1, 2)
  if (m > 1.41421356f) {
    m *= 0.5f;
    e += 1;
  }
  const float f = m - 1.f, z = f * f, fe = static_cast<float>(e);
  float y = 7.0376836292e-2f;
  y = y * f - 1.1514610310e-1f;
  y = y * f + 1.1676998740e-1f;
  y = y * f - 1.2420140846e-1f;
  y = y * f + 1.4249322787e-1f;
  y = y * f - 1.6668057665e-1f;
  y = y * f + 2.0000714765e-1f;
  y = y * f - 2.4999993993e-1f;
  y = y * f + 3.3333331174e-1f;
  y = y * f * z;
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  float r = f + y;
  return r + fe * 0.693359375f;
}

float tanhOne(float x) {
  const float ax = std::fabs(x);
  if (ax < 0.625f) {
    const float s = x * x;
    float p = -5.70498872745e-3f;
    p = p * s + 2.06390887954e-2f;
    p = p * s - 5.37397155531e-2f;
    p = p * s + 1.33314422036e-1f;
    p = p * s - 3.33332819422e-1f;
    return p * s * x + x;
  }
  const float t = 1.f - 2.f / (expOne(2.f * ax) + 1.f);
  return std::copysign(t, x);
}

inline float sigmoidOne(float x) { return 1.f / (1.f + expOne(-x)); }

void expV(int64_t n, const float* x, float* y) { for (int64_t i = 0; i < n; ++i) y[i] = expOne(x[i]); }
void logV(int64_t n, const float* x, float* y) { for (int64_t i = 0; i < n; ++i) y[i] = logOne(x[i]); }
void tanhV(int64_t n, const float* x, float* y) { for (int64_t i = 0; i < n; ++i) y[i] = tanhOne(x[i]); }
void sigmoidV(int64_t n, const float* x, float* y) { for (int64_t i = 0; i < n; ++i) y[i] = sigmoidOne(x[i]); }
void reluV(int64_t n, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : 0.f;
}
void reluGradV(int64_t n, const float* y, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0.f ? dy[i] : 0.f;
}
void sigmoidGradV(int64_t n, const float* y, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.f - y[i]);
}
void tanhGradV(int64_t n, const float* y, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.f - y[i] * y[i]);
}

void softmaxRows(int64_t rows, int64_t cols, const float* x, float* y, float* logOut) {
  for (int64_t r = 0; r < rows; ++r, x += cols, y += cols) {
    if (cols == 0) continue;
    float mx = x[0];
    for (int64_t j = 1; j < cols; ++j) mx = x[j] > mx ? x[j] : mx;
    float s = 0.f;
    for (int64_t j = 0; j < cols; ++j) {
      const float e = expOne(x[j] - mx);
      s += e;
      if (logOut) logOut[j] = x[j] - mx;  // finished below (x may alias y)
      y[j] = e;
    }
    const float inv = 1.f / s;
    for (int64_t j = 0; j < cols; ++j) y[j] *= inv;
    if (logOut) {
      const float ls = logOne(s);
      for (int64_t j = 0; j < cols; ++j) logOut[j] -= ls;
      logOut += cols;
    }
  }
}

void softmaxGradRows(int64_t rows, int64_t cols, const float* y, const float* dy, float* dx) {
  for (int64_t r = 0; r < rows; ++r, y += cols, dy += cols, dx += cols) {
    float d = 0.f;
    for (int64_t j = 0; j < cols; ++j) d += dy[j] * y[j];
    for (int64_t j = 0; j < cols; ++j) dx[j] = y[j] * (dy[j] - d);
  }
}

// ---- BLAS-1 ----

void axpy(int64_t n, float a, const float* x, float* y) { for (int64_t i = 0; i < n; ++i) y[i] += a * x[i]; }
void scale(int64_t n, float a, const float* x, float* y) { for (int64_t i = 0; i < n; ++i) y[i] = a * x[i]; }
void add(int64_t n, const float* x, const float* y, float* z) { for (int64_t i = 0; i < n; ++i) z[i] = x[i] + y[i]; }
void sub(int64_t n, const float* x, const float* y, float* z) { for (int64_t i = 0; i < n; ++i) z[i] = x[i] - y[i]; }
void mul(int64_t n, const float* x, const float* y, float* z) { for (int64_t i = 0; i < n; ++i) z[i] = x[i] * y[i]; }
float dot(int64_t n, const float* x, const float* y) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * y[i];
  return static_cast<float>(s);
}
float sum(int64_t n, const float* x) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  return static_cast<float>(s);
}
void colSums(int64_t rows, int64_t cols, const float* x, int64_t ldx, float beta, float* y) {
  for (int64_t j = 0; j < cols; ++j) y[j] = beta == 0.f ? 0.f : beta * y[j];
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) y[j] += x[i * ldx + j];
}
void broadcastRows(int64_t rows, int64_t cols, const float* b, float* y, int64_t ldy) {
  for (int64_t i = 0; i < rows; ++i)
    if (cols) std::memcpy(y + i * ldy, b, static_cast<size_t>(cols) * sizeof(float));
}

double fmaPeakLoop(int64_t iters) {
  float acc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const float m = 0.999999f, c = 1e-7f;
  for (int64_t it = 0; it < iters; ++it)
    for (float& v : acc) v = v * m + c;
  volatile float sink = acc[0] + acc[7];
  (void)sink;
  return 2.0 * 8 * static_cast<double>(iters);
}

// ---- GEMM ----

struct Gemm {
  static constexpr int MR = 4, NR = 8;
  static constexpr int64_t KC = 256, MC = 128, NC = 2048;

  static bool useDirectA(bool, int64_t, int64_t n, int64_t) { return n <= NR; }

  static void packA(bool transA, const float* a, int64_t lda, int64_t mc, int64_t kc, float* out) {
    gemm::packAGeneric<Gemm>(transA, a, lda, mc, kc, out);
  }
  static void packB(bool transB, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* out) {
    gemm::packBGeneric<Gemm>(transB, b, ldb, kc, nc, out);
  }

  // rs/ks: strides between rows and along k of the A panel (packed: 1 and MR).
  static void kernel(int64_t kc, const float* a, int64_t rs, int64_t ks, const float* b, float* c, int64_t ldc,
                     float alpha, float beta, int mr, int nr) {
    float acc[MR][NR] = {};
    const float* rows[MR];
    for (int i = 0; i < MR; ++i) rows[i] = a + (i < mr ? i : mr - 1) * rs;
    for (int64_t k = 0; k < kc; ++k, b += NR) {
      for (int i = 0; i < MR; ++i) {
        const float ai = rows[i][k * ks];
        for (int j = 0; j < NR; ++j) acc[i][j] += ai * b[j];
      }
    }
    for (int i = 0; i < mr; ++i) {
      float* ci = c + i * ldc;
      for (int j = 0; j < nr; ++j) ci[j] = beta == 0.f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * ci[j];
    }
  }
  static void kernelPacked(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                           int mr, int nr) {
    kernel(kc, a, 1, MR, b, c, ldc, alpha, beta, mr, nr);
  }
  static void kernelDirect(int64_t kc, const float* a, int64_t rs, int64_t ks, const float* b, float* c, int64_t ldc,
                           float alpha, float beta, int mr, int nr) {
    kernel(kc, a, rs, ks, b, c, ldc, alpha, beta, mr, nr);
  }
};

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm::sgemm<Gemm>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void sgemmBiasRelu(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                   const float* b, int64_t ldb, const float* bias, bool relu, float* c, int64_t ldc) {
  gemm::sgemm<Gemm>(transA, transB, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc, gemm::Epilogue{bias, relu});
}

}  // namespace

void fillDenseKernels(DenseKernels* t) {
  t->isa = Isa::Scalar;
  t->sgemm = sgemm;
  t->sgemmBiasRelu = sgemmBiasRelu;
  t->reluGradColSums = gemm::reluGradColSums<Gemm>;
  t->exp = expV;
  t->log = logV;
  t->tanh = tanhV;
  t->sigmoid = sigmoidV;
  t->relu = reluV;
  t->reluGrad = reluGradV;
  t->sigmoidGrad = sigmoidGradV;
  t->tanhGrad = tanhGradV;
  t->softmaxRows = softmaxRows;
  t->softmaxGradRows = softmaxGradRows;
  t->axpy = axpy;
  t->scale = scale;
  t->add = add;
  t->sub = sub;
  t->mul = mul;
  t->dot = dot;
  t->sum = sum;
  t->colSums = colSums;
  t->broadcastRows = broadcastRows;
  t->fmaPeakLoop = fmaPeakLoop;
}

}  // namespace hogwild::kernels::scalar
