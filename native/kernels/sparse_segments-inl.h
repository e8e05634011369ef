// SIMD segment kernels (sparse_kernels.h), written once for every vector level. Included by
// native/kernels/<isa>/sparse_segments.cc INSIDE namespace hogwild::kernels::<isa>, after that
// level's `SparseVec` (sparse_vec.h) and `constexpr Isa kIsa` are declared. No include guard and
// no includes on purpose: each level gets its own copy, so nothing compiled with one level's
// flags can be shared with (and run on) another through the linker.
//
// A segment sums rows of `block` floats. Rows are walked in column chunks of up to kMaxVecs
// registers, which stay in registers across all the rows of the segment; the next rows are
// prefetched kPrefetchRows ahead (the rows of a sparse lookup are random in a large table).

namespace segments_detail {

constexpr int kMaxVecs = 8;
constexpr int64_t kPrefetchRows = 16;

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

// One chunk [c0, c0 + cw) of the output, NV vectors wide ((NV - 1) * kW < cw <= NV * kW).
template <bool kWeighted, bool kRelaxed, int NV, class RowAt>
inline void sumChunk(const RowAt& rowAt, int64_t n, const float* w, float scale, int64_t c0, int64_t cw,
                     float* out) {
  using V = SparseVec;
  typename V::R acc[NV];
  for (int v = 0; v < NV; ++v) acc[v] = V::zero();
  const typename V::M tail = V::mask(static_cast<int>(cw - (NV - 1) * V::kW));
  alignas(64) float stage[NV * V::kW];
  for (int64_t k = 0; k < n; ++k) {
    if (k + kPrefetchRows < n) {
      const char* ahead = reinterpret_cast<const char*>(rowAt(k + kPrefetchRows) + c0);
      for (int64_t b = 0; b < cw * 4; b += 64) __builtin_prefetch(ahead + b, 0, 3);
    }
    const float* row = rowAt(k) + c0;
    if constexpr (kRelaxed) {
      // The row may be a parameter other threads update: copy it with relaxed atomic loads.
      for (int64_t j = 0; j < cw; ++j) __atomic_load(row + j, stage + j, __ATOMIC_RELAXED);
      row = stage;
    }
    if constexpr (kWeighted) {
      const typename V::R s = V::set1(w[k]);
      for (int v = 0; v < NV - 1; ++v) acc[v] = V::fmadd(V::load(row + v * V::kW), s, acc[v]);
      acc[NV - 1] = V::fmadd(V::loadMask(row + (NV - 1) * V::kW, tail), s, acc[NV - 1]);
    } else {
      for (int v = 0; v < NV - 1; ++v) acc[v] = V::add(acc[v], V::load(row + v * V::kW));
      acc[NV - 1] = V::add(acc[NV - 1], V::loadMask(row + (NV - 1) * V::kW, tail));
    }
  }
  const typename V::R s = V::set1(scale);
  for (int v = 0; v < NV - 1; ++v) V::store(out + c0 + v * V::kW, V::mul(acc[v], s));
  V::storeMask(out + c0 + (NV - 1) * V::kW, V::mul(acc[NV - 1], s), tail);
}

template <bool kWeighted, bool kRelaxed, class RowAt>
inline void sumRows(const RowAt& rowAt, int64_t block, int64_t n, const float* w, float scale, float* out) {
  constexpr int64_t kChunk = int64_t{kMaxVecs} * SparseVec::kW;
  for (int64_t c0 = 0; c0 < block; c0 += kChunk) {
    const int64_t cw = imin(kChunk, block - c0);
    switch ((cw + SparseVec::kW - 1) / SparseVec::kW) {
      case 1: sumChunk<kWeighted, kRelaxed, 1>(rowAt, n, w, scale, c0, cw, out); break;
      case 2: sumChunk<kWeighted, kRelaxed, 2>(rowAt, n, w, scale, c0, cw, out); break;
      case 3: sumChunk<kWeighted, kRelaxed, 3>(rowAt, n, w, scale, c0, cw, out); break;
      case 4: sumChunk<kWeighted, kRelaxed, 4>(rowAt, n, w, scale, c0, cw, out); break;
      case 5: sumChunk<kWeighted, kRelaxed, 5>(rowAt, n, w, scale, c0, cw, out); break;
      case 6: sumChunk<kWeighted, kRelaxed, 6>(rowAt, n, w, scale, c0, cw, out); break;
      case 7: sumChunk<kWeighted, kRelaxed, 7>(rowAt, n, w, scale, c0, cw, out); break;
      default: sumChunk<kWeighted, kRelaxed, kMaxVecs>(rowAt, n, w, scale, c0, cw, out); break;
    }
  }
}

template <class I, bool kRelaxed>
void gatherSum(const float* data, int64_t block, const I* idx, int64_t n, const float* w, float scale,
               float* out) {
  const auto rowAt = [data, block, idx](int64_t k) { return data + static_cast<int64_t>(idx[k]) * block; };
  if (w) sumRows<true, kRelaxed>(rowAt, block, n, w, scale, out);
  else sumRows<false, kRelaxed>(rowAt, block, n, nullptr, scale, out);
}

void rangeSum(const float* data, int64_t block, int64_t n, float scale, float* out) {
  const auto rowAt = [data, block](int64_t k) { return data + k * block; };
  sumRows<false, false>(rowAt, block, n, nullptr, scale, out);
}

void expandRows(const float* g, int64_t block, int64_t n, const float* w, float scale, float* out) {
  using V = SparseVec;
  for (int64_t k = 0; k < n; ++k) {
    const typename V::R s = V::set1(w ? scale * w[k] : scale);
    float* row = out + k * block;
    for (int64_t j = 0; j < block; j += V::kW) {
      const int c = static_cast<int>(imin(V::kW, block - j));
      V::storeN(row + j, V::mul(V::loadN(g + j, c), s), c);
    }
  }
}

}  // namespace segments_detail

const SparseKernels& sparseTable() {
  static const SparseKernels table = [] {
    SparseKernels t;
    t.isa = kIsa;
    t.gatherSumI32 = &segments_detail::gatherSum<int32_t, false>;
    t.gatherSumI64 = &segments_detail::gatherSum<int64_t, false>;
    t.gatherSumRelaxedI32 = &segments_detail::gatherSum<int32_t, true>;
    t.gatherSumRelaxedI64 = &segments_detail::gatherSum<int64_t, true>;
    t.rangeSum = &segments_detail::rangeSum;
    t.expandRows = &segments_detail::expandRows;
    return t;
  }();
  return table;
}
