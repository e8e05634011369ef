// Every SIMD level of the segment kernels and the Hogwild update kernels against the scalar
// reference: odd and round dims (1, 16, 64, 100, ...), empty segments, duplicate indices, large
// segments; the relaxed variants against the plain ones (bitwise: same arithmetic).
#include <cstring>
#include <random>
#include <vector>

#include "../kernels/hogwild_updates.h"
#include "../kernels/sparse_kernels.h"
#include "check.h"
#include "sparse_test_util.h"

using namespace hogwild;
using namespace hogwild::kernels;
using sparsetest::allClose;
using sparsetest::randomFloats;

namespace {

const int64_t kBlocks[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 257, 300};
const int64_t kCounts[] = {0, 1, 2, 5, 17, 40};
constexpr float kSentinel = -12345.f;

std::vector<int64_t> randomIndices(std::mt19937& rng, int64_t n, int64_t rows) {
  std::uniform_int_distribution<int64_t> d(0, rows - 1);
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = d(rng);
  if (n > 2) v[1] = v[0];  // a duplicate
  return v;
}
std::vector<int32_t> narrow(const std::vector<int64_t>& v) { return std::vector<int32_t>(v.begin(), v.end()); }

bool identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

}  // namespace

TEST(every_level_has_tables) {
  for (Isa isa : supportedIsas()) {
    const SparseKernels* s = sparseKernelsFor(isa);
    CHECK(s != nullptr);
    CHECK(hogwildUpdatesFor(isa, UpdateAccess::Plain) != nullptr);
    CHECK(hogwildUpdatesFor(isa, UpdateAccess::Relaxed) != nullptr);
    if (s && isa != Isa::Neon) CHECK(s->isa == isa);
  }
  CHECK(sparseKernels().isa == sparseKernelsFor(activeIsa())->isa);
  CHECK(hogwildUpdates().access == (kRelaxedUpdates ? UpdateAccess::Relaxed : UpdateAccess::Plain));
  std::fprintf(stderr, "  levels:");
  for (Isa isa : supportedIsas()) std::fprintf(stderr, " %s", isaName(isa));
  std::fprintf(stderr, "; active %s; updates %s\n", isaName(activeIsa()), kRelaxedUpdates ? "relaxed" : "plain");
}

TEST(gather_sum_every_level_matches_scalar) {
  std::mt19937 rng(1);
  const SparseKernels& ref = *sparseKernelsFor(Isa::Scalar);
  const int64_t rows = 53;
  for (Isa isa : supportedIsas()) {
    const SparseKernels& t = *sparseKernelsFor(isa);
    for (int64_t block : kBlocks) {
      const std::vector<float> data = randomFloats(rng, static_cast<size_t>(rows * block));
      for (int64_t n : kCounts) {
        const std::vector<int64_t> i64 = randomIndices(rng, n, rows);
        const std::vector<int32_t> i32 = narrow(i64);
        const std::vector<float> w = randomFloats(rng, static_cast<size_t>(n));
        for (int weighted = 0; weighted < 2; ++weighted) {
          const float* wp = weighted ? w.data() : nullptr;
          const float scale = n ? 1.f / static_cast<float>(n) : 1.f;
          // One extra element holds a sentinel: a kernel must not write past its block.
          std::vector<float> want(static_cast<size_t>(block) + 1, kSentinel), got = want, got64 = want, relaxed = want,
                                                                             relaxed64 = want;
          ref.gatherSumI32(data.data(), block, i32.data(), n, wp, scale, want.data());
          t.gatherSumI32(data.data(), block, i32.data(), n, wp, scale, got.data());
          t.gatherSumI64(data.data(), block, i64.data(), n, wp, scale, got64.data());
          t.gatherSumRelaxedI32(data.data(), block, i32.data(), n, wp, scale, relaxed.data());
          t.gatherSumRelaxedI64(data.data(), block, i64.data(), n, wp, scale, relaxed64.data());
          CHECK(allClose(got, want, 1e-5, "gatherSumI32"));
          CHECK(identical(got, got64));
          CHECK(identical(got, relaxed));
          CHECK(identical(got, relaxed64));
          CHECK(want.back() == kSentinel && got.back() == kSentinel);
          if (n == 0 && block > 0) CHECK(want[0] == 0.f && got[0] == 0.f);
        }
      }
    }
  }
}

