// Hogwild update kernels (hogwild_updates.h), written once for every level and both access
// modes. Included by native/kernels/<isa>/hogwild_updates.cc inside
// namespace hogwild::kernels::<isa>::racy and ::relaxed, after these are declared there:
//   using V = <that level's SparseVec>;   constexpr Isa kIsa;   constexpr bool kRelaxed;
// No include guard and no includes on purpose (one copy per level and mode; see
// sparse_segments-inl.h).
//
// ---------------------------------------------------------------------------------------------
// INTENTIONAL DATA RACES (racy variant, kRelaxed == false).
// Every function below reads and writes rows of parameters that other threads update at the same
// time, without locks, as Hogwild! prescribes (Recht et al. 2011; docs/reliability.md §3). Two threads on
// one row may lose one update or mix lanes of two; SGD-type updates tolerate that, and sparse
// models rarely collide. ISO C++ calls it undefined behaviour (docs/reliability.md §3, the racy build); it
// is confined to this file's racy copies, which are simple load-compute-store loops with no
// reasoning that depends on the stored values staying put, in their own translation units,
// built without LTO. ThreadSanitizer suppression: native/tests/tsan.supp (this namespace only).
// The relaxed variant (kRelaxed == true) does the same work with every shared access a relaxed
// atomic: defined behaviour, TSan-clean.
// ---------------------------------------------------------------------------------------------

namespace updates_detail {

constexpr int64_t kStage = 256;  // floats of a shared row staged at once (relaxed variant)
constexpr int64_t kPrefetchRows = 8;

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

// One shared scalar (a row-wise moment).
inline float loadShared(const float* p) {
  if constexpr (kRelaxed) {
    float v;
    __atomic_load(p, &v, __ATOMIC_RELAXED);
    return v;
  } else {
    return *p;
  }
}
inline void storeShared(float* p, float v) {
  if constexpr (kRelaxed) __atomic_store(p, &v, __ATOMIC_RELAXED);
  else *p = v;
}

// Runs span(rows, offset, count) over [0, n) of NS shared rows. Racy: once, on the shared memory
// itself. Relaxed: per chunk of kStage floats, on local copies loaded and stored back with relaxed
// atomics, so the arithmetic is the same SIMD code in both modes.
template <int NS, class Span>
inline void onShared(float* const (&shared)[NS], int64_t n, const Span& span) {
  if constexpr (!kRelaxed) {
    span(shared, int64_t{0}, n);
  } else {
    alignas(64) float buf[NS][kStage];
    for (int64_t c0 = 0; c0 < n; c0 += kStage) {
      const int64_t cn = imin(kStage, n - c0);
      float* local[NS];
      for (int s = 0; s < NS; ++s) {
        for (int64_t j = 0; j < cn; ++j) __atomic_load(shared[s] + c0 + j, buf[s] + j, __ATOMIC_RELAXED);
        local[s] = buf[s];
      }
      span(local, c0, cn);
      for (int s = 0; s < NS; ++s)
        for (int64_t j = 0; j < cn; ++j) __atomic_store(shared[s] + c0 + j, buf[s] + j, __ATOMIC_RELAXED);
    }
  }
}

template <class I>
inline void prefetchRow(const float* base, int64_t block, const I* idx, int64_t k, int64_t n) {
  if (k + kPrefetchRows >= n) return;
  const char* row = reinterpret_cast<const char*>(base + static_cast<int64_t>(idx[k + kPrefetchRows]) * block);
  const int64_t bytes = imin(block * 4, 512);
  for (int64_t b = 0; b < bytes; b += 64) __builtin_prefetch(row + b, 1, 3);
}

// ---- arithmetic on (possibly staged) spans; p, h, m, v are the shared ones ----

inline void axpbySpan(float* y, const float* x, int64_t n, float a, float b) {
  const V::R av = V::set1(a), bv = V::set1(b);
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    V::storeN(y + i, V::fmadd(bv, V::loadN(x + i, c), V::mul(av, V::loadN(y + i, c))), c);
  }
}

inline void adagradSpan(float* p, float* h, const float* g, int64_t n, float lr, float eps, float decay) {
  const V::R lrv = V::set1(lr), epsv = V::set1(eps), dv = V::set1(decay);
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    const V::R gv = V::loadN(g + i, c);
    const V::R hv = V::add(V::mul(dv, V::loadN(h + i, c)), V::mul(gv, gv));
    const V::R pv = V::add(V::loadN(p + i, c), V::div(V::mul(lrv, gv), V::add(V::sqrt(hv), epsv)));
    V::storeN(h + i, hv, c);
    V::storeN(p + i, pv, c);
  }
}

