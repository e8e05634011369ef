// Dense kernels, AVX2 + FMA level. Compiled with the avx2 flags of
// native/sources.mjs only, and called only after CPUID + XGETBV said the CPU
// and OS support them. Everything except fillDenseKernels has internal
// linkage: no std:: template or inline helper is instantiated here, so none
// can leak AVX2 code into baseline callers (ECOSYSTEM.md §3).
#include <immintrin.h>

#include <cstring>

#include "../dense_kernels.h"
#include "../gemm_driver.h"

namespace hogwild::kernels::avx2 {
namespace {

inline __m256 set1(float v) { return _mm256_set1_ps(v); }
// Lanes [0, n) set (high bit), n in [0, 8]: the mask form of maskload/maskstore.
inline __m256i maskOf(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline __m256 loadN(const float* p, int64_t n) { return n >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, maskOf(n)); }
inline void storeN(float* p, int64_t n, __m256 v) {
  if (n >= 8)
    _mm256_storeu_ps(p, v);
  else
    _mm256_maskstore_ps(p, maskOf(n), v);
}
inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline __m256 isNan(__m256 x) { return _mm256_cmp_ps(x, x, _CMP_UNORD_Q); }

// ---- Transcendentals: same reductions and polynomials as the scalar level ----

// 2^n for integer n in [-126, 127].
inline __m256 pow2i(__m256i n) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23)); }

inline __m256 exp8(__m256 x) {
  const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, set1(-104.f)), set1(89.f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, set1(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, set1(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, set1(-2.12194440e-4f), r);
  __m256 p = set1(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, set1(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, set1(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, set1(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, set1(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, set1(5.0000001201e-1f));
  __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), set1(1.f));
  // Two steps so 2^n never leaves the normal range (n in [-150, 128]).
  const __m256i ni = _mm256_cvtps_epi32(n), n1 = _mm256_srai_epi32(ni, 1);
  y = _mm256_mul_ps(_mm256_mul_ps(y, pow2i(n1)), pow2i(_mm256_sub_epi32(ni, n1)));
  return _mm256_blendv_ps(y, x, isNan(x));
}

inline __m256 log8(__m256 x) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 tiny = _mm256_cmp_ps(x, set1(1.17549435e-38f), _CMP_LT_OQ);  // denormals (and <= 0)
  const __m256 xn = _mm256_blendv_ps(x, _mm256_mul_ps(x, set1(8388608.f)), tiny);
  const __m256i bits = _mm256_castps_si256(xn);
  __m256i ei = _mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff)), _mm256_set1_epi32(127));
  ei = _mm256_sub_epi32(ei, _mm256_and_si256(_mm256_castps_si256(tiny), _mm256_set1_epi32(23)));
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x3f800000)));
  __m256 e = _mm256_cvtepi32_ps(ei);
  const __m256 big = _mm256_cmp_ps(m, set1(1.41421356f), _CMP_GT_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, set1(0.5f)), big);
  e = _mm256_add_ps(e, _mm256_and_ps(big, set1(1.f)));
  const __m256 f = _mm256_sub_ps(m, set1(1.f)), z = _mm256_mul_ps(f, f);
  __m256 y = set1(7.0376836292e-2f);
  y = _mm256_fmadd_ps(y, f, set1(-1.1514610310e-1f));
  y = _mm256_fmadd_ps(y, f, set1(1.1676998740e-1f));
  y = _mm256_fmadd_ps(y, f, set1(-1.2420140846e-1f));
  y = _mm256_fmadd_ps(y, f, set1(1.4249322787e-1f));
  y = _mm256_fmadd_ps(y, f, set1(-1.6668057665e-1f));
  y = _mm256_fmadd_ps(y, f, set1(2.0000714765e-1f));
  y = _mm256_fmadd_ps(y, f, set1(-2.4999993993e-1f));
  y = _mm256_fmadd_ps(y, f, set1(3.3333331174e-1f));
  y = _mm256_mul_ps(_mm256_mul_ps(y, f), z);
  y = _mm256_fmadd_ps(e, set1(-2.12194440e-4f), y);
  y = _mm256_fnmadd_ps(set1(0.5f), z, y);
  __m256 r = _mm256_add_ps(f, y);
  r = _mm256_fmadd_ps(e, set1(0.693359375f), r);
  r = _mm256_blendv_ps(r, set1(__builtin_nanf("")), _mm256_cmp_ps(x, zero, _CMP_LT_OQ));
  r = _mm256_blendv_ps(r, set1(-__builtin_inff()), _mm256_cmp_ps(x, zero, _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, set1(__builtin_inff()), _CMP_EQ_OQ));
  return _mm256_blendv_ps(r, x, isNan(x));
}

