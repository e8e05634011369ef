#pragma once
// Helpers for the op tests: make and feed tensors, build and run nets, read
// values back, and check an op's registered gradient against central finite
// differences (computed in double on float64 inputs).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../core/workspace.h"
#include "../exec/net.h"
#include "check.h"

namespace hwtest {

using namespace hogwild;

// A tensor of `dtype` holding `values` (converted; bools as 0/1).
inline Tensor make(DType dtype, Shape shape, const std::vector<double>& values) {
  Tensor t(dtype, std::move(shape));
  CHECK(static_cast<size_t>(t.numel()) == values.size());
  for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < t.numel(); ++i) {
    const double v = values[i];
    switch (dtype) {
      case DType::Float32: static_cast<float*>(t.raw())[i] = static_cast<float>(v); break;
      case DType::Float64: static_cast<double*>(t.raw())[i] = v; break;
      case DType::Int32: static_cast<int32_t*>(t.raw())[i] = static_cast<int32_t>(v); break;
      case DType::Int64: static_cast<int64_t*>(t.raw())[i] = static_cast<int64_t>(v); break;
      case DType::Uint8: static_cast<uint8_t*>(t.raw())[i] = static_cast<uint8_t>(v); break;
      case DType::Bool: static_cast<uint8_t*>(t.raw())[i] = v != 0; break;
    }
  }
  return t;
}

inline void feed(Workspace& ws, const std::string& name, const Tensor& t) { ws.createBlob(name).mutableTensor().copyFrom(t); }
inline void feed(Workspace& ws, const std::string& name, DType dtype, Shape shape, const std::vector<double>& values) {
  feed(ws, name, make(dtype, std::move(shape), values));
}

inline std::unique_ptr<Net> build(Workspace& ws, std::vector<OperatorDef> ops) {
  NetDef def;
  def.name = "test";
  def.ops = std::move(ops);
  return std::make_unique<Net>(def, ws);
}
inline void run(Workspace& ws, std::vector<OperatorDef> ops) {
  RunContext ctx;
  build(ws, std::move(ops))->run(ctx);
}
inline void run(Workspace& ws, const OperatorDef& op) { run(ws, std::vector<OperatorDef>{op}); }

inline const Tensor& tensor(Workspace& ws, const std::string& name) { return ws.getBlob(name).tensor(name); }
inline Shape shapeOf(Workspace& ws, const std::string& name) { return tensor(ws, name).shape(); }
inline DType dtypeOf(Workspace& ws, const std::string& name) { return tensor(ws, name).dtype(); }

// Values of any tensor blob as doubles.
inline std::vector<double> read(Workspace& ws, const std::string& name) {
  const Tensor& t = tensor(ws, name);
  std::vector<double> out(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < out.size(); ++i) {
    switch (t.dtype()) {
      case DType::Float32: out[i] = static_cast<const float*>(t.raw())[i]; break;
      case DType::Float64: out[i] = static_cast<const double*>(t.raw())[i]; break;
      case DType::Int32: out[i] = static_cast<const int32_t*>(t.raw())[i]; break;
      case DType::Int64: out[i] = static_cast<double>(static_cast<const int64_t*>(t.raw())[i]); break;
      case DType::Uint8:
      case DType::Bool: out[i] = static_cast<const uint8_t*>(t.raw())[i]; break;
    }
  }
  return out;
}
inline double scalar(Workspace& ws, const std::string& name) {
  auto v = read(ws, name);
  CHECK(v.size() == 1);
  return v.empty() ? 0 : v[0];
}

inline bool near(const std::vector<double>& a, const std::vector<double>& b, double tol = 1e-6) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(std::fabs(a[i] - b[i]) <= tol * std::max(1.0, std::fabs(b[i])))) return false;
  return true;
}
#define CHECK_VALUES(ws, name, ...) CHECK(::hwtest::near(::hwtest::read(ws, name), std::vector<double>(__VA_ARGS__)))

