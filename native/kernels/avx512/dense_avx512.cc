// Dense kernels, AVX-512 (F/BW/DQ/VL) level. Compiled with the avx512 flags
// of native/sources.mjs only, and called only after CPUID + XGETBV said the
// CPU and OS support them. Everything except fillDenseKernels has internal
// linkage: no std:: template or inline helper is instantiated here, so none
// can leak AVX-512 code into baseline callers (ECOSYSTEM.md §3).
#include <immintrin.h>

#include <cstring>

#include "../dense_kernels.h"
#include "../gemm_driver.h"

namespace hogwild::kernels::avx512 {
namespace {

// Lanes [0, n) of a 16-lane mask, n in [0, 16].
inline __mmask16 maskOf(int64_t n) { return static_cast<__mmask16>((1u << n) - 1u); }
inline __m512 set1(float v) { return _mm512_set1_ps(v); }

// ---- Transcendentals: same reductions and polynomials as the scalar level ----

inline __m512 exp16(__m512 x) {
  const __m512 xc = _mm512_min_ps(_mm512_max_ps(x, set1(-104.f)), set1(89.f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, set1(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, set1(0.693359375f), xc);
  r = _mm512_fnmadd_ps(n, set1(-2.12194440e-4f), r);
  __m512 p = set1(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, set1(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, set1(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, set1(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, set1(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, set1(5.0000001201e-1f));
  __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), set1(1.f));
  y = _mm512_scalef_ps(y, n);  // y·2^n with correct overflow and gradual underflow
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, x);
}

inline __m512 log16(__m512 x) {
  __m512 m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);  // [1, 2), denormals too
  __m512 e = _mm512_getexp_ps(x);
  const __mmask16 big = _mm512_cmp_ps_mask(m, set1(1.41421356f), _CMP_GT_OQ);
  m = _mm512_mask_mul_ps(m, big, m, set1(0.5f));
  e = _mm512_mask_add_ps(e, big, e, set1(1.f));
  const __m512 f = _mm512_sub_ps(m, set1(1.f)), z = _mm512_mul_ps(f, f);
  __m512 y = set1(7.0376836292e-2f);
  y = _mm512_fmadd_ps(y, f, set1(-1.1514610310e-1f));
  y = _mm512_fmadd_ps(y, f, set1(1.1676998740e-1f));
  y = _mm512_fmadd_ps(y, f, set1(-1.2420140846e-1f));
  y = _mm512_fmadd_ps(y, f, set1(1.4249322787e-1f));
  y = _mm512_fmadd_ps(y, f, set1(-1.6668057665e-1f));
  y = _mm512_fmadd_ps(y, f, set1(2.0000714765e-1f));
  y = _mm512_fmadd_ps(y, f, set1(-2.4999993993e-1f));
  y = _mm512_fmadd_ps(y, f, set1(3.3333331174e-1f));
  y = _mm512_mul_ps(_mm512_mul_ps(y, f), z);
  y = _mm512_fmadd_ps(e, set1(-2.12194440e-4f), y);
  y = _mm512_fnmadd_ps(set1(0.5f), z, y);
  __m512 r = _mm512_add_ps(f, y);
  r = _mm512_fmadd_ps(e, set1(0.693359375f), r);
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), r, set1(__builtin_nanf("")));
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_EQ_OQ), r, set1(-__builtin_inff()));
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, set1(__builtin_inff()), _CMP_EQ_OQ), r, x);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), r, x);
}