inline __m256 tanh8(__m256 x) {
  const __m256 sign = set1(-0.f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 s = _mm256_mul_ps(x, x);
  __m256 p = set1(-5.70498872745e-3f);
  p = _mm256_fmadd_ps(p, s, set1(2.06390887954e-2f));
  p = _mm256_fmadd_ps(p, s, set1(-5.37397155531e-2f));
  p = _mm256_fmadd_ps(p, s, set1(1.33314422036e-1f));
  p = _mm256_fmadd_ps(p, s, set1(-3.33332819422e-1f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, s), x, x);
  const __m256 e = exp8(_mm256_add_ps(ax, ax));
  __m256 big = _mm256_sub_ps(set1(1.f), _mm256_div_ps(set1(2.f), _mm256_add_ps(e, set1(1.f))));
  big = _mm256_or_ps(big, _mm256_and_ps(sign, x));
  return _mm256_blendv_ps(big, small, _mm256_cmp_ps(ax, set1(0.625f), _CMP_LT_OQ));
}

inline __m256 sigmoid8(__m256 x) {
  const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(set1(1.f), _mm256_add_ps(set1(1.f), e));
}
inline __m256 relu8(__m256 x) { return _mm256_max_ps(x, _mm256_setzero_ps()); }

template <__m256 (*F)(__m256)> void mapV(int64_t n, const float* x, float* y) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));
  if (i < n) storeN(y + i, n - i, F(loadN(x + i, n - i)));
}
template <__m256 (*F)(__m256, __m256)> void zipV(int64_t n, const float* x, const float* y, float* z) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(z + i, F(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  if (i < n) storeN(z + i, n - i, F(loadN(x + i, n - i), loadN(y + i, n - i)));
}
inline __m256 reluGrad8(__m256 y, __m256 dy) {
  return _mm256_and_ps(_mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ), dy);
}
inline __m256 sigmoidGrad8(__m256 y, __m256 dy) { return _mm256_mul_ps(_mm256_mul_ps(dy, y), _mm256_sub_ps(set1(1.f), y)); }
inline __m256 tanhGrad8(__m256 y, __m256 dy) { return _mm256_mul_ps(dy, _mm256_fnmadd_ps(y, y, set1(1.f))); }
inline __m256 add8(__m256 x, __m256 y) { return _mm256_add_ps(x, y); }
inline __m256 sub8(__m256 x, __m256 y) { return _mm256_sub_ps(x, y); }
inline __m256 mul8(__m256 x, __m256 y) { return _mm256_mul_ps(x, y); }

void softmaxRows(int64_t rows, int64_t cols, const float* x, float* y, float* logOut) {
  const __m256 ninf = set1(-__builtin_inff());
  for (int64_t r = 0; r < rows; ++r, x += cols, y += cols) {
    if (cols == 0) continue;
    __m256 vmax = ninf;
    for (int64_t j = 0; j < cols; j += 8) {
      const int64_t k = cols - j;
      vmax = _mm256_max_ps(vmax, k >= 8 ? _mm256_loadu_ps(x + j) : _mm256_blendv_ps(ninf, loadN(x + j, k), _mm256_castsi256_ps(maskOf(k))));
    }
    const __m256 mx = set1(hmax(vmax));
    __m256 vs = _mm256_setzero_ps();
    for (int64_t j = 0; j < cols; j += 8) {
      const int64_t k = cols - j;
      const __m256 d = _mm256_sub_ps(loadN(x + j, k), mx);
      if (logOut) storeN(logOut + j, k, d);
      const __m256 e = exp8(d);
      vs = _mm256_add_ps(vs, k >= 8 ? e : _mm256_and_ps(e, _mm256_castsi256_ps(maskOf(k))));
      storeN(y + j, k, e);
    }
    const float s = hsum(vs);
    const __m256 inv = set1(1.f / s);
    for (int64_t j = 0; j < cols; j += 8) storeN(y + j, cols - j, _mm256_mul_ps(loadN(y + j, cols - j), inv));
    if (logOut) {
      const __m256 ls = log8(set1(s));
      for (int64_t j = 0; j < cols; j += 8) storeN(logOut + j, cols - j, _mm256_sub_ps(loadN(logOut + j, cols - j), ls));
      logOut += cols;
    }
  }
}

void softmaxGradRows(int64_t rows, int64_t cols, const float* y, const float* dy, float* dx) {
  for (int64_t r = 0; r < rows; ++r, y += cols, dy += cols, dx += cols) {
    __m256 vd = _mm256_setzero_ps();
    for (int64_t j = 0; j < cols; j += 8) vd = _mm256_fmadd_ps(loadN(dy + j, cols - j), loadN(y + j, cols - j), vd);
    const __m256 d = set1(hsum(vd));
    for (int64_t j = 0; j < cols; j += 8)
      storeN(dx + j, cols - j, _mm256_mul_ps(loadN(y + j, cols - j), _mm256_sub_ps(loadN(dy + j, cols - j), d)));
  }
}

