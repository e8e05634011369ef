// The dense kernels (dense_kernels.h), written once for every level over a
// vector trait. Included by native/kernels/<isa>/dense_<isa>.cc inside
//   namespace hogwild::kernels::<isa> { namespace { using V = DenseVec; #include ... } }
// so each level gets its own private copy, compiled with that folder's flags
// only (ODR / illegal-instruction safety: docs/kernels.md). No include guard
// and no includes on purpose; the including TU includes gemm_driver.h first.
//
// V (a level's DenseVec, <isa>/dense_vec.h) provides: R (a vector of kW
// floats), Mk (a lane mask); zero, set1, load, store, loadN/storeN (lanes
// [0, n), n in [1, kW], the rest neither read nor written); add, sub, mul,
// div, fmadd(a, b, c) = a·b + c, fnmadd(a, b, c) = c − a·b, min, max (x86
// semantics: the second operand when either is NaN); lt, gt, eq, isNan,
// laneMask(n), select(m, ifTrue, ifFalse); abs, copySign, roundNearest;
// ldexp(y, n) = y·2^n for integral n in [-150, 128]; frexp1(x, e) = the
// mantissa in [1, 2) with e the exponent (denormals too); reduceAdd,
// reduceMax; for kW >= 4, unpackLo/unpackHi (interleave the low / high lane
// pairs of each 128-bit block), lo64/hi64 (join the low / high 64-bit halves
// of each block) and swapBlocks (the 128-bit block step of a kW × kW
// transpose); prefetch(p); and
// the GEMM shape: kMR × kNV vectors (the register tile), kNarrowMR (a
// kMR × 1-vector tile for n <= kW, 0 for none), kMcPanels (MR panels of A per
// L2 block).

using R = V::R;
constexpr int kW = V::kW;

// Lanes of the vector starting at i in [0, n).
inline int lanesAt(int64_t n, int64_t i) { return n - i < kW ? static_cast<int>(n - i) : kW; }

// ---- Transcendentals (Cephes-derived; errors in dense_kernels.h) ----

inline R expV(R x) {
  const R xc = V::min(V::max(x, V::set1(-104.f)), V::set1(89.f));
  const R n = V::roundNearest(V::mul(xc, V::set1(1.44269504088896341f)));
  R r = V::fnmadd(n, V::set1(0.693359375f), xc);
  r = V::fnmadd(n, V::set1(-2.12194440e-4f), r);
  R p = V::set1(1.9875691500e-4f);
  p = V::fmadd(p, r, V::set1(1.3981999507e-3f));
  p = V::fmadd(p, r, V::set1(8.3334519073e-3f));
  p = V::fmadd(p, r, V::set1(4.1665795894e-2f));
  p = V::fmadd(p, r, V::set1(1.6666665459e-1f));
  p = V::fmadd(p, r, V::set1(5.0000001201e-1f));
  const R y = V::add(V::fmadd(p, V::mul(r, r), r), V::set1(1.f));
  return V::select(V::isNan(x), x, V::ldexp(y, n));  // ldexp: overflow to inf, gradual underflow
}

inline R logV(R x) {
  R e;
  R m = V::frexp1(x, e);  // x = m·2^e, m in [1, 2)
  const auto big = V::gt(m, V::set1(1.41421356f));
  m = V::select(big, V::mul(m, V::set1(0.5f)), m);
  e = V::select(big, V::add(e, V::set1(1.f)), e);
  const R f = V::sub(m, V::set1(1.f)), z = V::mul(f, f);
  R y = V::set1(7.0376836292e-2f);
  y = V::fmadd(y, f, V::set1(-1.1514610310e-1f));
  y = V::fmadd(y, f, V::set1(1.1676998740e-1f));
  y = V::fmadd(y, f, V::set1(-1.2420140846e-1f));
  y = V::fmadd(y, f, V::set1(1.4249322787e-1f));
  y = V::fmadd(y, f, V::set1(-1.6668057665e-1f));
  y = V::fmadd(y, f, V::set1(2.0000714765e-1f));
  y = V::fmadd(y, f, V::set1(-2.4999993993e-1f));
  y = V::fmadd(y, f, V::set1(3.3333331174e-1f));
  y = V::mul(V::mul(y, f), z);
  y = V::fmadd(e, V::set1(-2.12194440e-4f), y);
  y = V::fnmadd(V::set1(0.5f), z, y);
  R r = V::fmadd(e, V::set1(0.693359375f), V::add(f, y));
  const R zero = V::zero();
  r = V::select(V::lt(x, zero), V::set1(__builtin_nanf("")), r);
  r = V::select(V::eq(x, zero), V::set1(-__builtin_inff()), r);
  r = V::select(V::eq(x, V::set1(__builtin_inff())), x, r);
  return V::select(V::isNan(x), x, r);
}