TEST(range_sum_and_expand_rows_every_level_match_scalar) {
  std::mt19937 rng(2);
  const SparseKernels& ref = *sparseKernelsFor(Isa::Scalar);
  for (Isa isa : supportedIsas()) {
    const SparseKernels& t = *sparseKernelsFor(isa);
    for (int64_t block : kBlocks) {
      for (int64_t n : kCounts) {
        const std::vector<float> data = randomFloats(rng, static_cast<size_t>(n * block));
        std::vector<float> want(static_cast<size_t>(block) + 1, kSentinel), got = want;
        ref.rangeSum(data.data(), block, n, 0.5f, want.data());
        t.rangeSum(data.data(), block, n, 0.5f, got.data());
        CHECK(allClose(got, want, 1e-5, "rangeSum"));
        CHECK(got.back() == kSentinel);

        const std::vector<float> g = randomFloats(rng, static_cast<size_t>(block));
        const std::vector<float> w = randomFloats(rng, static_cast<size_t>(n));
        for (int weighted = 0; weighted < 2; ++weighted) {
          std::vector<float> we(static_cast<size_t>(n * block) + 1, kSentinel), ge = we;
          ref.expandRows(g.data(), block, n, weighted ? w.data() : nullptr, 0.25f, we.data());
          t.expandRows(g.data(), block, n, weighted ? w.data() : nullptr, 0.25f, ge.data());
          CHECK(identical(ge, we));  // one multiply per element: exact on every level
        }
      }
    }
  }
}

TEST(large_segment_matches_double_reference) {
  std::mt19937 rng(3);
  const int64_t rows = 5000, block = 64, n = 200000;
  const std::vector<float> data = randomFloats(rng, static_cast<size_t>(rows * block));
  const std::vector<int64_t> idx = randomIndices(rng, n, rows);
  std::vector<double> sum(static_cast<size_t>(block), 0.0);
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < block; ++j) sum[static_cast<size_t>(j)] += data[static_cast<size_t>(idx[static_cast<size_t>(k)] * block + j)];
  std::vector<float> want(sum.begin(), sum.end());
  for (auto& x : want) x /= static_cast<float>(n);
  for (Isa isa : supportedIsas()) {
    std::vector<float> got(static_cast<size_t>(block));
    sparseKernelsFor(isa)->gatherSumI64(data.data(), block, idx.data(), n, nullptr, 1.f / static_cast<float>(n), got.data());
    CHECK(allClose(got, want, 1e-4, isaName(isa)));
  }
}

// ---- Hogwild update kernels ----

