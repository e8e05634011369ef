// Dense kernels, NEON level (AArch64 Advanced SIMD, always present there).
// Compiled on arm64 only; same algorithms as the other levels, 4 lanes.
// Everything except fillDenseKernels has internal linkage.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstring>

#include "../dense_kernels.h"
#include "../gemm_driver.h"

namespace hogwild::kernels::neon {
namespace {

using V = float32x4_t;
inline V set1(float v) { return vdupq_n_f32(v); }
inline V blend(V a, V b, uint32x4_t takeB) { return vbslq_f32(takeB, b, a); }
inline uint32x4_t isNan(V x) { return vmvnq_u32(vceqq_f32(x, x)); }

// Runs f on a partial vector of n < 4 floats through a stack buffer.
template <typename F> inline void tail1(int64_t n, const float* x, float* y, F f) {
  float bx[4] = {0, 0, 0, 0}, by[4];
  std::memcpy(bx, x, static_cast<size_t>(n) * sizeof(float));
  vst1q_f32(by, f(vld1q_f32(bx)));
  std::memcpy(y, by, static_cast<size_t>(n) * sizeof(float));
}
template <typename F> inline void tail2(int64_t n, const float* x, const float* y, float* z, F f) {
  float bx[4] = {0, 0, 0, 0}, bw[4] = {0, 0, 0, 0}, bz[4];
  std::memcpy(bx, x, static_cast<size_t>(n) * sizeof(float));
  std::memcpy(bw, y, static_cast<size_t>(n) * sizeof(float));
  vst1q_f32(bz, f(vld1q_f32(bx), vld1q_f32(bw)));
  std::memcpy(z, bz, static_cast<size_t>(n) * sizeof(float));
}

// ---- Transcendentals: same reductions and polynomials as the scalar level ----

inline V pow2i(int32x4_t n) { return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n, vdupq_n_s32(127)), 23)); }

inline V exp4(V x) {
  const V xc = vminq_f32(vmaxq_f32(x, set1(-104.f)), set1(89.f));
  const V n = vrndnq_f32(vmulq_f32(xc, set1(1.44269504088896341f)));
  V r = vfmsq_f32(xc, n, set1(0.693359375f));
  r = vfmsq_f32(r, n, set1(-2.12194440e-4f));
  V p = set1(1.9875691500e-4f);
  p = vfmaq_f32(set1(1.3981999507e-3f), p, r);
  p = vfmaq_f32(set1(8.3334519073e-3f), p, r);
  p = vfmaq_f32(set1(4.1665795894e-2f), p, r);
  p = vfmaq_f32(set1(1.6666665459e-1f), p, r);
  p = vfmaq_f32(set1(5.0000001201e-1f), p, r);
  V y = vaddq_f32(vfmaq_f32(r, p, vmulq_f32(r, r)), set1(1.f));
  const int32x4_t ni = vcvtq_s32_f32(n), n1 = vshrq_n_s32(ni, 1);
  y = vmulq_f32(vmulq_f32(y, pow2i(n1)), pow2i(vsubq_s32(ni, n1)));
  return blend(y, x, isNan(x));
}