// Polynomial below |x| = 0.625, 1 − 2/(e^2|x| + 1) above.
inline R tanhV(R x) {
  const R ax = V::abs(x);
  const R s = V::mul(x, x);
  R p = V::set1(-5.70498872745e-3f);
  p = V::fmadd(p, s, V::set1(2.06390887954e-2f));
  p = V::fmadd(p, s, V::set1(-5.37397155531e-2f));
  p = V::fmadd(p, s, V::set1(1.33314422036e-1f));
  p = V::fmadd(p, s, V::set1(-3.33332819422e-1f));
  const R small = V::fmadd(V::mul(p, s), x, x);
  const R e = expV(V::add(ax, ax));
  const R big = V::copySign(V::sub(V::set1(1.f), V::div(V::set1(2.f), V::add(e, V::set1(1.f)))), x);
  return V::select(V::lt(ax, V::set1(0.625f)), small, big);
}

inline R sigmoidV(R x) { return V::div(V::set1(1.f), V::add(V::set1(1.f), expV(V::sub(V::zero(), x)))); }
inline R reluV(R x) { return V::select(V::gt(x, V::zero()), x, V::zero()); }  // NaN -> 0

// (y, dy) -> dx
inline R reluGradV(R y, R dy) { return V::select(V::gt(y, V::zero()), dy, V::zero()); }
inline R sigmoidGradV(R y, R dy) { return V::mul(V::mul(dy, y), V::sub(V::set1(1.f), y)); }
inline R tanhGradV(R y, R dy) { return V::mul(dy, V::fnmadd(y, y, V::set1(1.f))); }

template <R (*F)(R)> void mapV(int64_t n, const float* x, float* y) {
  int64_t i = 0;
  for (; i + kW <= n; i += kW) V::store(y + i, F(V::load(x + i)));
  if (i < n) V::storeN(y + i, F(V::loadN(x + i, lanesAt(n, i))), lanesAt(n, i));
}
template <R (*F)(R, R)> void zipV(int64_t n, const float* x, const float* y, float* z) {
  int64_t i = 0;
  for (; i + kW <= n; i += kW) V::store(z + i, F(V::load(x + i), V::load(y + i)));
  if (i < n) {
    const int c = lanesAt(n, i);
    V::storeN(z + i, F(V::loadN(x + i, c), V::loadN(y + i, c)), c);
  }
}

// ---- Softmax ----

