// Every dense kernel on every SIMD level this machine runs, against a
// double-precision reference (and the scalar level): odd sizes and tails,
// unaligned views, padded strides, zero-length and one-element inputs, large
// inputs, special values. GEMM is checked exactly on small-integer data
// (every partial sum is exact, so FMA and summation order cannot change it)
// and with tolerances on random data.
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "../kernels/dense_kernels.h"
#include "check.h"

using namespace hogwild;
using namespace hogwild::kernels;

namespace {

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint32_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<uint32_t>(s >> 16);
  }
  float uniform(float lo, float hi) { return lo + (hi - lo) * (next() & 0xffffff) / 16777216.f; }
  int small() { return static_cast<int>(next() % 9) - 4; }  // [-4, 4]
};

std::vector<const DenseKernels*> levels() {
  std::vector<const DenseKernels*> out;
  for (Isa c : compiledIsas())
    for (Isa s : supportedIsas())
      if (c == s) out.push_back(&denseKernelsFor(c));
  return out;
}

// Units in the last place of `ref` as a float (denormal floor 2^-149).
double ulpOf(double ref) {
  double a = std::fabs(ref);
  if (a < FLT_MIN) return std::ldexp(1.0, -149);
  int e;
  std::frexp(a, &e);
  return std::ldexp(1.0, e - 24);
}

// Reference GEMM in double on the stored (possibly transposed) operands.
void refGemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const float* a, int64_t lda,
             const float* b, int64_t ldb, double beta, std::vector<double>& c, const std::vector<float>& c0, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) s += double(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
      double prev = beta == 0 ? 0 : beta * c0[i * ldc + j];
      c[i * ldc + j] = alpha * s + prev;
    }
}

// One GEMM case: operands stored with padded strides and a `shift`-float
// misalignment; checks the m×n block and that the padding is untouched.
// `exact`: small-integer data, compared for equality.
bool gemmCase(const DenseKernels& K, bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, float beta,
              bool exact, int shift, Rng& rng) {
  const int64_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  const int64_t lda = ac + 3, ldb = bc + 5, ldc = n + 2;
  std::vector<float> A(ar * lda + shift + 1), B(br * ldb + shift + 1), C(m * ldc + shift + 1);
  for (auto& v : A) v = exact ? rng.small() : rng.uniform(-1, 1);
  for (auto& v : B) v = exact ? rng.small() : rng.uniform(-1, 1);
  for (auto& v : C) v = exact ? rng.small() : rng.uniform(-1, 1);
  if (beta == 0.f)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) C[shift + i * ldc + j] = NAN;  // must not be read
  const std::vector<float> C0(C.begin() + shift, C.end());
  std::vector<double> ref(C0.begin(), C0.end());
  refGemm(ta, tb, m, n, k, alpha, A.data() + shift, lda, B.data() + shift, ldb, beta, ref, C0, ldc);
  K.sgemm(ta, tb, m, n, k, alpha, A.data() + shift, lda, B.data() + shift, ldb, beta, C.data() + shift, ldc);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < ldc && i * ldc + j < static_cast<int64_t>(C0.size()); ++j) {
      const float got = C[shift + i * ldc + j];
      if (j >= n) {  // padding
        if (!(got == C0[i * ldc + j])) {
          std::fprintf(stderr, "  %s gemm %d%d m=%lld n=%lld k=%lld: padding (%lld,%lld) changed\n", isaName(K.isa), ta,
                       tb, (long long)m, (long long)n, (long long)k, (long long)i, (long long)j);
          return false;
        }
        continue;
      }
      const double want = ref[i * ldc + j];
      // |error| <= k·eps·Σ|a||b| bound, approximated with the magnitudes used.
      const double tol = exact ? 0.0 : (2.0 * k + 4) * 6e-8 * (1.0 + std::fabs(beta));
      if (!(std::fabs(got - want) <= tol)) {
        std::fprintf(stderr, "  %s gemm ta=%d tb=%d m=%lld n=%lld k=%lld alpha=%g beta=%g shift=%d: C(%lld,%lld) = %.9g, want %.9g\n",
                     isaName(K.isa), ta, tb, (long long)m, (long long)n, (long long)k, alpha, beta, shift,
                     (long long)i, (long long)j, got, want);
        return false;
      }
    }
  }
  return true;
}

}  // namespace