namespace {

struct UpdateCase {
  int64_t rows, block, n;
  std::vector<float> p, h, m, v, g, hRow, ng;
  std::vector<int64_t> i64;
  std::vector<int32_t> i32;
};

UpdateCase makeCase(std::mt19937& rng, int64_t rows, int64_t block, int64_t n) {
  UpdateCase c;
  c.rows = rows;
  c.block = block;
  c.n = n;
  const size_t all = static_cast<size_t>(rows * block);
  c.p = randomFloats(rng, all);
  c.h = randomFloats(rng, all, 0.f, 2.f);
  c.m = randomFloats(rng, all);
  c.v = randomFloats(rng, all, 0.f, 2.f);
  c.hRow = randomFloats(rng, static_cast<size_t>(rows), 0.f, 2.f);
  c.g = randomFloats(rng, std::max(all, static_cast<size_t>(n * block)));
  c.ng = std::vector<float>(c.g.size(), 0.f);
  c.i64 = randomIndices(rng, n, rows);
  c.i32 = narrow(c.i64);
  return c;
}

// Applies every kernel of `t` to a copy of `c`; returns all outputs concatenated.
std::vector<float> applyAll(const HogwildUpdates& t, UpdateCase c) {
  std::vector<float> out;
  auto take = [&](const std::vector<float>& v) { out.insert(out.end(), v.begin(), v.end()); };
  const int64_t all = c.rows * c.block;
  {
    UpdateCase d = c;
    t.axpby(d.p.data(), d.g.data(), all, 0.9f, -0.1f);
    take(d.p);
  }
  {
    UpdateCase d = c;
    t.adagrad(d.p.data(), d.h.data(), d.g.data(), all, -0.1f, 1e-5f, 0.9f);
    take(d.p), take(d.h);
  }
  {
    UpdateCase d = c, e = c;
    t.sparseAdagradI32(d.p.data(), d.h.data(), d.block, d.i32.data(), d.n, d.g.data(), -0.1f, 1e-5f);
    t.sparseAdagradI64(e.p.data(), e.h.data(), e.block, e.i64.data(), e.n, e.g.data(), -0.1f, 1e-5f);
    CHECK(identical(d.p, e.p) && identical(d.h, e.h));
    take(d.p), take(d.h);
  }
  {
    UpdateCase d = c, e = c;
    t.rowWiseAdagradI32(d.p.data(), d.hRow.data(), d.block, d.i32.data(), d.n, d.g.data(), -0.1f, 1e-5f);
    t.rowWiseAdagradI64(e.p.data(), e.hRow.data(), e.block, e.i64.data(), e.n, e.g.data(), -0.1f, 1e-5f);
    CHECK(identical(d.p, e.p) && identical(d.hRow, e.hRow));
    take(d.p), take(d.hRow);
  }
  {
    UpdateCase d = c;
    t.adam(d.p.data(), d.m.data(), d.v.data(), d.g.data(), all, 0.9f, 0.999f, 1e-8f, -0.05f);
    take(d.p), take(d.m), take(d.v);
  }
  {
    UpdateCase d = c, e = c;
    t.sparseAdamI32(d.p.data(), d.m.data(), d.v.data(), d.block, d.i32.data(), d.n, d.g.data(), 0.9f, 0.999f, 1e-8f, -0.05f);
    t.sparseAdamI64(e.p.data(), e.m.data(), e.v.data(), e.block, e.i64.data(), e.n, e.g.data(), 0.9f, 0.999f, 1e-8f, -0.05f);
    CHECK(identical(d.p, e.p) && identical(d.m, e.m) && identical(d.v, e.v));
    take(d.p), take(d.m), take(d.v);
  }
  for (int nesterov = 0; nesterov < 2; ++nesterov) {
    UpdateCase d = c, e = c;
    t.momentumSgd(d.p.data(), d.m.data(), d.g.data(), d.ng.data(), all, 0.1f, 0.9f, nesterov);
    t.momentumSgd(e.p.data(), e.m.data(), e.g.data(), e.g.data(), all, 0.1f, 0.9f, nesterov);  // ng aliasing g
    CHECK(identical(d.p, e.p) && identical(d.m, e.m));
    CHECK(all == 0 || std::memcmp(d.ng.data(), e.g.data(), static_cast<size_t>(all) * sizeof(float)) == 0);
    take(d.p), take(d.m), take(d.ng);
  }
  {
    UpdateCase d = c, e = c;
    const std::vector<float> x2(d.g.rbegin(), d.g.rend());
    const float* xs[2] = {d.g.data(), x2.data()};
    const float ws[2] = {0.5f, -2.f};
    t.scatterWeightedSumI32(d.p.data(), d.block, d.i32.data(), d.n, 0.9f, xs, ws, 2);
    t.scatterWeightedSumI64(e.p.data(), e.block, e.i64.data(), e.n, 0.9f, xs, ws, 2);
    CHECK(identical(d.p, e.p));
    take(d.p);
    UpdateCase f = c;
    t.scatterWeightedSumI64(f.p.data(), f.block, f.i64.data(), f.n, 1.f, xs, ws, 1);  // w0 == 1: no scaling
    take(f.p);
  }
  {
    // Word vectors: the mean of rows, then per row a dot and a logistic step, then grad added back.
    UpdateCase d = c;
    std::vector<float> mean(static_cast<size_t>(d.block), 0.f);
    if (d.n > 0) t.meanRowsI32(d.p.data(), d.block, d.i32.data(), d.n, mean.data());
    take(mean);
    const std::vector<float> hidden(d.g.begin(), d.g.begin() + d.block);
    std::vector<float> grad(static_cast<size_t>(d.block), 0.f);
    for (int64_t k = 0; k < d.n; ++k) {
      float* row = d.p.data() + d.i64[static_cast<size_t>(k)] * d.block;
      const float dot = t.dotRow(row, hidden.data(), d.block);
      out.push_back(dot);
      t.logisticStep(row, hidden.data(), grad.data(), d.block, 0.1f);
    }
    t.addRowI32(d.p.data(), d.block, d.i32.data(), d.n, grad.data());
    take(d.p), take(grad);
  }
  {
    UpdateCase d = c;
    for (int64_t k = 0; k < d.n; ++k)
      t.storeRow(d.p.data() + d.i64[static_cast<size_t>(k)] * d.block, d.g.data() + k * d.block, d.block, DType::Float32);
    take(d.p);
  }
  return out;
}

}  // namespace