void softmaxRows(int64_t rows, int64_t cols, const float* x, float* y, float* logOut) {
  const R ninf = V::set1(-__builtin_inff());
  for (int64_t r = 0; r < rows; ++r, x += cols, y += cols) {
    if (cols == 0) continue;
    R vmax = ninf;
    for (int64_t j = 0; j < cols; j += kW) {
      const int c = lanesAt(cols, j);
      vmax = V::max(vmax, c == kW ? V::load(x + j) : V::select(V::laneMask(c), V::loadN(x + j, c), ninf));
    }
    const R mx = V::set1(V::reduceMax(vmax));
    R vs = V::zero();
    for (int64_t j = 0; j < cols; j += kW) {
      const int c = lanesAt(cols, j);
      const R d = V::sub(V::loadN(x + j, c), mx);
      if (logOut) V::storeN(logOut + j, d, c);  // finished below (x may alias y)
      const R e = expV(d);
      vs = V::add(vs, c == kW ? e : V::select(V::laneMask(c), e, V::zero()));
      V::storeN(y + j, e, c);
    }
    const float s = V::reduceAdd(vs);
    const R inv = V::set1(1.f / s);
    for (int64_t j = 0; j < cols; j += kW) V::storeN(y + j, V::mul(V::loadN(y + j, lanesAt(cols, j)), inv), lanesAt(cols, j));
    if (logOut) {
      const R ls = logV(V::set1(s));
      for (int64_t j = 0; j < cols; j += kW)
        V::storeN(logOut + j, V::sub(V::loadN(logOut + j, lanesAt(cols, j)), ls), lanesAt(cols, j));
      logOut += cols;
    }
  }
}

void softmaxGradRows(int64_t rows, int64_t cols, const float* y, const float* dy, float* dx) {
  for (int64_t r = 0; r < rows; ++r, y += cols, dy += cols, dx += cols) {
    R vd = V::zero();
    for (int64_t j = 0; j < cols; j += kW) vd = V::fmadd(V::loadN(dy + j, lanesAt(cols, j)), V::loadN(y + j, lanesAt(cols, j)), vd);
    const R d = V::set1(V::reduceAdd(vd));
    for (int64_t j = 0; j < cols; j += kW) {
      const int c = lanesAt(cols, j);
      V::storeN(dx + j, V::mul(V::loadN(y + j, c), V::sub(V::loadN(dy + j, c), d)), c);
    }
  }
}

// ---- BLAS-1 ----

void axpy(int64_t n, float a, const float* x, float* y) {
  const R va = V::set1(a);
  for (int64_t i = 0; i < n; i += kW) {
    const int c = lanesAt(n, i);
    V::storeN(y + i, V::fmadd(va, V::loadN(x + i, c), V::loadN(y + i, c)), c);
  }
}
void scale(int64_t n, float a, const float* x, float* y) {
  const R va = V::set1(a);
  for (int64_t i = 0; i < n; i += kW) V::storeN(y + i, V::mul(va, V::loadN(x + i, lanesAt(n, i))), lanesAt(n, i));
}
inline R addV(R x, R y) { return V::add(x, y); }
inline R subV(R x, R y) { return V::sub(x, y); }
inline R mulV(R x, R y) { return V::mul(x, y); }

// Four accumulators hide the add latency.
float dot(int64_t n, const float* x, const float* y) {
  R s[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
  int64_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW)
    for (int u = 0; u < 4; ++u) s[u] = V::fmadd(V::load(x + i + u * kW), V::load(y + i + u * kW), s[u]);
  for (; i < n; i += kW) s[0] = V::fmadd(V::loadN(x + i, lanesAt(n, i)), V::loadN(y + i, lanesAt(n, i)), s[0]);
  return V::reduceAdd(V::add(V::add(s[0], s[1]), V::add(s[2], s[3])));
}
float sum(int64_t n, const float* x) {
  R s[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
  int64_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW)
    for (int u = 0; u < 4; ++u) s[u] = V::add(V::load(x + i + u * kW), s[u]);
  for (; i < n; i += kW) s[0] = V::add(V::loadN(x + i, lanesAt(n, i)), s[0]);
  return V::reduceAdd(V::add(V::add(s[0], s[1]), V::add(s[2], s[3])));
}
void colSums(int64_t rows, int64_t cols, const float* x, int64_t ldx, float beta, float* y) {
  for (int64_t j = 0; j < cols; j += kW) {
    const int c = lanesAt(cols, j);
    R acc = beta == 0.f ? V::zero() : V::mul(V::set1(beta), V::loadN(y + j, c));
    for (int64_t i = 0; i < rows; ++i) acc = V::add(acc, V::loadN(x + i * ldx + j, c));
    V::storeN(y + j, acc, c);
  }
}
void broadcastRows(int64_t rows, int64_t cols, const float* b, float* y, int64_t ldy) {
  for (int64_t i = 0; i < rows; ++i)
    if (cols) __builtin_memcpy(y + i * ldy, b, static_cast<size_t>(cols) * sizeof(float));
}