inline V log4(V x) {
  const V zero = vdupq_n_f32(0.f);
  const uint32x4_t tiny = vcltq_f32(x, set1(1.17549435e-38f));
  const V xn = blend(x, vmulq_f32(x, set1(8388608.f)), tiny);
  const int32x4_t bits = vreinterpretq_s32_f32(xn);
  int32x4_t ei = vsubq_s32(vandq_s32(vshrq_n_s32(bits, 23), vdupq_n_s32(0xff)), vdupq_n_s32(127));
  ei = vsubq_s32(ei, vandq_s32(vreinterpretq_s32_u32(tiny), vdupq_n_s32(23)));
  V m = vreinterpretq_f32_s32(vorrq_s32(vandq_s32(bits, vdupq_n_s32(0x7fffff)), vdupq_n_s32(0x3f800000)));
  V e = vcvtq_f32_s32(ei);
  const uint32x4_t big = vcgtq_f32(m, set1(1.41421356f));
  m = blend(m, vmulq_f32(m, set1(0.5f)), big);
  e = vaddq_f32(e, vreinterpretq_f32_u32(vandq_u32(big, vreinterpretq_u32_f32(set1(1.f)))));
  const V f = vsubq_f32(m, set1(1.f)), z = vmulq_f32(f, f);
  V y = set1(7.0376836292e-2f);
  y = vfmaq_f32(set1(-1.1514610310e-1f), y, f);
  y = vfmaq_f32(set1(1.1676998740e-1f), y, f);
  y = vfmaq_f32(set1(-1.2420140846e-1f), y, f);
  y = vfmaq_f32(set1(1.4249322787e-1f), y, f);
  y = vfmaq_f32(set1(-1.6668057665e-1f), y, f);
  y = vfmaq_f32(set1(2.0000714765e-1f), y, f);
  y = vfmaq_f32(set1(-2.4999993993e-1f), y, f);
  y = vfmaq_f32(set1(3.3333331174e-1f), y, f);
  y = vmulq_f32(vmulq_f32(y, f), z);
  y = vfmaq_f32(y, e, set1(-2.12194440e-4f));
  y = vfmsq_f32(y, set1(0.5f), z);
  V r = vaddq_f32(f, y);
  r = vfmaq_f32(r, e, set1(0.693359375f));
  r = blend(r, set1(__builtin_nanf("")), vcltq_f32(x, zero));
  r = blend(r, set1(-__builtin_inff()), vceqq_f32(x, zero));
  r = blend(r, x, vceqq_f32(x, set1(__builtin_inff())));
  return blend(r, x, isNan(x));
}

inline V tanh4(V x) {
  const V ax = vabsq_f32(x);
  const V s = vmulq_f32(x, x);
  V p = set1(-5.70498872745e-3f);
  p = vfmaq_f32(set1(2.06390887954e-2f), p, s);
  p = vfmaq_f32(set1(-5.37397155531e-2f), p, s);
  p = vfmaq_f32(set1(1.33314422036e-1f), p, s);
  p = vfmaq_f32(set1(-3.33332819422e-1f), p, s);
  const V small = vfmaq_f32(x, vmulq_f32(p, s), x);
  const V e = exp4(vaddq_f32(ax, ax));
  V big = vsubq_f32(set1(1.f), vdivq_f32(set1(2.f), vaddq_f32(e, set1(1.f))));
  const uint32x4_t sign = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u));
  big = vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(big), sign));
  return blend(big, small, vcltq_f32(ax, set1(0.625f)));
}

inline V sigmoid4(V x) { return vdivq_f32(set1(1.f), vaddq_f32(set1(1.f), exp4(vnegq_f32(x)))); }
inline V relu4(V x) {
  // max(x, 0) with NaN -> 0, as on the other levels.
  return blend(vdupq_n_f32(0.f), x, vcgtq_f32(x, vdupq_n_f32(0.f)));
}

template <V (*F)(V)> void mapV(int64_t n, const float* x, float* y) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, F(vld1q_f32(x + i)));
  if (i < n) tail1(n - i, x + i, y + i, F);
}
template <V (*F)(V, V)> void zipV(int64_t n, const float* x, const float* y, float* z) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(z + i, F(vld1q_f32(x + i), vld1q_f32(y + i)));
  if (i < n) tail2(n - i, x + i, y + i, z + i, F);
}
inline V reluGrad4(V y, V dy) { return blend(vdupq_n_f32(0.f), dy, vcgtq_f32(y, vdupq_n_f32(0.f))); }
inline V sigmoidGrad4(V y, V dy) { return vmulq_f32(vmulq_f32(dy, y), vsubq_f32(set1(1.f), y)); }
inline V tanhGrad4(V y, V dy) { return vmulq_f32(dy, vfmsq_f32(set1(1.f), y, y)); }
inline V add4(V x, V y) { return vaddq_f32(x, y); }
inline V sub4(V x, V y) { return vsubq_f32(x, y); }
inline V mul4(V x, V y) { return vmulq_f32(x, y); }