// Fixed pseudo-random values in [-1, 1] (an LCG: the same on every machine).
inline std::vector<double> noise(size_t n, uint64_t seed) {
  std::vector<double> v(n);
  for (auto& x : v) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    x = static_cast<double>(seed >> 11) * 0x1.0p-52 - 1.0;
  }
  return v;
}

// Checks the registered gradient of `op` for the inputs named in `wrt`:
// L = sum over float64 outputs k of <Y_k, R_k> with fixed random R_k, so each
// output gradient is R_k, and every element of each input is compared with
// (L(x+eps) - L(x-eps)) / 2eps. Inputs are re-fed before each forward run, so
// in-place ops are fine. `skipOutputs` get no gradient (to test missing ones).
inline void checkGradient(const OperatorDef& op, const std::vector<std::pair<std::string, Tensor>>& feeds,
                          const std::vector<std::string>& wrt, double tol = 1e-6,
                          const std::vector<std::string>& skipOutputs = {}) {
  Workspace ws;
  auto feedAll = [&] {
    for (const auto& f : feeds) feed(ws, f.first, f.second);
  };
  feedAll();
  auto fwd = build(ws, {op});
  RunContext ctx;
  fwd->run(ctx);
  std::vector<std::string> outGrads;
  std::vector<std::pair<std::string, std::vector<double>>> weights;
  uint64_t seed = 7;
  for (const auto& o : op.outputs) {
    const Tensor* t = ws.getBlob(o).tensorOrNull();
    const bool skip = std::find(skipOutputs.begin(), skipOutputs.end(), o) != skipOutputs.end();
    if (!t || t->dtype() != DType::Float64 || skip) {
      outGrads.push_back("");
      continue;
    }
    auto r = noise(static_cast<size_t>(t->numel()), seed++);
    feed(ws, gradName(o), DType::Float64, t->shape(), r);
    outGrads.push_back(gradName(o));
    weights.emplace_back(o, r);
  }
  GradientDefs g = OpRegistry::instance().gradient(op, outGrads);
  run(ws, g.ops);
  auto loss = [&](const std::string& name, size_t j, double delta) {
    feedAll();
    Tensor& x = ws.getBlob(name).mutableTensor();
    static_cast<double*>(x.raw())[j] += delta;
    fwd->run(ctx);
    double l = 0;
    for (const auto& w : weights) {
      auto y = read(ws, w.first);
      for (size_t k = 0; k < y.size(); ++k) l += y[k] * w.second[k];
    }
    return l;
  };
  for (const auto& name : wrt) {
    size_t i = 0;
    while (i < op.inputs.size() && op.inputs[i] != name) ++i;
    CHECK(i < op.inputs.size() && i < g.inputs.size());
    if (i >= g.inputs.size()) continue;
    const GradientSpec& spec = g.inputs[i];
    CHECK(spec.kind == GradientSpec::Kind::Dense);
    if (spec.kind != GradientSpec::Kind::Dense) continue;
    const Tensor* x0 = nullptr;
    for (const auto& f : feeds)
      if (f.first == name) x0 = &f.second;
    CHECK(x0 != nullptr);
    if (!x0) continue;
    CHECK(shapeOf(ws, spec.dense) == x0->shape());
    const std::vector<double> analytic = read(ws, spec.dense);
    const double eps = 1e-6;
    for (size_t j = 0; j < static_cast<size_t>(x0->numel()); ++j) {
      const double fd = (loss(name, j, eps) - loss(name, j, -eps)) / (2 * eps);
      if (j >= analytic.size() || !(std::fabs(analytic[j] - fd) <= tol * std::max(1.0, std::fabs(fd)))) {
        std::fprintf(stderr, "  %s: d/d%s[%zu] analytic %.9g, numeric %.9g\n", op.type.c_str(), name.c_str(), j,
                     j < analytic.size() ? analytic[j] : NAN, fd);
        ++failures();
      }
    }
  }
}

}  // namespace hwtest