double fmaPeakLoop(int64_t iters) {
  R a[12];
  for (int i = 0; i < 12; ++i) a[i] = V::set1(static_cast<float>(i));
  const R m = V::set1(0.999999f), c = V::set1(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
    HW_UNROLL_FULL
    for (int i = 0; i < 12; ++i) a[i] = V::fmadd(a[i], m, c);
  }
  R s = a[0];
  for (int i = 1; i < 12; ++i) s = V::add(s, a[i]);
  volatile float sink = V::reduceAdd(s);
  (void)sink;
  return 2.0 * kW * 12 * static_cast<double>(iters);
}

// ---- GEMM: packing and the MR × (kW·NV) register tile for gemm_driver.h ----

// `width` floats at dst: the first `valid` from src, zeros after.
inline void copyPadded(const float* src, int64_t valid, float* dst, int64_t width) {
  for (int64_t j = 0; j < width; j += kW) {
    const int c = lanesAt(width, j);
    V::storeN(dst + j, j < valid ? V::loadN(src + j, valid - j < c ? static_cast<int>(valid - j) : c) : V::zero(), c);
  }
}

// In-register kW × kW transpose (r[i] lane j -> r[j] lane i): a 4×4
// transpose inside each 128-bit block, then the blocks swapped. A template so
// the one-lane level, which has nothing to do, needs none of these.
template <class T> inline void transpose(typename T::R* r) {
  if constexpr (T::kW >= 4) {
    for (int q = 0; q < T::kW; q += 4) {
      const R t0 = T::unpackLo(r[q], r[q + 1]), t1 = T::unpackHi(r[q], r[q + 1]);
      const R t2 = T::unpackLo(r[q + 2], r[q + 3]), t3 = T::unpackHi(r[q + 2], r[q + 3]);
      r[q] = T::lo64(t0, t2);
      r[q + 1] = T::hi64(t0, t2);
      r[q + 2] = T::lo64(t1, t3);
      r[q + 3] = T::hi64(t1, t3);
    }
    T::swapBlocks(r);
  }
}

// Rows [0, rowsValid) × k [0, kn) of a row-major source (row stride ld),
// transposed into out[k·ostride + row], `width` (<= kW) lanes per k, rows
// beyond rowsValid as zeros: kW × kW blocks through registers.
inline void packTransposed(const float* src, int64_t ld, int64_t rowsValid, int64_t kn, float* out, int64_t ostride,
                           int width) {
  for (int64_t k0 = 0; k0 < kn; k0 += kW) {
    const int kk = lanesAt(kn, k0);
    R r[kW];
    // Full blocks (the common case) with constant trip counts, so r stays in registers.
    if (kk == kW && rowsValid >= kW) {
      HW_UNROLL_FULL
      for (int i = 0; i < kW; ++i) r[i] = V::load(src + i * ld + k0);
    } else {
      for (int i = 0; i < kW; ++i) r[i] = i < rowsValid ? V::loadN(src + i * ld + k0, kk) : V::zero();
    }
    transpose<V>(r);
    if (kk == kW) {
      HW_UNROLL_FULL
      for (int k = 0; k < kW; ++k) V::storeN(out + (k0 + k) * ostride, r[k], width);
    } else {
      for (int k = 0; k < kk; ++k) V::storeN(out + (k0 + k) * ostride, r[k], width);
    }
  }
}

template <int MR_, int NV>
struct GemmT {
  static constexpr int MR = MR_, NR = kW * NV;
  static constexpr int64_t KC = 256, MC = MR * V::kMcPanels, NC = 4096 / NR * NR;

  static bool useDirectA(bool, int64_t, int64_t n, int64_t) { return n <= NR; }