TEST(levels_include_scalar_and_active) {
  auto ls = levels();
  CHECK(!ls.empty() && ls.front()->isa == Isa::Scalar);
  CHECK(denseKernels().isa == activeIsa() || denseKernels().isa == Isa::Scalar);
  std::fprintf(stderr, "  levels:");
  for (auto* l : ls) std::fprintf(stderr, " %s", isaName(l->isa));
  std::fprintf(stderr, " (active %s)\n", isaName(denseKernels().isa));
}

TEST(gemm_exact_small_sizes_all_transposes) {
  const int64_t sizes[] = {1, 2, 3, 5, 6, 7, 8, 13, 14, 15, 16, 17, 31, 32, 33, 47};
  for (const DenseKernels* K : levels()) {
    Rng rng(1);
    int bad = 0;
    for (int t = 0; t < 4; ++t)
      for (int64_t m : sizes)
        for (int64_t n : sizes) {
          const int64_t k = sizes[(m * 7 + n * 3 + t) % 16];
          bad += !gemmCase(*K, t & 1, t & 2, m, n, k, 1.f, 0.f, true, (m + n) % 3, rng);
          if (bad > 3) break;
        }
    CHECK(bad == 0);
  }
}

TEST(gemm_exact_blocking_edges) {
  // Sizes crossing KC (256), MC and NR/MR multiples, and N > NC (4096).
  struct S { int64_t m, n, k; } shapes[] = {{64, 256, 784}, {64, 10, 256}, {97, 45, 513}, {350, 70, 300},
                                            {15, 33, 1030}, {3, 4100, 5},  {700, 17, 64},  {1, 300, 600},
                                            {300, 1, 600},  {29, 65, 257}};
  for (const DenseKernels* K : levels()) {
    Rng rng(2);
    for (auto s : shapes)
      for (int t = 0; t < 4; ++t) CHECK(gemmCase(*K, t & 1, t & 2, s.m, s.n, s.k, 1.f, 0.f, true, t, rng));
  }
}

TEST(gemm_alpha_beta) {
  for (const DenseKernels* K : levels()) {
    Rng rng(3);
    const float ab[][2] = {{1, 1}, {0.5f, -2}, {-1, 0.25f}, {2, 0}};
    for (auto& p : ab)
      for (int t = 0; t < 4; ++t) {
        CHECK(gemmCase(*K, t & 1, t & 2, 37, 41, 300, p[0], p[1], true, 1, rng));
        CHECK(gemmCase(*K, t & 1, t & 2, 5, 9, 7, p[0], p[1], true, 2, rng));
      }
    // alpha = 0 and k = 0 only scale C (beta = 0 overwrites NaN).
    CHECK(gemmCase(*K, false, false, 9, 13, 11, 0.f, 0.5f, true, 0, rng));
    CHECK(gemmCase(*K, false, true, 9, 13, 0, 1.f, 0.f, true, 0, rng));
    CHECK(gemmCase(*K, true, false, 9, 13, 0, 1.f, -1.f, true, 0, rng));
    // Zero-sized outputs touch nothing.
    float c = 7;
    K->sgemm(false, false, 0, 5, 5, 1, nullptr, 5, nullptr, 5, 0, &c, 5);
    K->sgemm(false, false, 5, 0, 5, 1, nullptr, 5, nullptr, 5, 0, &c, 5);
    CHECK(c == 7);
  }
}

TEST(gemm_random_float_tolerance) {
  for (const DenseKernels* K : levels()) {
    Rng rng(4);
    for (int t = 0; t < 4; ++t) {
      CHECK(gemmCase(*K, t & 1, t & 2, 131, 257, 801, 1.f, 0.f, false, t, rng));
      CHECK(gemmCase(*K, t & 1, t & 2, 64, 10, 256, 0.7f, 0.3f, false, t, rng));
    }
  }
}

