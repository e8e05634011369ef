#pragma once
// Helpers for the sparse/optimizer op tests: feed and fetch blobs, run one op, run the gradient
// ops of a forward op and densify its input gradients, central finite differences.
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "../exec/net.h"
#include "../ops/registry.h"
#include "check.h"

namespace sparsetest {

using namespace hogwild;

template <typename T>
inline Tensor& feed(Workspace& ws, const std::string& name, Shape shape, const std::vector<T>& values) {
  Tensor& t = ws.createBlob(name).mutableTensor();
  t.resize(DTypeOf<T>::value, std::move(shape));
  if (static_cast<size_t>(t.numel()) != values.size()) {
    std::fprintf(stderr, "feed %s: %lld values for %lld elements\n", name.c_str(), static_cast<long long>(values.size()),
                 static_cast<long long>(t.numel()));
    std::abort();
  }
  T* d = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i) d[i] = values[i];
  return t;
}
inline Tensor& feedF(Workspace& ws, const std::string& name, Shape shape, const std::vector<float>& v) {
  return feed<float>(ws, name, std::move(shape), v);
}
inline Tensor& feedScalar(Workspace& ws, const std::string& name, float v) { return feed<float>(ws, name, {}, {v}); }
inline Tensor& feedIter(Workspace& ws, const std::string& name, int64_t v) { return feed<int64_t>(ws, name, {}, {v}); }

template <typename T = float> inline std::vector<T> fetch(Workspace& ws, const std::string& name) {
  const Tensor& t = ws.getBlob(name).tensor(name);
  const T* d = t.data<T>();
  return std::vector<T>(d, d + t.numel());
}
inline Shape shapeOf(Workspace& ws, const std::string& name) { return ws.getBlob(name).tensor(name).shape(); }

inline std::unique_ptr<Operator> create(Workspace& ws, const OperatorDef& def) {
  return OpRegistry::instance().create(def, ws);
}
inline void run(Workspace& ws, const OperatorDef& def) {
  auto op = create(ws, def);
  RunContext ctx;
  op->run(ctx);
}

inline std::vector<float> randomFloats(std::mt19937& rng, size_t n, float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Max |a - b| / (1 + |b|); prints the first element over `tol`.
inline bool allClose(const std::vector<float>& a, const std::vector<float>& b, double tol, const char* what) {
  if (a.size() != b.size()) {
    std::fprintf(stderr, "  %s: sizes %zu vs %zu\n", what, a.size(), b.size());
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]) / (1.0 + std::fabs(static_cast<double>(b[i])));
    if (!(d <= tol)) {
      std::fprintf(stderr, "  %s: element %zu is %.9g, expected %.9g\n", what, i, a[i], b[i]);
      return false;
    }
  }
  return true;
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The message of the hogwild::Error thrown by f (and its code in *code); "" when none was thrown.
inline std::string errorOf(const std::function<void()>& f, std::string* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

// Checks the gradient of a forward op against central finite differences.
// The loss is L = sum(out * R) for a fixed random R, so out_grad = R. `wrt` lists the float
// inputs to check; each gradient spec is densified (sparse: values scatter-added at indices).
inline void checkGradient(Workspace& ws, const OperatorDef& fwd, const std::vector<std::string>& wrt, double tol = 2e-3,
                          float h = 1e-2f) {
  std::mt19937 rng(7);
  run(ws, fwd);
  const std::string out = fwd.outputs[0];
  const std::vector<float> r = randomFloats(rng, fetch(ws, out).size());
  feedF(ws, out + "_grad", shapeOf(ws, out), r);
  GradientDefs g = OpRegistry::instance().gradient(fwd, {out + "_grad"});
  for (const auto& op : g.ops) run(ws, op);
  auto loss = [&]() {
    run(ws, fwd);
    const std::vector<float> o = fetch(ws, out);
    double s = 0;
    for (size_t i = 0; i < o.size(); ++i) s += static_cast<double>(o[i]) * r[i];
    return s;
  };
  for (const auto& name : wrt) {
    size_t pos = 0;
    while (pos < fwd.inputs.size() && fwd.inputs[pos] != name) ++pos;
    CHECK(pos < fwd.inputs.size());
    const GradientSpec& spec = g.inputs.at(pos);
    Tensor& x = ws.getBlob(name).mutableTensor();
    const int64_t n = x.numel();
    std::vector<double> analytic(static_cast<size_t>(n), 0.0);
    if (spec.kind == GradientSpec::Kind::Dense) {
      const std::vector<float> d = fetch(ws, spec.dense);
      CHECK(static_cast<int64_t>(d.size()) == n);
      for (size_t i = 0; i < d.size() && i < analytic.size(); ++i) analytic[i] = d[i];
    } else if (spec.kind == GradientSpec::Kind::Sparse) {
      const Tensor& it = ws.getBlob(spec.indices).tensor(spec.indices);
      const std::vector<float> vals = fetch(ws, spec.values);
      const int64_t rowLen = x.sizeFrom(1);
      CHECK(static_cast<int64_t>(vals.size()) == it.numel() * rowLen);
      for (int64_t k = 0; k < it.numel(); ++k) {
        const int64_t row = it.dtype() == DType::Int32 ? it.data<int32_t>()[k] : it.data<int64_t>()[k];
        for (int64_t j = 0; j < rowLen; ++j) analytic[static_cast<size_t>(row * rowLen + j)] += vals[static_cast<size_t>(k * rowLen + j)];
      }
    } else {
      std::fprintf(stderr, "  no gradient for %s\n", name.c_str());
      CHECK(false);
      continue;
    }
    float* xd = x.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      const float keep = xd[i];
      xd[i] = keep + h;
      const double up = loss();
      xd[i] = keep - h;
      const double down = loss();
      xd[i] = keep;
      const double numeric = (up - down) / (2.0 * h);
      if (std::fabs(numeric - analytic[static_cast<size_t>(i)]) > tol * (1.0 + std::fabs(numeric))) {
        std::fprintf(stderr, "  d loss / d %s[%lld]: analytic %.6g, numeric %.6g\n", name.c_str(), static_cast<long long>(i),
                     analytic[static_cast<size_t>(i)], numeric);
        CHECK(false);
        return;
      }
    }
  }
}

}  // namespace sparsetest