inline void adamSpan(float* p, float* m, float* v, const float* g, int64_t n, float b1, float b2, float eps,
                     float lrc) {
  const V::R b1v = V::set1(b1), c1v = V::set1(1.f - b1), b2v = V::set1(b2), c2v = V::set1(1.f - b2);
  const V::R epsv = V::set1(eps), lrv = V::set1(lrc);
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    const V::R gv = V::loadN(g + i, c);
    const V::R mv = V::add(V::mul(V::loadN(m + i, c), b1v), V::mul(gv, c1v));
    const V::R vv = V::add(V::mul(V::loadN(v + i, c), b2v), V::mul(V::mul(gv, gv), c2v));
    const V::R pv = V::add(V::loadN(p + i, c), V::div(V::mul(lrv, mv), V::add(V::sqrt(vv), epsv)));
    V::storeN(m + i, mv, c);
    V::storeN(v + i, vv, c);
    V::storeN(p + i, pv, c);
  }
}

inline void momentumSpan(float* p, float* m, const float* g, float* ng, int64_t n, float lr, float mu,
                         bool nesterov) {
  const V::R lrv = V::set1(lr), muv = V::set1(mu), mu1v = V::set1(1.f + mu);
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    const V::R gv = V::loadN(g + i, c), mv = V::loadN(m + i, c);
    V::R step, mNew;
    if (!nesterov) {
      mNew = step = V::add(V::mul(lrv, gv), V::mul(muv, mv));
    } else {
      mNew = V::add(V::mul(muv, mv), V::mul(lrv, gv));
      step = V::sub(V::mul(mu1v, mNew), V::mul(muv, mv));
    }
    V::storeN(m + i, mNew, c);
    V::storeN(ng + i, step, c);
    V::storeN(p + i, V::sub(V::loadN(p + i, c), step), c);
  }
}

inline float meanSquare(const float* g, int64_t n) {
  V::R acc = V::zero();
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    const V::R gv = V::loadN(g + i, c);
    acc = V::fmadd(gv, gv, acc);
  }
  return V::reduceAdd(acc) / static_cast<float>(n);
}

inline void addScaledSpan(float* p, const float* g, int64_t n, float step) {
  const V::R sv = V::set1(step);
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    V::storeN(p + i, V::add(V::loadN(p + i, c), V::mul(V::loadN(g + i, c), sv)), c);
  }
}

inline void weightedRowSpan(float* y, int64_t off, int64_t n, float w0, const float* const* xs, const float* ws,
                            int64_t nx, int64_t rowStart) {
  const V::R w0v = V::set1(w0);
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    V::R r = V::loadN(y + i, c);
    if (w0 != 1.f) r = V::mul(r, w0v);
    for (int64_t x = 0; x < nx; ++x) r = V::fmadd(V::set1(ws[x]), V::loadN(xs[x] + rowStart + off + i, c), r);
    V::storeN(y + i, r, c);
  }
}

// ---- the kernels of the table ----

void axpby(float* y, const float* x, int64_t n, float a, float b) {
  float* const shared[1] = {y};
  onShared(shared, n, [&](float* const* s, int64_t off, int64_t cnt) { axpbySpan(s[0], x + off, cnt, a, b); });
}

void adagrad(float* p, float* h, const float* g, int64_t n, float lr, float eps, float decay) {
  float* const shared[2] = {p, h};
  onShared(shared, n,
           [&](float* const* s, int64_t off, int64_t cnt) { adagradSpan(s[0], s[1], g + off, cnt, lr, eps, decay); });
}

template <class I>
void sparseAdagrad(float* p, float* h, int64_t block, const I* idx, int64_t n, const float* g, float lr, float eps) {
  for (int64_t k = 0; k < n; ++k) {
    prefetchRow(p, block, idx, k, n);
    prefetchRow(h, block, idx, k, n);
    const int64_t r = static_cast<int64_t>(idx[k]) * block;
    const float* gk = g + k * block;
    float* const shared[2] = {p + r, h + r};
    onShared(shared, block, [&](float* const* s, int64_t off, int64_t cnt) {
      adagradSpan(s[0], s[1], gk + off, cnt, lr, eps, 1.f);
    });
  }
}