// ---- BLAS-1 ----

void axpy(int64_t n, float a, const float* x, float* y) {
  const __m256 va = set1(a);
  for (int64_t i = 0; i < n; i += 8) storeN(y + i, n - i, _mm256_fmadd_ps(va, loadN(x + i, n - i), loadN(y + i, n - i)));
}
void scale(int64_t n, float a, const float* x, float* y) {
  const __m256 va = set1(a);
  for (int64_t i = 0; i < n; i += 8) storeN(y + i, n - i, _mm256_mul_ps(va, loadN(x + i, n - i)));
}
float dot(int64_t n, const float* x, const float* y) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), s3);
  }
  for (; i < n; i += 8) s0 = _mm256_fmadd_ps(loadN(x + i, n - i), loadN(y + i, n - i), s0);
  return hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}
float sum(int64_t n, const float* x) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_add_ps(_mm256_loadu_ps(x + i), s0);
    s1 = _mm256_add_ps(_mm256_loadu_ps(x + i + 8), s1);
    s2 = _mm256_add_ps(_mm256_loadu_ps(x + i + 16), s2);
    s3 = _mm256_add_ps(_mm256_loadu_ps(x + i + 24), s3);
  }
  for (; i < n; i += 8) s0 = _mm256_add_ps(loadN(x + i, n - i), s0);
  return hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}
void colSums(int64_t rows, int64_t cols, const float* x, int64_t ldx, float beta, float* y) {
  for (int64_t j = 0; j < cols; j += 8) {
    const int64_t k = cols - j;
    __m256 acc = beta == 0.f ? _mm256_setzero_ps() : _mm256_mul_ps(set1(beta), loadN(y + j, k));
    for (int64_t i = 0; i < rows; ++i) acc = _mm256_add_ps(acc, loadN(x + i * ldx + j, k));
    storeN(y + j, k, acc);
  }
}
void broadcastRows(int64_t rows, int64_t cols, const float* b, float* y, int64_t ldy) {
  for (int64_t i = 0; i < rows; ++i)
    if (cols) std::memcpy(y + i * ldy, b, static_cast<size_t>(cols) * sizeof(float));
}

double fmaPeakLoop(int64_t iters) {
  __m256 a[12];
  for (int i = 0; i < 12; ++i) a[i] = set1(static_cast<float>(i));
  const __m256 m = set1(0.999999f), c = set1(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
    HW_UNROLL_FULL
    for (int i = 0; i < 12; ++i) a[i] = _mm256_fmadd_ps(a[i], m, c);
  }
  __m256 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, a[i]);
  volatile float sink = hsum(s);
  (void)sink;
  return 2.0 * 8 * 12 * static_cast<double>(iters);
}

// ---- GEMM ----

// In-register 8×8 transpose: r[i] lane j -> r[j] lane i.
inline void transpose8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int h = 0; h < 2; ++h) {
    u[4 * h + 0] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0x44);
    u[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0xEE);
    u[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
    u[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xEE);
  }
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
    r[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
  }
}

// Rows [0, rowsValid) × k [0, kn) of a row-major source (row stride ld),
// transposed into out[k·ostride + row], `width` (<= 8) lanes per k, rows
// beyond rowsValid as zeros.
inline void packTransposed8(const float* src, int64_t ld, int64_t rowsValid, int64_t kn, float* out, int64_t ostride,
                            int width) {
  const __m256i wmask = maskOf(width);
  for (int64_t k0 = 0; k0 < kn; k0 += 8) {
    const int64_t kk = kn - k0 < 8 ? kn - k0 : 8;
    __m256 r[8];
    for (int i = 0; i < 8; ++i) r[i] = i < rowsValid ? loadN(src + i * ld + k0, kk) : _mm256_setzero_ps();
    transpose8(r);
    if (width == 8) {
      for (int64_t k = 0; k < kk; ++k) _mm256_storeu_ps(out + (k0 + k) * ostride, r[k]);
    } else {
      for (int64_t k = 0; k < kk; ++k) _mm256_maskstore_ps(out + (k0 + k) * ostride, wmask, r[k]);
    }
  }
}

struct Gemm {
  static constexpr int MR = 6, NR = 16;
  static constexpr int64_t KC = 256, MC = 6 * 32, NC = 4096;

  static bool useDirectA(bool, int64_t, int64_t n, int64_t) { return n <= NR; }