TEST(gemm_large_matches_scalar) {
  // 1024³-class shapes against the scalar level (double reference too slow).
  const int64_t m = 515, n = 1030, k = 1100;
  Rng rng(5);
  std::vector<float> A(m * k), B(k * n);
  for (auto& v : A) v = rng.uniform(-1, 1);
  for (auto& v : B) v = rng.uniform(-1, 1);
  std::vector<float> ref(m * n);
  denseKernelsFor(Isa::Scalar).sgemm(false, false, m, n, k, 1, A.data(), k, B.data(), n, 0, ref.data(), n);
  for (const DenseKernels* K : levels()) {
    std::vector<float> C(m * n);
    K->sgemm(false, false, m, n, k, 1, A.data(), k, B.data(), n, 0, C.data(), n);
    double worst = 0;
    for (int64_t i = 0; i < m * n; ++i) worst = std::fmax(worst, std::fabs(C[i] - ref[i]));
    CHECK(worst < 1e-3);  // |C| ~ sqrt(k)/3 ~ 11: ~1e-5 relative
  }
}

namespace {

using Unary = void (*)(int64_t, const float*, float*);

// Max error of a vector transcendental in ulps of the double reference (with
// an absolute floor `absTol` for results near 0), over a sweep of inputs.
double maxUlpError(Unary f, double (*ref)(double), const std::vector<float>& xs, double absTol, int shift) {
  std::vector<float> in(xs.size() + shift), out(xs.size() + shift);
  std::copy(xs.begin(), xs.end(), in.begin() + shift);
  f(static_cast<int64_t>(xs.size()), in.data() + shift, out.data() + shift);
  double worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double want = ref(xs[i]);
    const float got = out[i + shift];
    if (std::isnan(want)) {
      if (!std::isnan(got)) return 1e30;
      continue;
    }
    if (std::isinf(want) || std::fabs(want) > FLT_MAX) {
      if (got != static_cast<float>(want)) return 1e30;
      continue;
    }
    const double err = std::fabs(got - want);
    if (err <= absTol) continue;
    worst = std::fmax(worst, err / ulpOf(want));
  }
  return worst;
}

std::vector<float> sweep(float lo, float hi, int n, Rng& rng) {
  std::vector<float> xs;
  for (int i = 0; i < n; ++i) xs.push_back(rng.uniform(lo, hi));
  for (int i = 0; i <= 200; ++i) xs.push_back(lo + (hi - lo) * i / 200.f);
  return xs;
}

double dexp(double x) { return std::exp(x); }
double dlog(double x) { return x < 0 ? NAN : std::log(x); }
double dtanh(double x) { return std::tanh(x); }
double dsigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

TEST(transcendentals_max_error) {
  Rng rng(6);
  std::vector<float> ex = sweep(-110.f, 90.f, 200000, rng), ex2 = sweep(-2.f, 2.f, 100000, rng);
  ex.insert(ex.end(), ex2.begin(), ex2.end());
  for (float v : {0.f, -0.f, 88.72f, 88.73f, -87.34f, -103.9f, -104.f, -150.f, INFINITY, -INFINITY, NAN}) ex.push_back(v);
  std::vector<float> lx;
  for (int i = 0; i < 200000; ++i) lx.push_back(std::ldexp(rng.uniform(0.5f, 1.f), static_cast<int>(rng.next() % 276) - 149));
  for (int i = 0; i < 100000; ++i) lx.push_back(rng.uniform(0.5f, 2.f));
  for (float v : {0.f, -0.f, -1.f, 1.f, FLT_MIN, 1e-45f, FLT_MAX, INFINITY, -INFINITY, NAN}) lx.push_back(v);
  std::vector<float> tx = sweep(-12.f, 12.f, 200000, rng), tx2 = sweep(-0.7f, 0.7f, 100000, rng);
  tx.insert(tx.end(), tx2.begin(), tx2.end());
  for (float v : {0.f, -0.f, 1e-30f, -1e-30f, 0.625f, -0.625f, 50.f, -50.f, INFINITY, -INFINITY, NAN}) tx.push_back(v);
  std::vector<float> sx = sweep(-100.f, 30.f, 200000, rng);
  for (float v : {0.f, -87.f, -104.f, 104.f, INFINITY, -INFINITY, NAN}) sx.push_back(v);

  for (const DenseKernels* K : levels()) {
    for (int shift : {0, 1}) {
      const double e = maxUlpError(K->exp, dexp, ex, 0, shift);
      const double l = maxUlpError(K->log, dlog, lx, 1.2e-7, shift);
      const double t = maxUlpError(K->tanh, dtanh, tx, 0, shift);
      const double s = maxUlpError(K->sigmoid, dsigmoid, sx, 1.2e-37, shift);
      if (shift == 0)
        std::fprintf(stderr, "  %s max ulp: exp %.2f log %.2f tanh %.2f sigmoid %.2f\n", isaName(K->isa), e, l, t, s);
      // The bounds documented in dense_kernels.h.
      CHECK(e <= 1.5);
      CHECK(l <= 1.0);
      CHECK(t <= 2.0);
      CHECK(s <= 2.5);
    }
  }
}