inline __m512 tanh16(__m512 x) {
  const __m512 sign = set1(-0.f);
  const __m512 ax = _mm512_andnot_ps(sign, x);
  const __m512 s = _mm512_mul_ps(x, x);
  __m512 p = set1(-5.70498872745e-3f);
  p = _mm512_fmadd_ps(p, s, set1(2.06390887954e-2f));
  p = _mm512_fmadd_ps(p, s, set1(-5.37397155531e-2f));
  p = _mm512_fmadd_ps(p, s, set1(1.33314422036e-1f));
  p = _mm512_fmadd_ps(p, s, set1(-3.33332819422e-1f));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, s), x, x);
  const __m512 e = exp16(_mm512_add_ps(ax, ax));
  __m512 big = _mm512_sub_ps(set1(1.f), _mm512_div_ps(set1(2.f), _mm512_add_ps(e, set1(1.f))));
  big = _mm512_or_ps(big, _mm512_and_ps(sign, x));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, set1(0.625f), _CMP_LT_OQ), big, small);
}

inline __m512 sigmoid16(__m512 x) {
  const __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), x));
  return _mm512_div_ps(set1(1.f), _mm512_add_ps(set1(1.f), e));
}

template <__m512 (*F)(__m512)> void mapV(int64_t n, const float* x, float* y) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, F(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = maskOf(n - i);
    _mm512_mask_storeu_ps(y + i, m, F(_mm512_maskz_loadu_ps(m, x + i)));
  }
}
inline __m512 relu16(__m512 x) { return _mm512_max_ps(x, _mm512_setzero_ps()); }

template <__m512 (*F)(__m512, __m512)> void zipV(int64_t n, const float* x, const float* y, float* z) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(z + i, F(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
  if (i < n) {
    const __mmask16 m = maskOf(n - i);
    _mm512_mask_storeu_ps(z + i, m, F(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i)));
  }
}
// (y, dy) -> dx
inline __m512 reluGrad16(__m512 y, __m512 dy) {
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_GT_OQ), dy);
}
inline __m512 sigmoidGrad16(__m512 y, __m512 dy) {
  return _mm512_mul_ps(_mm512_mul_ps(dy, y), _mm512_sub_ps(set1(1.f), y));
}
inline __m512 tanhGrad16(__m512 y, __m512 dy) { return _mm512_mul_ps(dy, _mm512_fnmadd_ps(y, y, set1(1.f))); }
inline __m512 add16(__m512 x, __m512 y) { return _mm512_add_ps(x, y); }
inline __m512 sub16(__m512 x, __m512 y) { return _mm512_sub_ps(x, y); }
inline __m512 mul16(__m512 x, __m512 y) { return _mm512_mul_ps(x, y); }

void softmaxRows(int64_t rows, int64_t cols, const float* x, float* y, float* logOut) {
  const __m512 ninf = set1(-__builtin_inff());
  for (int64_t r = 0; r < rows; ++r, x += cols, y += cols) {
    if (cols == 0) continue;
    __m512 vmax = ninf;
    int64_t j = 0;
    for (; j + 16 <= cols; j += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(x + j));
    if (j < cols) vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(ninf, maskOf(cols - j), x + j));
    const __m512 mx = set1(_mm512_reduce_max_ps(vmax));
    __m512 vs = _mm512_setzero_ps();
    for (j = 0; j < cols; j += 16) {
      const __mmask16 m = maskOf(cols - j < 16 ? cols - j : 16);
      const __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + j), mx);
      if (logOut) _mm512_mask_storeu_ps(logOut + j, m, d);
      const __m512 e = exp16(d);
      vs = _mm512_mask_add_ps(vs, m, vs, e);
      _mm512_mask_storeu_ps(y + j, m, e);
    }
    const float s = _mm512_reduce_add_ps(vs);
    const __m512 inv = set1(1.f / s);
    for (j = 0; j < cols; j += 16) {
      const __mmask16 m = maskOf(cols - j < 16 ? cols - j : 16);
      _mm512_mask_storeu_ps(y + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, y + j), inv));
    }
    if (logOut) {
      const __m512 ls = log16(set1(s));
      for (j = 0; j < cols; j += 16) {
        const __mmask16 m = maskOf(cols - j < 16 ? cols - j : 16);
        _mm512_mask_storeu_ps(logOut + j, m, _mm512_sub_ps(_mm512_maskz_loadu_ps(m, logOut + j), ls));
      }
      logOut += cols;
    }
  }
}