void softmaxRows(int64_t rows, int64_t cols, const float* x, float* y, float* logOut) {
  for (int64_t r = 0; r < rows; ++r, x += cols, y += cols) {
    if (cols == 0) continue;
    float mx = x[0];
    for (int64_t j = 1; j < cols; ++j) mx = x[j] > mx ? x[j] : mx;
    const V vm = set1(mx);
    float s = 0;
    int64_t j = 0;
    V vs = vdupq_n_f32(0.f);
    for (; j + 4 <= cols; j += 4) {
      const V d = vsubq_f32(vld1q_f32(x + j), vm);
      if (logOut) vst1q_f32(logOut + j, d);
      const V e = exp4(d);
      vs = vaddq_f32(vs, e);
      vst1q_f32(y + j, e);
    }
    s = vaddvq_f32(vs);
    for (; j < cols; ++j) {
      float d = x[j] - mx, e;
      if (logOut) logOut[j] = d;
      tail1(1, &d, &e, exp4);
      s += e;
      y[j] = e;
    }
    const float inv = 1.f / s;
    for (j = 0; j < cols; ++j) y[j] *= inv;
    if (logOut) {
      float ls;
      tail1(1, &s, &ls, log4);
      for (j = 0; j < cols; ++j) logOut[j] -= ls;
      logOut += cols;
    }
  }
}

void softmaxGradRows(int64_t rows, int64_t cols, const float* y, const float* dy, float* dx) {
  for (int64_t r = 0; r < rows; ++r, y += cols, dy += cols, dx += cols) {
    float d = 0;
    for (int64_t j = 0; j < cols; ++j) d += dy[j] * y[j];
    for (int64_t j = 0; j < cols; ++j) dx[j] = y[j] * (dy[j] - d);
  }
}

// ---- BLAS-1 ----

void axpy(int64_t n, float a, const float* x, float* y) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), vld1q_f32(x + i), a));
  for (; i < n; ++i) y[i] += a * x[i];
}
void scale(int64_t n, float a, const float* x, float* y) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_n_f32(vld1q_f32(x + i), a));
  for (; i < n; ++i) y[i] = a * x[i];
}
float dot(int64_t n, const float* x, const float* y) {
  V s0 = vdupq_n_f32(0.f), s1 = s0;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = vfmaq_f32(s0, vld1q_f32(x + i), vld1q_f32(y + i));
    s1 = vfmaq_f32(s1, vld1q_f32(x + i + 4), vld1q_f32(y + i + 4));
  }
  float s = vaddvq_f32(vaddq_f32(s0, s1));
  for (; i < n; ++i) s += x[i] * y[i];
  return s;
}
float sum(int64_t n, const float* x) {
  V s0 = vdupq_n_f32(0.f), s1 = s0;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = vaddq_f32(s0, vld1q_f32(x + i));
    s1 = vaddq_f32(s1, vld1q_f32(x + i + 4));
  }
  float s = vaddvq_f32(vaddq_f32(s0, s1));
  for (; i < n; ++i) s += x[i];
  return s;
}
void colSums(int64_t rows, int64_t cols, const float* x, int64_t ldx, float beta, float* y) {
  for (int64_t j = 0; j < cols; ++j) y[j] = beta == 0.f ? 0.f : beta * y[j];
  for (int64_t i = 0; i < rows; ++i) axpy(cols, 1.f, x + i * ldx, y);
}
void broadcastRows(int64_t rows, int64_t cols, const float* b, float* y, int64_t ldy) {
  for (int64_t i = 0; i < rows; ++i)
    if (cols) std::memcpy(y + i * ldy, b, static_cast<size_t>(cols) * sizeof(float));
}

double fmaPeakLoop(int64_t iters) {
  V a[12];
  for (int i = 0; i < 12; ++i) a[i] = set1(static_cast<float>(i));
  const V m = set1(0.999999f), c = set1(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
    HW_UNROLL_FULL
    for (int i = 0; i < 12; ++i) a[i] = vfmaq_f32(c, a[i], m);
  }
  V s = a[0];
  for (int i = 1; i < 12; ++i) s = vaddq_f32(s, a[i]);
  volatile float sink = vaddvq_f32(s);
  (void)sink;
  return 2.0 * 4 * 12 * static_cast<double>(iters);
}

// ---- GEMM: 8×12 tile, 24 accumulators ----

struct Gemm {
  static constexpr int MR = 8, NR = 12;
  static constexpr int64_t KC = 256, MC = 8 * 32, NC = 4092;