TEST(update_kernels_every_level_and_access_match_scalar) {
  std::mt19937 rng(4);
  const HogwildUpdates& ref = *hogwildUpdatesFor(Isa::Scalar, UpdateAccess::Plain);
  for (int64_t block : kBlocks) {
    for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{40}}) {
      const UpdateCase c = makeCase(rng, 13, block, n);
      const std::vector<float> want = applyAll(ref, c);
      for (Isa isa : supportedIsas()) {
        const std::vector<float> plain = applyAll(*hogwildUpdatesFor(isa, UpdateAccess::Plain), c);
        const std::vector<float> relaxed = applyAll(*hogwildUpdatesFor(isa, UpdateAccess::Relaxed), c);
        CHECK(allClose(plain, want, 2e-5, isaName(isa)));
        CHECK(identical(plain, relaxed));  // same arithmetic, staged or not
      }
    }
  }
}

TEST(store_row_every_dtype) {
  for (Isa isa : supportedIsas()) {
    for (UpdateAccess a : {UpdateAccess::Plain, UpdateAccess::Relaxed}) {
      const HogwildUpdates& t = *hogwildUpdatesFor(isa, a);
      double d[3] = {0, 0, 0}, ds[2] = {1.5, -2.5};
      t.storeRow(d + 1, ds, 2, DType::Float64);
      CHECK(d[0] == 0 && d[1] == 1.5 && d[2] == -2.5);
      int64_t l[2] = {0, 0}, ls[1] = {int64_t{1} << 40};
      t.storeRow(l + 1, ls, 1, DType::Int64);
      CHECK(l[0] == 0 && l[1] == (int64_t{1} << 40));
      int32_t i[2] = {0, 0}, is[2] = {-7, 9};
      t.storeRow(i, is, 2, DType::Int32);
      CHECK(i[0] == -7 && i[1] == 9);
      uint8_t b[4] = {0, 0, 0, 0}, bs[2] = {1, 1};
      t.storeRow(b + 1, bs, 2, DType::Bool);
      CHECK(b[0] == 0 && b[1] == 1 && b[2] == 1 && b[3] == 0);
    }
  }
}

TEST(sparse_adagrad_hand_computed_every_level) {
  // One row of 3, index 1 applied twice (duplicates are applied again, in order).
  for (Isa isa : supportedIsas()) {
    for (UpdateAccess a : {UpdateAccess::Plain, UpdateAccess::Relaxed}) {
      float p[6] = {0, 0, 0, 1, 2, 3}, h[6] = {0, 0, 0, 1, 1, 1};
      const int32_t idx[2] = {1, 1};
      const float g[6] = {1, 0, -1, 1, 0, -1};
      hogwildUpdatesFor(isa, a)->sparseAdagradI32(p, h, 3, idx, 2, g, -1.f, 0.f);
      // first: h = 2, p = 1 - 1/sqrt(2); second: h = 3, p -= 1/sqrt(3)
      CHECK_NEAR(h[3], 3.0, 1e-6);
      CHECK_NEAR(h[4], 1.0, 1e-6);
      CHECK_NEAR(p[3], 1.0 - 1.0 / std::sqrt(2.0) - 1.0 / std::sqrt(3.0), 1e-6);
      CHECK_NEAR(p[4], 2.0, 1e-6);
      CHECK_NEAR(p[5], 3.0 + 1.0 / std::sqrt(2.0) + 1.0 / std::sqrt(3.0), 1e-6);
      CHECK(p[0] == 0 && h[0] == 0);
    }
  }
}

HWTEST_MAIN()