void softmaxGradRows(int64_t rows, int64_t cols, const float* y, const float* dy, float* dx) {
  for (int64_t r = 0; r < rows; ++r, y += cols, dy += cols, dx += cols) {
    __m512 vd = _mm512_setzero_ps();
    for (int64_t j = 0; j < cols; j += 16) {
      const __mmask16 m = maskOf(cols - j < 16 ? cols - j : 16);
      vd = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, dy + j), _mm512_maskz_loadu_ps(m, y + j), vd);
    }
    const __m512 d = set1(_mm512_reduce_add_ps(vd));
    for (int64_t j = 0; j < cols; j += 16) {
      const __mmask16 m = maskOf(cols - j < 16 ? cols - j : 16);
      const __m512 vy = _mm512_maskz_loadu_ps(m, y + j);
      _mm512_mask_storeu_ps(dx + j, m, _mm512_mul_ps(vy, _mm512_sub_ps(_mm512_maskz_loadu_ps(m, dy + j), d)));
    }
  }
}

// ---- BLAS-1 ----

void axpy(int64_t n, float a, const float* x, float* y) {
  const __m512 va = set1(a);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = maskOf(n - i < 16 ? n - i : 16);
    _mm512_mask_storeu_ps(y + i, m, _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i)));
  }
}
void scale(int64_t n, float a, const float* x, float* y) {
  const __m512 va = set1(a);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = maskOf(n - i < 16 ? n - i : 16);
    _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(va, _mm512_maskz_loadu_ps(m, x + i)));
  }
}
float dot(int64_t n, const float* x, const float* y) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), s1);
    s2 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 32), _mm512_loadu_ps(y + i + 32), s2);
    s3 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 48), _mm512_loadu_ps(y + i + 48), s3);
  }
  for (; i < n; i += 16) {
    const __mmask16 m = maskOf(n - i < 16 ? n - i : 16);
    s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i), s0);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}
float sum(int64_t n, const float* x) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = _mm512_add_ps(_mm512_loadu_ps(x + i), s0);
    s1 = _mm512_add_ps(_mm512_loadu_ps(x + i + 16), s1);
    s2 = _mm512_add_ps(_mm512_loadu_ps(x + i + 32), s2);
    s3 = _mm512_add_ps(_mm512_loadu_ps(x + i + 48), s3);
  }
  for (; i < n; i += 16) s0 = _mm512_add_ps(_mm512_maskz_loadu_ps(maskOf(n - i < 16 ? n - i : 16), x + i), s0);
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}
void colSums(int64_t rows, int64_t cols, const float* x, int64_t ldx, float beta, float* y) {
  for (int64_t j = 0; j < cols; j += 16) {
    const __mmask16 m = maskOf(cols - j < 16 ? cols - j : 16);
    __m512 acc = beta == 0.f ? _mm512_setzero_ps() : _mm512_mul_ps(set1(beta), _mm512_maskz_loadu_ps(m, y + j));
    for (int64_t i = 0; i < rows; ++i) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, x + i * ldx + j));
    _mm512_mask_storeu_ps(y + j, m, acc);
  }
}
void broadcastRows(int64_t rows, int64_t cols, const float* b, float* y, int64_t ldy) {
  for (int64_t i = 0; i < rows; ++i)
    if (cols) std::memcpy(y + i * ldy, b, static_cast<size_t>(cols) * sizeof(float));
}

double fmaPeakLoop(int64_t iters) {
  __m512 a[12];
  for (int i = 0; i < 12; ++i) a[i] = set1(static_cast<float>(i));
  const __m512 m = set1(0.999999f), c = set1(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
    HW_UNROLL_FULL
    for (int i = 0; i < 12; ++i) a[i] = _mm512_fmadd_ps(a[i], m, c);
  }
  __m512 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, a[i]);
  volatile float sink = _mm512_reduce_add_ps(s);
  (void)sink;
  return 2.0 * 16 * 12 * static_cast<double>(iters);
}