  static void packA(bool transA, const float* a, int64_t lda, int64_t mc, int64_t kc, float* out) {
    for (int64_t i0 = 0; i0 < mc; i0 += MR, out += kc * MR) {
      const int64_t mr = mc - i0 < MR ? mc - i0 : MR;
      if (transA) {
        for (int64_t k = 0; k < kc; ++k) copyPadded(a + k * lda + i0, mr, out + k * MR, MR);
      } else {
        for (int g = 0; g * kW < MR; ++g)
          packTransposed(a + (i0 + g * kW) * lda, lda, mr - g * kW, kc, out + g * kW, MR, MR - g * kW < kW ? MR - g * kW : kW);
      }
    }
  }

  static void packB(bool transB, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* out) {
    for (int64_t j0 = 0; j0 < nc; j0 += NR, out += kc * NR) {
      const int64_t nr = nc - j0 < NR ? nc - j0 : NR;
      if (transB) {
        for (int v = 0; v < NV; ++v) packTransposed(b + (j0 + v * kW) * ldb, ldb, nr - v * kW, kc, out + v * kW, NR, kW);
      } else {
        for (int64_t k = 0; k < kc; ++k) copyPadded(b + k * ldb + j0, nr, out + k * NR, NR);
      }
    }
  }

  // C tile (mr×nr of MR×NR) = alpha·A·B + beta·C, A(i, k) = a[i·rs + k·ks].
  template <bool kPacked>
  static inline void kernel(int64_t kc, const float* a, int64_t rs, int64_t ks, const float* b, float* c, int64_t ldc,
                            float alpha, float beta, int mr, int nr) {
    // C is read (beta != 0) and written once per K block: start fetching it
    // now so the misses overlap the FMAs.
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) {
      if (i < mr) {
        V::prefetch(c + i * ldc);
        if (NV > 1) V::prefetch(c + i * ldc + NR - 1);
      }
    }
    R acc[MR][NV];
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) {
      HW_UNROLL_FULL
      for (int v = 0; v < NV; ++v) acc[i][v] = V::zero();
    }
    if (kPacked) {
      for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        R bv[NV];
        HW_UNROLL_FULL
        for (int v = 0; v < NV; ++v) bv[v] = V::load(b + kW * v);
        HW_UNROLL_FULL
        for (int i = 0; i < MR; ++i) {
          const R ai = V::set1(a[i]);
          HW_UNROLL_FULL
          for (int v = 0; v < NV; ++v) acc[i][v] = V::fmadd(ai, bv[v], acc[i][v]);
        }
      }
    } else {
      const float* rows[MR];
      HW_UNROLL_FULL
      for (int i = 0; i < MR; ++i) rows[i] = a + (i < mr ? i : mr - 1) * rs;
      for (int64_t k = 0, off = 0; k < kc; ++k, off += ks, b += NR) {
        R bv[NV];
        HW_UNROLL_FULL
        for (int v = 0; v < NV; ++v) bv[v] = V::load(b + kW * v);
        HW_UNROLL_FULL
        for (int i = 0; i < MR; ++i) {
          const R ai = V::set1(rows[i][off]);
          HW_UNROLL_FULL
          for (int v = 0; v < NV; ++v) acc[i][v] = V::fmadd(ai, bv[v], acc[i][v]);
        }
      }
    }
    const R va = V::set1(alpha), vb = V::set1(beta);
    HW_UNROLL_FULL
    for (int i = 0; i < MR; ++i) {
      if (i >= mr) continue;
      float* ci = c + i * ldc;
      HW_UNROLL_FULL
      for (int v = 0; v < NV; ++v) {
        const int n = nr - kW * v >= kW ? kW : nr - kW * v;
        if (n <= 0) continue;
        R r = V::mul(acc[i][v], va);
        if (beta != 0.f) r = V::fmadd(vb, V::loadN(ci + kW * v, n), r);
        V::storeN(ci + kW * v, r, n);
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

using GemmWide = GemmT<V::kMR, V::kNV>;
// n <= kW: a taller one-vector tile where the level has the registers for it.
using GemmNarrow = GemmT<(V::kNarrowMR > 0 ? V::kNarrowMR : V::kMR), 1>;

void sgemmEp(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
             const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const gemm::Epilogue& ep) {
  if (V::kNarrowMR > 0 && n <= kW)
    gemm::sgemm<GemmNarrow>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
  else
    gemm::sgemm<GemmWide>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
}
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  sgemmEp(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, gemm::Epilogue{});
}
void sgemmBiasRelu(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                   const float* b, int64_t ldb, const float* bias, bool relu, float* c, int64_t ldc) {
  sgemmEp(transA, transB, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc, gemm::Epilogue{bias, relu});
}

// dz = dy·(y > 0) and db = column sums of dz, one pass over dY.
void reluGradColSums(int64_t rows, int64_t cols, const float* y, const float* dy, float* dz, float* db) {
  for (int64_t j = 0; j < cols; j += kW) V::storeN(db + j, V::zero(), lanesAt(cols, j));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; j += kW) {
      const int c = lanesAt(cols, j);
      const R g = reluGradV(V::loadN(y + i * cols + j, c), V::loadN(dy + i * cols + j, c));
      V::storeN(dz + i * cols + j, g, c);
      V::storeN(db + j, V::add(V::loadN(db + j, c), g), c);
    }
}