TEST(elementwise_all_sizes_unaligned) {
  const int64_t sizes[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1000, 1 << 18};
  for (const DenseKernels* K : levels()) {
    Rng rng(7);
    for (int64_t n : sizes)
      for (int shift : {0, 1, 3}) {
        std::vector<float> xb(n + shift + 1), yb(n + shift + 1), zb(n + shift + 1, 99.f);
        for (auto& v : xb) v = rng.uniform(-3, 3);
        for (auto& v : yb) v = rng.uniform(-3, 3);
        const float *x = xb.data() + shift, *y = yb.data() + shift;
        float* z = zb.data() + shift;
        auto sentinel = [&] { return zb[n + shift] == 99.f && (shift == 0 || zb[shift - 1] == 99.f); };
        bool ok = true;
        K->relu(n, x, z);
        for (int64_t i = 0; i < n; ++i) ok &= z[i] == (x[i] > 0 ? x[i] : 0.f);
        K->reluGrad(n, x, y, z);
        for (int64_t i = 0; i < n; ++i) ok &= z[i] == (x[i] > 0 ? y[i] : 0.f);
        K->add(n, x, y, z);
        for (int64_t i = 0; i < n; ++i) ok &= z[i] == x[i] + y[i];
        K->sub(n, x, y, z);
        for (int64_t i = 0; i < n; ++i) ok &= z[i] == x[i] - y[i];
        K->mul(n, x, y, z);
        for (int64_t i = 0; i < n; ++i) ok &= z[i] == x[i] * y[i];
        K->scale(n, 0.5f, x, z);
        for (int64_t i = 0; i < n; ++i) ok &= z[i] == 0.5f * x[i];
        K->sigmoidGrad(n, x, y, z);
        for (int64_t i = 0; i < n; ++i) ok &= std::fabs(z[i] - double(y[i]) * x[i] * (1 - x[i])) <= 1e-5 * (1 + std::fabs(z[i]));
        K->tanhGrad(n, x, y, z);
        for (int64_t i = 0; i < n; ++i) ok &= std::fabs(z[i] - double(y[i]) * (1 - double(x[i]) * x[i])) <= 1e-5 * (1 + std::fabs(z[i]));
        std::vector<float> w(y, y + n);
        K->axpy(n, 2.f, x, w.data());
        for (int64_t i = 0; i < n; ++i) ok &= std::fabs(w[i] - (y[i] + 2.0 * x[i])) <= 1e-6 * (1 + std::fabs(w[i]));
        double d = 0, s = 0, sa = 0;
        for (int64_t i = 0; i < n; ++i) d += double(x[i]) * y[i], s += x[i], sa += std::fabs(x[i]) * 3;
        ok &= std::fabs(K->dot(n, x, y) - d) <= 1e-6 * sa + 1e-6;
        ok &= std::fabs(K->sum(n, x) - s) <= 1e-6 * sa + 1e-6;
        // In place (z == x).
        std::vector<float> ip(x, x + n);
        K->exp(n, ip.data(), ip.data());
        std::vector<float> sep(n);
        K->exp(n, x, sep.data());
        ok &= ip == sep;
        if (!ok || !sentinel()) std::fprintf(stderr, "  %s n=%lld shift=%d\n", isaName(K->isa), (long long)n, shift);
        CHECK(ok && sentinel());
      }
  }
}