template <class I>
void rowWiseAdagrad(float* p, float* h, int64_t block, const I* idx, int64_t n, const float* g, float lr, float eps) {
  if (block == 0) return;  // no columns: nothing to update (and no mean of zero squares)
  for (int64_t k = 0; k < n; ++k) {
    prefetchRow(p, block, idx, k, n);
    const int64_t row = static_cast<int64_t>(idx[k]);
    const float* gk = g + k * block;
    const float hi = loadShared(h + row) + meanSquare(gk, block);
    storeShared(h + row, hi);
    const float step = lr / (__builtin_sqrtf(hi) + eps);
    float* const shared[1] = {p + row * block};
    onShared(shared, block, [&](float* const* s, int64_t off, int64_t cnt) { addScaledSpan(s[0], gk + off, cnt, step); });
  }
}

void adam(float* p, float* m, float* v, const float* g, int64_t n, float b1, float b2, float eps, float lrc) {
  float* const shared[3] = {p, m, v};
  onShared(shared, n, [&](float* const* s, int64_t off, int64_t cnt) {
    adamSpan(s[0], s[1], s[2], g + off, cnt, b1, b2, eps, lrc);
  });
}

template <class I>
void sparseAdam(float* p, float* m, float* v, int64_t block, const I* idx, int64_t n, const float* g, float b1,
                float b2, float eps, float lrc) {
  for (int64_t k = 0; k < n; ++k) {
    prefetchRow(p, block, idx, k, n);
    prefetchRow(m, block, idx, k, n);
    prefetchRow(v, block, idx, k, n);
    const int64_t r = static_cast<int64_t>(idx[k]) * block;
    const float* gk = g + k * block;
    float* const shared[3] = {p + r, m + r, v + r};
    onShared(shared, block, [&](float* const* s, int64_t off, int64_t cnt) {
      adamSpan(s[0], s[1], s[2], gk + off, cnt, b1, b2, eps, lrc);
    });
  }
}

void momentumSgd(float* p, float* m, const float* g, float* ng, int64_t n, float lr, float mu, bool nesterov) {
  float* const shared[2] = {p, m};
  onShared(shared, n, [&](float* const* s, int64_t off, int64_t cnt) {
    momentumSpan(s[0], s[1], g + off, ng + off, cnt, lr, mu, nesterov);
  });
}

template <class I>
void scatterWeightedSum(float* x0, int64_t block, const I* idx, int64_t n, float w0, const float* const* xs,
                        const float* ws, int64_t nx) {
  for (int64_t k = 0; k < n; ++k) {
    prefetchRow(x0, block, idx, k, n);
    float* const shared[1] = {x0 + static_cast<int64_t>(idx[k]) * block};
    onShared(shared, block, [&](float* const* s, int64_t off, int64_t cnt) {
      weightedRowSpan(s[0], off, cnt, w0, xs, ws, nx, k * block);
    });
  }
}

// ---- word vectors ----

// Reads n floats of a shared row into `local` (relaxed: element-wise atomic loads), for read-only use.
inline const float* readShared(const float* shared, int64_t n, float* local) {
  if constexpr (!kRelaxed) {
    (void)n;
    (void)local;
    return shared;
  } else {
    for (int64_t j = 0; j < n; ++j) __atomic_load(shared + j, local + j, __ATOMIC_RELAXED);
    return local;
  }
}

inline float dotSpan(const float* a, const float* b, int64_t n) {
  V::R acc = V::zero();
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    acc = V::fmadd(V::loadN(a + i, c), V::loadN(b + i, c), acc);
  }
  return V::reduceAdd(acc);
}

inline void addSpan(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    V::storeN(y + i, V::add(V::loadN(y + i, c), V::loadN(x + i, c)), c);
  }
}

inline void logisticSpan(float* row, const float* hidden, float* grad, int64_t n, float alpha) {
  const V::R av = V::set1(alpha);
  for (int64_t i = 0; i < n; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, n - i));
    const V::R r = V::loadN(row + i, c);
    V::storeN(grad + i, V::fmadd(av, r, V::loadN(grad + i, c)), c);
    V::storeN(row + i, V::fmadd(av, V::loadN(hidden + i, c), r), c);
  }
}