// ---- GEMM ----

// In-register 16×16 transpose: r[i] lane j -> r[j] lane i.
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int c = 0; c < 4; ++c) {
    t[c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88);
    t[4 + c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xDD);
    t[8 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88);
    t[12 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xDD);
  }
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
    r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xDD);
    r[4 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0x88);
    r[12 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0xDD);
  }
}

// Writes rows [0, rowsValid) × k [0, kn) of a row-major source (row stride
// ld) transposed into out[k·ostride + lane0 + row], rows >= rowsValid as zeros,
// `width` (<= 16) lanes per k.
inline void packTransposed16(const float* src, int64_t ld, int64_t rowsValid, int64_t kn, float* out, int64_t ostride,
                             int width) {
  const __mmask16 wmask = maskOf(width);
  for (int64_t k0 = 0; k0 < kn; k0 += 16) {
    const int64_t kk = kn - k0 < 16 ? kn - k0 : 16;
    const __mmask16 km = maskOf(kk);
    __m512 r[16];
    for (int i = 0; i < 16; ++i)
      r[i] = i < rowsValid ? _mm512_maskz_loadu_ps(km, src + i * ld + k0) : _mm512_setzero_ps();
    transpose16(r);
    for (int64_t k = 0; k < kk; ++k) _mm512_mask_storeu_ps(out + (k0 + k) * ostride, wmask, r[k]);
  }
}

// MR×(16·NV) register tile: MR·NV zmm accumulators plus NV for B and one
// broadcast of A (at most 32 registers).
template <int MR_, int NV>
struct GemmT {
  static constexpr int MR = MR_, NR = 16 * NV;
  static constexpr int64_t KC = 256, MC = MR * 24, NC = 4096;

  static bool useDirectA(bool, int64_t, int64_t n, int64_t) { return n <= NR; }

  static void packA(bool transA, const float* a, int64_t lda, int64_t mc, int64_t kc, float* out) {
    for (int64_t i0 = 0; i0 < mc; i0 += MR, out += kc * MR) {
      const int64_t mr = mc - i0 < MR ? mc - i0 : MR;
      if (transA) {
        const __mmask16 lm = maskOf(mr), wm = maskOf(MR);
        for (int64_t k = 0; k < kc; ++k)
          _mm512_mask_storeu_ps(out + k * MR, wm, _mm512_maskz_loadu_ps(lm, a + k * lda + i0));
      } else {
        packTransposed16(a + i0 * lda, lda, mr, kc, out, MR, MR);
      }
    }
  }

  static void packB(bool transB, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* out) {
    for (int64_t j0 = 0; j0 < nc; j0 += NR, out += kc * NR) {
      const int64_t nr = nc - j0 < NR ? nc - j0 : NR;
      if (transB) {
        for (int v = 0; v < NV; ++v) packTransposed16(b + (j0 + 16 * v) * ldb, ldb, nr - 16 * v, kc, out + 16 * v, NR, 16);
      } else {
        __mmask16 m[NV];
        for (int v = 0; v < NV; ++v) m[v] = maskOf(nr - 16 * v >= 16 ? 16 : nr - 16 * v > 0 ? nr - 16 * v : 0);
        const float* src = b + j0;
        for (int64_t k = 0; k < kc; ++k, src += ldb)
          for (int v = 0; v < NV; ++v) _mm512_store_ps(out + k * NR + 16 * v, _mm512_maskz_loadu_ps(m[v], src + 16 * v));
      }
    }
  }