TEST(softmax_rows_and_gradient) {
  const int64_t cols[] = {1, 2, 5, 10, 16, 17, 33, 100, 1000};
  for (const DenseKernels* K : levels()) {
    Rng rng(8);
    for (int64_t c : cols) {
      const int64_t r = 3;
      std::vector<float> x(r * c + 1), y(r * c + 1), lg(r * c + 1), dy(r * c + 1), dx(r * c + 1);
      for (auto& v : x) v = rng.uniform(-20, 20);
      for (auto& v : dy) v = rng.uniform(-1, 1);
      K->softmaxRows(r, c, x.data() + 1, y.data() + 1, lg.data() + 1);
      K->softmaxGradRows(r, c, y.data() + 1, dy.data() + 1, dx.data() + 1);
      bool ok = true;
      for (int64_t i = 0; i < r; ++i) {
        const float* xr = x.data() + 1 + i * c;
        double mx = -INFINITY, s = 0;
        for (int64_t j = 0; j < c; ++j) mx = std::fmax(mx, xr[j]);
        for (int64_t j = 0; j < c; ++j) s += std::exp(double(xr[j]) - mx);
        double dd = 0;
        for (int64_t j = 0; j < c; ++j) dd += double(dy[1 + i * c + j]) * y[1 + i * c + j];
        for (int64_t j = 0; j < c; ++j) {
          const double p = std::exp(double(xr[j]) - mx) / s, lp = double(xr[j]) - mx - std::log(s);
          const double g = y[1 + i * c + j] * (dy[1 + i * c + j] - dd);
          // x − max is rounded to float first: relative error up to |x − max|·2^-24 in p.
          const double rel = 1e-6 + 6e-8 * std::fabs(double(xr[j]) - mx);
          const bool good = std::fabs(y[1 + i * c + j] - p) <= rel * p + 1e-30 &&
                            std::fabs(lg[1 + i * c + j] - lp) <= 2e-6 * (1 + std::fabs(lp)) &&
                            std::fabs(dx[1 + i * c + j] - g) <= 1e-6;
          if (!good && ok)
            std::fprintf(stderr, "  row %lld col %lld: p %g want %g, log %g want %g, dx %g want %g\n", (long long)i,
                         (long long)j, y[1 + i * c + j], p, lg[1 + i * c + j], lp, dx[1 + i * c + j], g);
          ok &= good;
        }
      }
      // In place, no log output.
      std::vector<float> ip(x);
      K->softmaxRows(r, c, ip.data() + 1, ip.data() + 1, nullptr);
      for (int64_t i = 0; i < r * c; ++i) ok &= ip[1 + i] == y[1 + i];
      if (!ok) std::fprintf(stderr, "  %s cols=%lld\n", isaName(K->isa), (long long)c);
      CHECK(ok);
    }
    K->softmaxRows(0, 5, nullptr, nullptr, nullptr);
    K->softmaxRows(4, 0, nullptr, nullptr, nullptr);
  }
}

TEST(col_sums_and_broadcast) {
  for (const DenseKernels* K : levels()) {
    Rng rng(9);
    for (int64_t cols : {0, 1, 7, 16, 17, 40})
      for (int64_t rows : {0, 1, 5, 64}) {
        const int64_t ld = cols + 3;
        std::vector<float> x(rows * ld + 1), y(cols + 1), y0;
        for (auto& v : x) v = static_cast<float>(rng.small());
        for (auto& v : y) v = static_cast<float>(rng.small());
        y0 = y;
        K->colSums(rows, cols, x.data() + 1, ld, 0.5f, y.data() + 1);
        bool ok = true;
        for (int64_t j = 0; j < cols; ++j) {
          double s = 0.5 * y0[1 + j];
          for (int64_t i = 0; i < rows; ++i) s += x[1 + i * ld + j];
          ok &= y[1 + j] == s;
        }
        std::vector<float> out(rows * ld, -1.f);
        K->broadcastRows(rows, cols, y.data() + 1, out.data(), ld);
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < ld; ++j) ok &= out[i * ld + j] == (j < cols ? y[1 + j] : -1.f);
        CHECK(ok);
      }
  }
}