  static bool useDirectA(bool, int64_t, int64_t n, int64_t) { return n <= NR; }
  static void packA(bool transA, const float* a, int64_t lda, int64_t mc, int64_t kc, float* out) {
    gemm::packAGeneric<Gemm>(transA, a, lda, mc, kc, out);
  }
  static void packB(bool transB, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* out) {
    gemm::packBGeneric<Gemm>(transB, b, ldb, kc, nc, out);
  }

  template <bool kPacked>
  static inline void kernel(int64_t kc, const float* a, int64_t rs, int64_t ks, const float* b, float* c, int64_t ldc,
                            float alpha, float beta, int mr, int nr) {
    V acc[MR][3];
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.f);
    if (kPacked) {
      for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        const V b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
        const V a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
#define HW_NEON_ROW(i, av, lane)                            \
  acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, av, lane); \
  acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, av, lane); \
  acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, av, lane);
        HW_NEON_ROW(0, a0, 0)
        HW_NEON_ROW(1, a0, 1)
        HW_NEON_ROW(2, a0, 2)
        HW_NEON_ROW(3, a0, 3)
        HW_NEON_ROW(4, a1, 0)
        HW_NEON_ROW(5, a1, 1)
        HW_NEON_ROW(6, a1, 2)
        HW_NEON_ROW(7, a1, 3)
#undef HW_NEON_ROW
      }
    } else {
      const float* rows[MR];
      for (int i = 0; i < MR; ++i) rows[i] = a + (i < mr ? i : mr - 1) * rs;
      for (int64_t k = 0, off = 0; k < kc; ++k, off += ks, b += NR) {
        const V b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
        HW_UNROLL_FULL
        for (int i = 0; i < MR; ++i) {
          const V ai = vdupq_n_f32(rows[i][off]);
          acc[i][0] = vfmaq_f32(acc[i][0], b0, ai);
          acc[i][1] = vfmaq_f32(acc[i][1], b1, ai);
          acc[i][2] = vfmaq_f32(acc[i][2], b2, ai);
        }
      }
    }
    const V va = set1(alpha), vb = set1(beta);
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) {
      if (i >= mr) continue;
      float* ci = c + i * ldc;
      float t[NR];
      if (nr == NR) {
        for (int v = 0; v < 3; ++v) {
          V r = vmulq_f32(acc[i][v], va);
          if (beta != 0.f) r = vfmaq_f32(r, vb, vld1q_f32(ci + 4 * v));
          vst1q_f32(ci + 4 * v, r);
        }
      } else {
        for (int v = 0; v < 3; ++v) vst1q_f32(t + 4 * v, vmulq_f32(acc[i][v], va));
        for (int j = 0; j < nr; ++j) ci[j] = beta == 0.f ? t[j] : t[j] + beta * ci[j];
      }
    }
  }
  static void kernelPacked(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                           int mr, int nr) {
    kernel<true>(kc, a, 1, MR, b, c, ldc, alpha, beta, mr, nr);
  }
  static void kernelDirect(int64_t kc, const float* a, int64_t rs, int64_t ks, const float* b, float* c, int64_t ldc,
                           float alpha, float beta, int mr, int nr) {
    kernel<false>(kc, a, rs, ks, b, c, ldc, alpha, beta, mr, nr);
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
  t->isa = Isa::Neon;
  t->sgemm = sgemm;
  t->sgemmBiasRelu = sgemmBiasRelu;
  t->reluGradColSums = gemm::reluGradColSums<Gemm>;
  t->exp = mapV<exp4>;
  t->log = mapV<log4>;
  t->tanh = mapV<tanh4>;
  t->sigmoid = mapV<sigmoid4>;
  t->relu = mapV<relu4>;
  t->reluGrad = zipV<reluGrad4>;
  t->sigmoidGrad = zipV<sigmoidGrad4>;
  t->tanhGrad = zipV<tanhGrad4>;
  t->softmaxRows = softmaxRows;
  t->softmaxGradRows = softmaxGradRows;
  t->axpy = axpy;
  t->scale = scale;
  t->add = zipV<add4>;
  t->sub = zipV<sub4>;
  t->mul = zipV<mul4>;
  t->dot = dot;
  t->sum = sum;
  t->colSums = colSums;
  t->broadcastRows = broadcastRows;
  t->fmaPeakLoop = fmaPeakLoop;
}

}  // namespace hogwild::kernels::neon
#endif  // __aarch64__