  static void packA(bool transA, const float* a, int64_t lda, int64_t mc, int64_t kc, float* out) {
    for (int64_t i0 = 0; i0 < mc; i0 += MR, out += kc * MR) {
      const int64_t mr = mc - i0 < MR ? mc - i0 : MR;
      if (transA) {
        const __m256i wm = maskOf(MR);
        for (int64_t k = 0; k < kc; ++k) _mm256_maskstore_ps(out + k * MR, wm, loadN(a + k * lda + i0, mr));
      } else {
        packTransposed8(a + i0 * lda, lda, mr, kc, out, MR, MR);
      }
    }
  }

  static void packB(bool transB, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* out) {
    for (int64_t j0 = 0; j0 < nc; j0 += NR, out += kc * NR) {
      const int64_t nr = nc - j0 < NR ? nc - j0 : NR;
      if (transB) {
        packTransposed8(b + j0 * ldb, ldb, nr, kc, out, NR, 8);
        packTransposed8(b + (j0 + 8) * ldb, ldb, nr - 8, kc, out + 8, NR, 8);
      } else {
        const float* src = b + j0;
        const int64_t n1 = nr > 8 ? nr - 8 : 0;
        for (int64_t k = 0; k < kc; ++k, src += ldb) {
          _mm256_store_ps(out + k * NR, n1 || nr == 8 ? _mm256_loadu_ps(src) : loadN(src, nr));
          _mm256_store_ps(out + k * NR + 8, n1 == 0 ? _mm256_setzero_ps() : loadN(src + 8, n1));
        }
      }
    }
  }

  template <bool kPacked>
  static inline void kernel(int64_t kc, const float* a, int64_t rs, int64_t ks, const float* b, float* c, int64_t ldc,
                            float alpha, float beta, int mr, int nr) {
    __m256 c0[MR], c1[MR];
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm256_setzero_ps();
    if (kPacked) {
      for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        HW_UNROLL_FULL
        for (int i = 0; i < MR; ++i) {
          const __m256 ai = _mm256_broadcast_ss(a + i);
          c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
          c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
        }
      }
    } else {
      const float* rows[MR];
      HW_UNROLL_FULL
      for (int i = 0; i < MR; ++i) rows[i] = a + (i < mr ? i : mr - 1) * rs;
      for (int64_t k = 0, off = 0; k < kc; ++k, off += ks, b += NR) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        HW_UNROLL_FULL
        for (int i = 0; i < MR; ++i) {
          const __m256 ai = _mm256_broadcast_ss(rows[i] + off);
          c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
          c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
        }
      }
    }
    const __m256 va = set1(alpha), vb = set1(beta);
    const int64_t n0 = nr < 8 ? nr : 8, n1 = nr > 8 ? nr - 8 : 0;
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) {
      if (i < mr) {
        float* ci = c + i * ldc;
        __m256 r0 = _mm256_mul_ps(c0[i], va), r1 = _mm256_mul_ps(c1[i], va);
        if (nr == NR) {
          if (beta != 0.f) {
            r0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci), r0);
            r1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci + 8), r1);
          }
          _mm256_storeu_ps(ci, r0);
          _mm256_storeu_ps(ci + 8, r1);
        } else {
          if (beta != 0.f) r0 = _mm256_fmadd_ps(vb, loadN(ci, n0), r0);
          storeN(ci, n0, r0);
          if (n1) {
            if (beta != 0.f) r1 = _mm256_fmadd_ps(vb, loadN(ci + 8, n1), r1);
            storeN(ci + 8, n1, r1);
          }
        }
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
  t->isa = Isa::Avx2;
  t->sgemm = sgemm;
  t->sgemmBiasRelu = sgemmBiasRelu;
  t->reluGradColSums = gemm::reluGradColSums<Gemm>;
  t->exp = mapV<exp8>;
  t->log = mapV<log8>;
  t->tanh = mapV<tanh8>;
  t->sigmoid = mapV<sigmoid8>;
  t->relu = mapV<relu8>;
  t->reluGrad = zipV<reluGrad8>;
  t->sigmoidGrad = zipV<sigmoidGrad8>;
  t->tanhGrad = zipV<tanhGrad8>;
  t->softmaxRows = softmaxRows;
  t->softmaxGradRows = softmaxGradRows;
  t->axpy = axpy;
  t->scale = scale;
  t->add = zipV<add8>;
  t->sub = zipV<sub8>;
  t->mul = zipV<mul8>;
  t->dot = dot;
  t->sum = sum;
  t->colSums = colSums;
  t->broadcastRows = broadcastRows;
  t->fmaPeakLoop = fmaPeakLoop;
}

}  // namespace hogwild::kernels::avx2