TEST(gemm_bias_relu_fused_matches_unfused_reference) {
  // Small-integer data: every sum is exact, so the fused epilogue must give
  // exactly max(op(A)·op(B) + bias, 0) whatever the tile order; C's old values
  // (NaN) are never read and its padding never written.
  struct S { int64_t m, n, k; } shapes[] = {{64, 256, 784}, {64, 10, 256}, {7, 33, 5}, {15, 16, 300},
                                            {29, 65, 257},  {1, 1, 1},     {5, 9, 0},   {3, 4100, 3}};
  for (const DenseKernels* K : levels()) {
    Rng rng(12);
    for (auto s : shapes)
      for (int t = 0; t < 8; ++t) {
        const bool ta = t & 1, tb = t & 2, relu = t & 4;
        const int64_t lda = (ta ? s.m : s.k) + 1, ldb = (tb ? s.k : s.n) + 2, ldc = s.n + 3;
        std::vector<float> A((ta ? s.k : s.m) * lda + 1), B((tb ? s.n : s.k) * ldb + 1), bias(s.n + 1);
        for (auto& v : A) v = static_cast<float>(rng.small());
        for (auto& v : B) v = static_cast<float>(rng.small());
        for (auto& v : bias) v = static_cast<float>(rng.small() * 3);
        std::vector<float> C(s.m * ldc, NAN);
        for (int64_t i = 0; i < s.m; ++i)
          for (int64_t j = s.n; j < ldc; ++j) C[i * ldc + j] = -5.f;
        const bool withBias = (s.m + t) % 3 != 0;
        K->sgemmBiasRelu(ta, tb, s.m, s.n, s.k, A.data() + 1, lda, B.data() + 1, ldb, withBias ? bias.data() + 1 : nullptr,
                         relu, C.data(), ldc);
        int bad = 0;
        for (int64_t i = 0; i < s.m; ++i)
          for (int64_t j = 0; j < ldc; ++j) {
            double want = -5;
            if (j < s.n) {
              want = withBias ? bias[1 + j] : 0.0;
              for (int64_t p = 0; p < s.k; ++p)
                want += double(ta ? A[1 + p * lda + i] : A[1 + i * lda + p]) * (tb ? B[1 + j * ldb + p] : B[1 + p * ldb + j]);
              if (relu) want = want > 0 ? want : 0;
            }
            if (C[i * ldc + j] != want && bad++ < 3)
              std::fprintf(stderr, "  %s biasRelu t=%d m=%lld n=%lld k=%lld: C(%lld,%lld) = %g, want %g\n", isaName(K->isa), t,
                           (long long)s.m, (long long)s.n, (long long)s.k, (long long)i, (long long)j, C[i * ldc + j], want);
          }
        CHECK(bad == 0);
      }
    // ReLU maps NaN to 0, as the relu kernel does.
    float a = NAN, b = 1, c = 7;
    K->sgemmBiasRelu(false, false, 1, 1, 1, &a, 1, &b, 1, nullptr, true, &c, 1);
    CHECK(c == 0.f);
  }
}

TEST(relu_grad_col_sums_one_pass) {
  for (const DenseKernels* K : levels()) {
    Rng rng(13);
    for (int64_t cols : {1, 7, 10, 16, 17, 256})
      for (int64_t rows : {0, 1, 5, 64}) {
        std::vector<float> y(rows * cols), dy(rows * cols), dz(rows * cols, NAN), db(cols, NAN);
        for (auto& v : y) v = static_cast<float>(rng.small());
        for (auto& v : dy) v = static_cast<float>(rng.small());
        if (rows > 0) y[0] = NAN;  // not > 0: no gradient
        K->reluGradColSums(rows, cols, y.data(), dy.data(), dz.data(), db.data());
        bool ok = true;
        for (int64_t j = 0; j < cols; ++j) {
          double s = 0;
          for (int64_t i = 0; i < rows; ++i) {
            const float want = y[i * cols + j] > 0.f ? dy[i * cols + j] : 0.f;
            ok &= dz[i * cols + j] == want;
            s += want;
          }
          ok &= db[j] == s;
        }
        CHECK(ok);
      }
  }
}

TEST(fma_peak_loop_counts_flops) {
  for (const DenseKernels* K : levels()) CHECK(K->fmaPeakLoop(10) > 0);
  for (const DenseKernels* K : levels()) CHECK(K->gemmTileLoop(3, 17, 2) > 0);
}

TEST(unsupported_level_is_refused) {
  bool hasAll = true;
  for (Isa isa : {Isa::Avx2, Isa::Avx512, Isa::Neon}) {
    bool s = false;
    for (Isa x : supportedIsas()) s = s || x == isa;
    if (!s) CHECK_THROWS_CODE(denseKernelsFor(isa), codes::kInvalidArgument);
    hasAll = hasAll && s;
  }
  CHECK(!hasAll);  // no machine has NEON and AVX-512 at once
}

HWTEST_MAIN()