  // C tile (mr×nr of MR×NR) = alpha·A·B + beta·C, A(i, k) = a[i·rs + k·ks].
  template <bool kPacked>
  static inline void kernel(int64_t kc, const float* a, int64_t rs, int64_t ks, const float* b, float* c, int64_t ldc,
                            float alpha, float beta, int mr, int nr) {
    // The C tile is read (beta != 0) and written once per K block: start
    // fetching it now so the misses overlap the FMAs.
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) {
      if (i < mr) {
        _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
        if (NV > 1) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + NR - 1), _MM_HINT_T0);
      }
    }
    __m512 acc[MR][NV];
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) {
      HW_UNROLL_FULL
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
    }
    if (kPacked) {
      for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        __m512 bv[NV];
        HW_UNROLL_FULL
        for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(b + 16 * v);
        HW_UNROLL_FULL
        for (int i = 0; i < MR; ++i) {
          const __m512 ai = _mm512_set1_ps(a[i]);
          HW_UNROLL_FULL
          for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
      }
    } else {
      const float* rows[MR];
      HW_UNROLL_FULL
      for (int i = 0; i < MR; ++i) rows[i] = a + (i < mr ? i : mr - 1) * rs;
      for (int64_t k = 0, off = 0; k < kc; ++k, off += ks, b += NR) {
        __m512 bv[NV];
        HW_UNROLL_FULL
        for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(b + 16 * v);
        HW_UNROLL_FULL
        for (int i = 0; i < MR; ++i) {
          const __m512 ai = _mm512_set1_ps(rows[i][off]);
          HW_UNROLL_FULL
          for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
      }
    }
    __mmask16 m[NV];
    HW_UNROLL_FULL
    for (int v = 0; v < NV; ++v) m[v] = maskOf(nr - 16 * v >= 16 ? 16 : nr - 16 * v > 0 ? nr - 16 * v : 0);
    const __m512 va = set1(alpha), vb = set1(beta);
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) {
      if (i < mr) {
        float* ci = c + i * ldc;
        HW_UNROLL_FULL
        for (int v = 0; v < NV; ++v) {
          __m512 r = _mm512_mul_ps(acc[i][v], va);
          if (beta != 0.f) r = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m[v], ci + 16 * v), r);
          _mm512_mask_storeu_ps(ci + 16 * v, m[v], r);
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

using GemmWide = GemmT<14, 2>;    // 28 accumulators, 14×32 tile
using GemmNarrow = GemmT<16, 1>;  // n <= 16: 16 accumulators, 16×16 tile

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (n <= 16)
    gemm::sgemm<GemmNarrow>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else
    gemm::sgemm<GemmWide>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void sgemmBiasRelu(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                   const float* b, int64_t ldb, const float* bias, bool relu, float* c, int64_t ldc) {
  const gemm::Epilogue ep{bias, relu};
  if (n <= 16)
    gemm::sgemm<GemmNarrow>(transA, transB, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc, ep);
  else
    gemm::sgemm<GemmWide>(transA, transB, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc, ep);
}

}  // namespace

void fillDenseKernels(DenseKernels* t) {
  t->isa = Isa::Avx512;
  t->sgemm = sgemm;
  t->sgemmBiasRelu = sgemmBiasRelu;
  t->reluGradColSums = gemm::reluGradColSums<GemmWide>;
  t->exp = mapV<exp16>;
  t->log = mapV<log16>;
  t->tanh = mapV<tanh16>;
  t->sigmoid = mapV<sigmoid16>;
  t->relu = mapV<relu16>;
  t->reluGrad = zipV<reluGrad16>;
  t->sigmoidGrad = zipV<sigmoidGrad16>;
  t->tanhGrad = zipV<tanhGrad16>;
  t->softmaxRows = softmaxRows;
  t->softmaxGradRows = softmaxGradRows;
  t->axpy = axpy;
  t->scale = scale;
  t->add = zipV<add16>;
  t->sub = zipV<sub16>;
  t->mul = zipV<mul16>;
  t->dot = dot;
  t->sum = sum;
  t->colSums = colSums;
  t->broadcastRows = broadcastRows;
  t->fmaPeakLoop = fmaPeakLoop;
}

}  // namespace hogwild::kernels::avx512