// The GEMM's inner loops alone: `reps` sweeps of the register tile over `tiles`
// packed A panels (an L2 block, as the driver streams them) against one packed
// B panel (L1), kc deep, into one C tile. No packing and no C traffic beyond
// one tile, so its rate against fmaPeakLoop's separates the tile from the
// blocking. Uses sgemm's packing buffers; returns the flops done.
double gemmTileLoop(int64_t tiles, int64_t kc, int64_t reps) {
  using G = GemmWide;
  float* a = gemm::packBuffer<G>(0, static_cast<size_t>(tiles * kc * G::MR));
  float* b = gemm::packBuffer<G>(1, static_cast<size_t>(kc * G::NR));
  for (int64_t i = 0; i < tiles * kc * G::MR; ++i) a[i] = 1e-3f * static_cast<float>(i % 7);
  for (int64_t i = 0; i < kc * G::NR; ++i) b[i] = 1e-3f * static_cast<float>(i % 5);
  alignas(64) float c[G::MR * G::NR] = {};
  for (int64_t r = 0; r < reps; ++r)
    for (int64_t t = 0; t < tiles; ++t) G::kernelPacked(kc, a + t * kc * G::MR, b, c, G::NR, 1.f, 1.f, G::MR, G::NR);
  volatile float sink = c[0];
  (void)sink;
  return 2.0 * G::MR * G::NR * static_cast<double>(kc * tiles * reps);
}

// Every entry of the table from this level's copy of the code above.
void fillFromVec(DenseKernels* t) {
  t->sgemm = sgemm;
  t->sgemmBiasRelu = sgemmBiasRelu;
  t->reluGradColSums = reluGradColSums;
  t->exp = mapV<expV>;
  t->log = mapV<logV>;
  t->tanh = mapV<tanhV>;
  t->sigmoid = mapV<sigmoidV>;
  t->relu = mapV<reluV>;
  t->reluGrad = zipV<reluGradV>;
  t->sigmoidGrad = zipV<sigmoidGradV>;
  t->tanhGrad = zipV<tanhGradV>;
  t->softmaxRows = softmaxRows;
  t->softmaxGradRows = softmaxGradRows;
  t->axpy = axpy;
  t->scale = scale;
  t->add = zipV<addV>;
  t->sub = zipV<subV>;
  t->mul = zipV<mulV>;
  t->dot = dot;
  t->sum = sum;
  t->colSums = colSums;
  t->broadcastRows = broadcastRows;
  t->fmaPeakLoop = fmaPeakLoop;
  t->gemmTileLoop = gemmTileLoop;
}