void meanRowsI32(const float* base, int64_t block, const int32_t* idx, int64_t n, float* out) {
  alignas(64) float stage[kRelaxed ? kStage : 1];
  for (int64_t c0 = 0; c0 < block; c0 += kStage) {
    const int64_t cn = imin(kStage, block - c0);
    for (int64_t j = 0; j < cn; ++j) out[c0 + j] = 0.f;
    for (int64_t k = 0; k < n; ++k) {
      prefetchRow(base, block, idx, k, n);
      addSpan(out + c0, readShared(base + static_cast<int64_t>(idx[k]) * block + c0, cn, stage), cn);
    }
  }
  const float scale = 1.f / static_cast<float>(n);
  const V::R sv = V::set1(scale);
  for (int64_t i = 0; i < block; i += V::kW) {
    const int c = static_cast<int>(imin(V::kW, block - i));
    V::storeN(out + i, V::mul(V::loadN(out + i, c), sv), c);
  }
}

float dotRow(const float* row, const float* x, int64_t n) {
  alignas(64) float stage[kRelaxed ? kStage : 1];
  float sum = 0.f;
  for (int64_t c0 = 0; c0 < n; c0 += kStage) {
    const int64_t cn = imin(kStage, n - c0);
    sum += dotSpan(readShared(row + c0, cn, stage), x + c0, cn);
  }
  return sum;
}

void logisticStep(float* row, const float* hidden, float* grad, int64_t n, float alpha) {
  float* const shared[1] = {row};
  onShared(shared, n, [&](float* const* s, int64_t off, int64_t cnt) { logisticSpan(s[0], hidden + off, grad + off, cnt, alpha); });
}

void addRowI32(float* base, int64_t block, const int32_t* idx, int64_t n, const float* g) {
  for (int64_t k = 0; k < n; ++k) {
    prefetchRow(base, block, idx, k, n);
    float* const shared[1] = {base + static_cast<int64_t>(idx[k]) * block};
    onShared(shared, block, [&](float* const* s, int64_t off, int64_t cnt) { addSpan(s[0], g + off, cnt); });
  }
}

template <class T>
inline void storeRowAs(void* dst, const void* src, int64_t count) {
  T* d = static_cast<T*>(dst);
  const T* s = static_cast<const T*>(src);
  if constexpr (kRelaxed) {
    for (int64_t i = 0; i < count; ++i) __atomic_store(d + i, s + i, __ATOMIC_RELAXED);
  } else {
    for (int64_t i = 0; i < count; ++i) d[i] = s[i];
  }
}

void storeRow(void* dst, const void* src, int64_t count, DType dtype) {
  switch (dtype) {
    case DType::Float32: storeRowAs<float>(dst, src, count); break;
    case DType::Float64: storeRowAs<double>(dst, src, count); break;
    case DType::Int32: storeRowAs<int32_t>(dst, src, count); break;
    case DType::Int64: storeRowAs<int64_t>(dst, src, count); break;
    case DType::Uint8: storeRowAs<uint8_t>(dst, src, count); break;
    case DType::Bool: storeRowAs<uint8_t>(dst, src, count); break;  // bytes: never load a non-0/1 byte as bool
  }
}

}  // namespace updates_detail

const HogwildUpdates& updateTable() {
  static const HogwildUpdates table = [] {
    namespace d = updates_detail;
    HogwildUpdates t;
    t.isa = kIsa;
    t.access = kRelaxed ? UpdateAccess::Relaxed : UpdateAccess::Plain;
    t.axpby = &d::axpby;
    t.adagrad = &d::adagrad;
    t.sparseAdagradI32 = &d::sparseAdagrad<int32_t>;
    t.sparseAdagradI64 = &d::sparseAdagrad<int64_t>;
    t.rowWiseAdagradI32 = &d::rowWiseAdagrad<int32_t>;
    t.rowWiseAdagradI64 = &d::rowWiseAdagrad<int64_t>;
    t.adam = &d::adam;
    t.sparseAdamI32 = &d::sparseAdam<int32_t>;
    t.sparseAdamI64 = &d::sparseAdam<int64_t>;
    t.momentumSgd = &d::momentumSgd;
    t.scatterWeightedSumI32 = &d::scatterWeightedSum<int32_t>;
    t.scatterWeightedSumI64 = &d::scatterWeightedSum<int64_t>;
    t.storeRow = &d::storeRow;
    t.meanRowsI32 = &d::meanRowsI32;
    t.dotRow = &d::dotRow;
    t.logisticStep = &d::logisticStep;
    t.addRowI32 = &d::addRowI32;
    return t;
  }();
  return table;
}
