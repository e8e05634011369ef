// The dense NN ops: semantics pinned on known values, every gradient op
// against central finite differences, bad input for every op family
// (dtype, rank, dims, NaN/Inf and out-of-range arguments), checked when the
// op is instantiated. main() runs the suite at the best SIMD level, then
// re-runs itself once per lower level this machine has (HOGWILD_SIMD=...).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

#include "../kernels/dense_kernels.h"
#include "../ops/registry.h"
#include "check.h"

extern char** environ;

using namespace hogwild;

namespace {

using Floats = std::vector<float>;

void feed(Workspace& ws, const std::string& name, const Shape& shape, const Floats& v) {
  Tensor& t = ws.createBlob(name).mutableTensor();
  t.resize(DType::Float32, shape);
  CHECK(static_cast<int64_t>(v.size()) == t.numel());
  for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = v[i];
}
template <typename T> void feedT(Workspace& ws, const std::string& name, const Shape& shape, const std::vector<T>& v) {
  Tensor& t = ws.createBlob(name).mutableTensor();
  t.resize(DTypeOf<T>::value, shape);
  for (size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = v[i];
}
void runOp(Workspace& ws, const OperatorDef& def) {
  RunContext ctx;
  OpRegistry::instance().create(def, ws)->run(ctx);
}
const Tensor& get(Workspace& ws, const std::string& name) { return ws.getBlob(name).tensor(name); }
Floats fetch(Workspace& ws, const std::string& name) {
  const Tensor& t = get(ws, name);
  return Floats(t.data<float>(), t.data<float>() + t.numel());
}
bool near(const Floats& got, const Floats& want, double tol) {
  if (got.size() != want.size()) {
    std::fprintf(stderr, "  size %zu, expected %zu\n", got.size(), want.size());
    return false;
  }
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol * (1 + std::fabs(want[i])))) {
      std::fprintf(stderr, "  [%zu] = %.7g, expected %.7g\n", i, got[i], want[i]);
      return false;
    }
  return true;
}
std::map<std::string, Argument> args(std::initializer_list<std::pair<const std::string, Argument>> a) { return a; }
Argument I(int64_t v) { return Argument::ofInt(v); }
Argument F(double v) { return Argument::ofFloat(v); }

struct Rng {
  uint64_t s = 88172645463325252ull;
  float uniform(float lo, float hi) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return lo + (hi - lo) * static_cast<float>((s >> 40) & 0xffffff) / 16777216.f;
  }
  Floats vec(size_t n, float lo = -1, float hi = 1) {
    Floats v(n);
    for (auto& x : v) x = uniform(lo, hi);
    return v;
  }
};

// ---- Finite-difference gradient check ----
//
// L = Σ_o Σ_j c_oj · out_o[j] over the forward outputs named in `weighted`
// (random c). The registered gradient maker builds the gradient ops, fed with
// dL/dout = c; each input listed in `check` is compared with central
// differences of L computed from fresh forward runs.
struct GradCase {
  OperatorDef def;
  std::vector<std::pair<std::string, std::pair<Shape, Floats>>> floats;  // float inputs
  std::function<void(Workspace&)> extra;                                // non-float inputs
  std::vector<size_t> weighted;  // forward outputs L depends on
  std::vector<size_t> check;     // forward inputs to check
  double eps = 1e-2, tol = 2e-2;
};

double lossOf(const GradCase& gc, const std::map<std::string, Floats>& values, const std::map<std::string, Floats>& c) {
  Workspace ws;
  for (auto& [name, sv] : gc.floats) feed(ws, name, sv.first, values.at(name));
  if (gc.extra) gc.extra(ws);
  runOp(ws, gc.def);
  double l = 0;
  for (size_t o : gc.weighted) {
    const Floats y = fetch(ws, gc.def.outputs[o]);
    const Floats& co = c.at(gc.def.outputs[o]);
    for (size_t j = 0; j < y.size(); ++j) l += double(co[j]) * y[j];
  }
  return l;
}

bool gradCheck(const GradCase& gc) {
  Rng rng;
  std::map<std::string, Floats> values, c;
  for (auto& [name, sv] : gc.floats) values[name] = sv.second;
  // Forward once for output shapes, then the gradient ops.
  Workspace ws;
  for (auto& [name, sv] : gc.floats) feed(ws, name, sv.first, sv.second);
  if (gc.extra) gc.extra(ws);
  runOp(ws, gc.def);
  std::vector<std::string> outGrads(gc.def.outputs.size());
  for (size_t o : gc.weighted) {
    const Tensor& y = get(ws, gc.def.outputs[o]);
    c[gc.def.outputs[o]] = rng.vec(static_cast<size_t>(y.numel()), 0.5f, 1.5f);
    outGrads[o] = gc.def.outputs[o] + "_grad";
    feed(ws, outGrads[o], y.shape(), c[gc.def.outputs[o]]);
  }
  GradientDefs g = OpRegistry::instance().gradient(gc.def, outGrads);
  for (const OperatorDef& op : g.ops) runOp(ws, op);
  bool ok = true;
  for (size_t in : gc.check) {
    const std::string& name = gc.def.inputs[in];
    if (g.inputs[in].kind != GradientSpec::Kind::Dense) {
      std::fprintf(stderr, "  %s: no dense gradient for input %s\n", gc.def.type.c_str(), name.c_str());
      return false;
    }
    const Floats analytic = fetch(ws, g.inputs[in].dense);
    Floats x = values.at(name);
    for (size_t j = 0; j < x.size(); ++j) {
      std::map<std::string, Floats> v = values;
      v[name][j] = x[j] + static_cast<float>(gc.eps);
      const double lp = lossOf(gc, v, c);
      v[name][j] = x[j] - static_cast<float>(gc.eps);
      const double lm = lossOf(gc, v, c);
      const double fd = (lp - lm) / (2 * gc.eps);
      if (!(std::fabs(fd - analytic[j]) <= gc.tol * (1 + std::fabs(fd)))) {
        std::fprintf(stderr, "  %s d/d%s[%zu]: analytic %.6g, finite differences %.6g\n", gc.def.type.c_str(),
                     name.c_str(), j, analytic[j], fd);
        ok = false;
        break;
      }
    }
  }
  return ok;
}

}  // namespace

// ---- Semantics ----

TEST(fc_known_values_and_axes) {
  Workspace ws;
  feed(ws, "X", {2, 2}, {1, 2, 3, 4});
  feed(ws, "W", {3, 2}, {1, 0, 0, 1, 1, 1});
  feed(ws, "b", {3}, {1, 2, 3});
  runOp(ws, makeOp("FC", {"X", "W", "b"}, {"Y"}));
  CHECK(get(ws, "Y").shape() == (Shape{2, 3}));
  CHECK(near(fetch(ws, "Y"), {2, 4, 6, 4, 6, 10}, 0));
  // axis = 2 on a 3-D X keeps two leading dims; axis_w = 2 on a 3-D W flattens its first two.
  feed(ws, "X3", {1, 2, 2}, {1, 2, 3, 4});
  feed(ws, "W3", {3, 1, 2}, {1, 0, 0, 1, 1, 1});
  runOp(ws, makeOp("FC", {"X3", "W3", "b"}, {"Y3"}, args({{"axis", I(2)}})));
  CHECK(get(ws, "Y3").shape() == (Shape{1, 2, 3}));
  CHECK(near(fetch(ws, "Y3"), {2, 4, 6, 4, 6, 10}, 0));
  feed(ws, "W4", {3, 1, 2}, {1, 0, 0, 1, 1, 1});
  runOp(ws, makeOp("FC", {"X", "W4", "b"}, {"Y4"}, args({{"axis_w", I(-1)}})));
  CHECK(near(fetch(ws, "Y4"), {2, 4, 6, 4, 6, 10}, 0));
  // Zero rows and zero columns.
  feed(ws, "X0", {0, 2}, {});
  runOp(ws, makeOp("FC", {"X0", "W", "b"}, {"Y0"}));
  CHECK(get(ws, "Y0").shape() == (Shape{0, 3}));
  feed(ws, "Xk", {2, 0}, {});
  feed(ws, "Wk", {3, 0}, {});
  runOp(ws, makeOp("FC", {"Xk", "Wk", "b"}, {"Yk"}));
  CHECK(near(fetch(ws, "Yk"), {1, 2, 3, 1, 2, 3}, 0));
}

TEST(fc_relu_matches_fc_then_relu) {
  // Against the unfused ops at every level (this suite re-runs per level):
  // the MLP's shape, odd sizes, a 3-D X, and rows that ReLU zeroes.
  Rng r;
  struct S { int64_t m, k, n; } shapes[] = {{64, 784, 256}, {5, 7, 33}, {1, 3, 1}, {17, 300, 10}};
  for (auto s : shapes) {
    Workspace ws;
    feed(ws, "X", {s.m, s.k}, r.vec(static_cast<size_t>(s.m * s.k)));
    feed(ws, "W", {s.n, s.k}, r.vec(static_cast<size_t>(s.n * s.k)));
    feed(ws, "b", {s.n}, r.vec(static_cast<size_t>(s.n)));
    runOp(ws, makeOp("FCRelu", {"X", "W", "b"}, {"Y"}));
    runOp(ws, makeOp("FC", {"X", "W", "b"}, {"Z"}));
    runOp(ws, makeOp("Relu", {"Z"}, {"R"}));
    CHECK(get(ws, "Y").shape() == (Shape{s.m, s.n}));
    const Floats y = fetch(ws, "Y"), ref = fetch(ws, "R");
    size_t zeros = 0;
    for (float v : ref) zeros += v == 0.f;
    if (ref.size() > 4) CHECK(zeros > 0 && zeros < ref.size());  // both sides of the ReLU exercised
    CHECK(near(y, ref, 1e-5));
    // The fused gradient against FCGradient(X, W, ReluGradient(dY)), dX wanted or not.
    feed(ws, "dY", {s.m, s.n}, r.vec(static_cast<size_t>(s.m * s.n)));
    runOp(ws, makeOp("FCReluGradient", {"X", "W", "Y", "dY"}, {"dW", "db", "dX"}));
    runOp(ws, makeOp("FCReluGradient", {"X", "W", "Y", "dY"}, {"dW2", "db2"}));
    runOp(ws, makeOp("ReluGradient", {"R", "dY"}, {"dZ"}));
    runOp(ws, makeOp("FCGradient", {"X", "W", "dZ"}, {"rW", "rb", "rX"}));
    for (auto [got, want] : {std::pair{"dW", "rW"}, {"db", "rb"}, {"dX", "rX"}, {"dW2", "rW"}, {"db2", "rb"}})
      CHECK(near(fetch(ws, got), fetch(ws, want), 1e-5));
  }
  Workspace ws;
  feed(ws, "X3", {1, 2, 2}, {1, 2, 3, 4});
  feed(ws, "W", {3, 2}, {1, 0, 0, -1, 1, 1});
  feed(ws, "b", {3}, {1, 2, -10});
  runOp(ws, makeOp("FCRelu", {"X3", "W", "b"}, {"Y"}, args({{"axis", I(2)}})));
  CHECK(get(ws, "Y").shape() == (Shape{1, 2, 3}));
  CHECK(near(fetch(ws, "Y"), {2, 0, 0, 4, 0, 0}, 0));
}

TEST(matmul_known_values) {
  Workspace ws;
  feed(ws, "A", {2, 2}, {1, 2, 3, 4});
  feed(ws, "B", {2, 2}, {5, 6, 7, 8});
  runOp(ws, makeOp("MatMul", {"A", "B"}, {"Y"}));
  CHECK(near(fetch(ws, "Y"), {19, 22, 43, 50}, 0));
  runOp(ws, makeOp("MatMul", {"A", "B"}, {"Yt"}, args({{"trans_a", I(1)}, {"trans_b", I(1)}})));
  CHECK(near(fetch(ws, "Yt"), {23, 31, 34, 46}, 0));  // Aᵀ·Bᵀ
  feed(ws, "A3", {2, 1, 2}, {1, 2, 3, 4});
  runOp(ws, makeOp("MatMul", {"A3", "B"}, {"Yb"}));  // B shared by both batches
  CHECK(get(ws, "Yb").shape() == (Shape{2, 1, 2}));
  CHECK(near(fetch(ws, "Yb"), {19, 22, 43, 50}, 0));
}

TEST(activations_and_softmax_known_values) {
  Workspace ws;
  feed(ws, "X", {5}, {-2, -0.5f, 0, 0.5f, 2});
  runOp(ws, makeOp("Relu", {"X"}, {"R"}));
  CHECK(near(fetch(ws, "R"), {0, 0, 0, 0.5f, 2}, 0));
  runOp(ws, makeOp("Sigmoid", {"X"}, {"S"}));
  CHECK(near(fetch(ws, "S"), {0.11920292f, 0.37754067f, 0.5f, 0.62245933f, 0.88079708f}, 3e-7));
  runOp(ws, makeOp("Tanh", {"X"}, {"T"}));
  CHECK(near(fetch(ws, "T"), {-0.96402758f, -0.46211716f, 0, 0.46211716f, 0.96402758f}, 3e-7));
  runOp(ws, makeOp("Relu", {"X"}, {"X"}));  // in place
  CHECK(near(fetch(ws, "X"), {0, 0, 0, 0.5f, 2}, 0));
  feed(ws, "Z", {2, 3}, {1, 2, 3, 1, 1, 1});
  runOp(ws, makeOp("Softmax", {"Z"}, {"P"}));
  CHECK(near(fetch(ws, "P"), {0.09003057f, 0.24472847f, 0.66524096f, 1 / 3.f, 1 / 3.f, 1 / 3.f}, 3e-7));
  feed(ws, "Z3", {1, 2, 3}, {1, 2, 3, 1, 1, 1});
  runOp(ws, makeOp("Softmax", {"Z3"}, {"P3"}, args({{"axis", I(-1)}})));
  CHECK(near(fetch(ws, "P3"), fetch(ws, "P"), 0));
  runOp(ws, makeOp("Softmax", {"Z3"}, {"P1"}, args({{"axis", I(1)}})));  // one row of 6
  const Floats p1 = fetch(ws, "P1");
  double s = 0;
  for (float v : p1) s += v;
  CHECK_NEAR(s, 1.0, 1e-6);
}

TEST(softmax_with_loss_known_values) {
  // P row 0 = softmax(1, 2, 3), row 1 uniform; −log P[label] = 0.40760596, 1.09861229.
  Workspace ws;
  feed(ws, "X", {2, 3}, {1, 2, 3, 1, 1, 1});
  feedT<int32_t>(ws, "L", {2}, {2, 0});
  runOp(ws, makeOp("SoftmaxWithLoss", {"X", "L"}, {"P", "loss"}));
  CHECK(get(ws, "loss").ndim() == 0);
  CHECK_NEAR(fetch(ws, "loss")[0], (0.40760596 + 1.09861229) / 2, 1e-6);
  CHECK(near(fetch(ws, "P"), {0.09003057f, 0.24472847f, 0.66524096f, 1 / 3.f, 1 / 3.f, 1 / 3.f}, 3e-7));
  // Weights [1, 3]: (0.4076·1 + 1.0986·3) / 4; scale 2 doubles it.
  feed(ws, "w", {2}, {1, 3});
  runOp(ws, makeOp("SoftmaxWithLoss", {"X", "L", "w"}, {"P2", "loss2"}, args({{"scale", F(2)}})));
  CHECK_NEAR(fetch(ws, "loss2")[0], 2 * (0.40760596 + 3 * 1.09861229) / 4, 2e-6);
  // Zero total weight gives 0, not NaN.
  feed(ws, "w0", {2}, {0, 0});
  runOp(ws, makeOp("SoftmaxWithLoss", {"X", "L", "w0"}, {"P3", "loss3"}));
  CHECK(fetch(ws, "loss3")[0] == 0.f);
  // label_prob=1 with one-hot rows equals the integer labels; int64 labels and [N, 1] too.
  feed(ws, "T", {2, 3}, {0, 0, 1, 1, 0, 0});
  runOp(ws, makeOp("SoftmaxWithLoss", {"X", "T"}, {"P4", "loss4"}, args({{"label_prob", I(1)}})));
  CHECK_NEAR(fetch(ws, "loss4")[0], (0.40760596 + 1.09861229) / 2, 1e-6);
  feedT<int64_t>(ws, "L64", {2, 1}, {2, 0});
  runOp(ws, makeOp("SoftmaxWithLoss", {"X", "L64"}, {"P5", "loss5"}));
  CHECK_NEAR(fetch(ws, "loss5")[0], (0.40760596 + 1.09861229) / 2, 1e-6);
  // Soft labels: −(0.5·log P00 + 0.5·log P02) for row 0.
  feed(ws, "Ts", {1, 3}, {0.5f, 0, 0.5f});
  feed(ws, "Xs", {1, 3}, {1, 2, 3});
  runOp(ws, makeOp("SoftmaxWithLoss", {"Xs", "Ts"}, {"P6", "loss6"}, args({{"label_prob", I(1)}})));
  CHECK_NEAR(fetch(ws, "loss6")[0], 0.5 * (2.40760596 + 0.40760596), 1e-6);
  // Large logits stay finite (log-softmax, no log(0)).
  feed(ws, "Xb", {1, 2}, {0, 200});
  feedT<int32_t>(ws, "Lb", {1}, {0});
  runOp(ws, makeOp("SoftmaxWithLoss", {"Xb", "Lb"}, {"P7", "loss7"}));
  CHECK_NEAR(fetch(ws, "loss7")[0], 200.0, 1e-4);
}

TEST(other_losses_known_values) {
  Workspace ws;
  feed(ws, "X", {1, 2}, {0, 2});
  feed(ws, "T", {1, 2}, {1, 0});
  runOp(ws, makeOp("SigmoidCrossEntropyWithLogits", {"X", "T"}, {"xent"}));
  CHECK(get(ws, "xent").shape() == (Shape{1}));
  CHECK_NEAR(fetch(ws, "xent")[0], (0.69314718 + 2.12692801) / 2, 1e-6);
  feed(ws, "X1", {2}, {0, 2});
  feed(ws, "T1", {2}, {1, 0});
  runOp(ws, makeOp("SigmoidCrossEntropyWithLogits", {"X1", "T1"}, {"xent1"}));
  CHECK(get(ws, "xent1").ndim() == 0);
  feed(ws, "A", {2, 2}, {1, 2, 3, 4});
  feed(ws, "B", {2, 2}, {0, 0, 3, 2});
  runOp(ws, makeOp("SquaredL2Distance", {"A", "B"}, {"d"}));
  CHECK(near(fetch(ws, "d"), {2.5f, 2}, 0));
  runOp(ws, makeOp("AveragedLoss", {"A"}, {"avg"}));
  CHECK(get(ws, "avg").ndim() == 0);
  CHECK(fetch(ws, "avg")[0] == 2.5f);
}

TEST(accuracy_top_k_and_ties) {
  Workspace ws;
  feed(ws, "P", {3, 3}, {0.1f, 0.5f, 0.4f, 0.3f, 0.3f, 0.4f, 0.2f, 0.2f, 0.6f});
  feedT<int32_t>(ws, "L", {3}, {1, 0, 2});
  runOp(ws, makeOp("Accuracy", {"P", "L"}, {"acc"}));
  CHECK_NEAR(fetch(ws, "acc")[0], 2.0 / 3, 1e-7);
  runOp(ws, makeOp("Accuracy", {"P", "L"}, {"acc2"}, args({{"top_k", I(2)}})));
  CHECK(fetch(ws, "acc2")[0] == 1.f);  // row 1: only class 2 ranks above label 0 (the tie goes to 0)
  feedT<int32_t>(ws, "L2", {3}, {1, 1, 2});
  runOp(ws, makeOp("Accuracy", {"P", "L2"}, {"acc3"}, args({{"top_k", I(2)}})));
  CHECK_NEAR(fetch(ws, "acc3")[0], 2.0 / 3, 1e-7);  // row 1: classes 2 and 0 (tie, lower index) rank above 1
}

TEST(accuracy_nan_scores_never_win) {
  Workspace ws;
  const float nan = std::nanf("");
  // Row 0 all NaN, row 1 NaN only at its label, row 2 NaN elsewhere (label 1 is the best number),
  // row 3 NaN elsewhere but the label loses to a number.
  feed(ws, "P", {4, 3}, {nan, nan, nan, 0.5f, nan, 0.1f, nan, 0.2f, 0.1f, nan, 0.1f, 0.3f});
  feedT<int32_t>(ws, "L", {4}, {0, 1, 1, 1});
  runOp(ws, makeOp("Accuracy", {"P", "L"}, {"acc"}));
  CHECK(fetch(ws, "acc")[0] == 0.25f);  // only row 2: a NaN label score is wrong, a NaN never ranks above a number
  runOp(ws, makeOp("Accuracy", {"P", "L"}, {"acc2"}, args({{"top_k", I(2)}})));
  CHECK(fetch(ws, "acc2")[0] == 0.5f);  // row 3 joins (only 0.3 ranks above 0.1); rows 0 and 1 stay wrong
  runOp(ws, makeOp("Accuracy", {"P", "L"}, {"acc3"}, args({{"top_k", I(3)}})));
  CHECK(fetch(ws, "acc3")[0] == 0.5f);  // even top_k = D: a NaN label score is never in the top k
  feed(ws, "Pn", {2, 2}, {nan, nan, nan, nan});
  feedT<int64_t>(ws, "Ln", {2}, {0, 1});
  runOp(ws, makeOp("Accuracy", {"Pn", "Ln"}, {"accn"}));
  CHECK(fetch(ws, "accn")[0] == 0.f);  // was 1.0: NaN logits scored perfect accuracy
}

TEST(dropout_deterministic_masks) {
  Workspace ws;
  const int n = 10001;
  feed(ws, "X", {n}, Floats(n, 1.f));
  auto drop = [&](const char* y, const char* m, int64_t seed) {
    runOp(ws, makeOp("Dropout", {"X"}, {y, m}, args({{"ratio", F(0.25)}, {"seed", I(seed)}})));
  };
  drop("Y", "M", 7);
  drop("Y2", "M2", 7);
  drop("Y3", "M3", 8);
  const Floats y = fetch(ws, "Y"), y2 = fetch(ws, "Y2"), y3 = fetch(ws, "Y3");
  CHECK(y == y2);
  CHECK(y != y3);
  int kept = 0;
  const uint8_t* m = static_cast<const uint8_t*>(get(ws, "M").raw());
  CHECK(get(ws, "M").dtype() == DType::Bool);
  bool consistent = true;
  for (int i = 0; i < n; ++i) {
    kept += m[i];
    consistent &= (m[i] ? y[i] == 1.f / 0.75f : y[i] == 0.f) && m[i] <= 1;
  }
  CHECK(consistent);
  CHECK(std::abs(kept - 0.75 * n) < 4 * std::sqrt(n * 0.75 * 0.25));
  // A second run of the same op instance draws a new mask.
  {
    auto op = OpRegistry::instance().create(makeOp("Dropout", {"X"}, {"Y4"}, args({{"seed", I(7)}, {"ratio", F(0.25)}})), ws);
    RunContext ctx;
    op->run(ctx);
    const Floats a = fetch(ws, "Y4");
    CHECK(a == y);
    op->run(ctx);
    CHECK(fetch(ws, "Y4") != y);
  }
  runOp(ws, makeOp("Dropout", {"X"}, {"Yt", "Mt"}, args({{"is_test", I(1)}})));
  CHECK(fetch(ws, "Yt") == fetch(ws, "X"));
  runOp(ws, makeOp("Dropout", {"X"}, {"Y0"}, args({{"ratio", F(0)}})));
  CHECK(fetch(ws, "Y0") == fetch(ws, "X"));
}

// ---- Gradients against finite differences ----

TEST(gradient_fc_and_matmul) {
  Rng r;
  GradCase fc;
  fc.def = makeOp("FC", {"X", "W", "b"}, {"Y"});
  fc.floats = {{"X", {{3, 4}, r.vec(12)}}, {"W", {{5, 4}, r.vec(20)}}, {"b", {{5}, r.vec(5)}}};
  fc.weighted = {0};
  fc.check = {0, 1, 2};
  CHECK(gradCheck(fc));
  GradCase fr = fc;  // fused FC + ReLU
  fr.def = makeOp("FCRelu", {"X", "W", "b"}, {"Y"});
  CHECK(gradCheck(fr));
  GradCase fc3 = fc;  // 3-D X with axis 2
  fc3.def.args["axis"] = I(2);
  fc3.floats[0] = {"X", {{2, 3, 4}, r.vec(24)}};
  CHECK(gradCheck(fc3));
  for (int t = 0; t < 4; ++t) {
    GradCase mm;
    const bool ta = t & 1, tb = t & 2;
    mm.def = makeOp("MatMul", {"A", "B"}, {"Y"}, args({{"trans_a", I(ta)}, {"trans_b", I(tb)}}));
    mm.floats = {{"A", {ta ? Shape{4, 3} : Shape{3, 4}, r.vec(12)}}, {"B", {tb ? Shape{5, 4} : Shape{4, 5}, r.vec(20)}}};
    mm.weighted = {0};
    mm.check = {0, 1};
    CHECK(gradCheck(mm));
    GradCase bm = mm;  // batched A, shared B
    bm.floats[0] = {"A", {ta ? Shape{2, 4, 3} : Shape{2, 3, 4}, r.vec(24)}};
    CHECK(gradCheck(bm));
    GradCase bb = mm;  // both batched
    bb.floats[0] = {"A", {ta ? Shape{2, 4, 3} : Shape{2, 3, 4}, r.vec(24)}};
    bb.floats[1] = {"B", {tb ? Shape{2, 5, 4} : Shape{2, 4, 5}, r.vec(40)}};
    CHECK(gradCheck(bb));
  }
}

TEST(gradient_activations_softmax) {
  Rng r;
  Floats away = r.vec(12);
  for (auto& v : away) v += v > 0 ? 0.1f : -0.1f;  // keep Relu's kink out of ±eps
  for (const char* type : {"Relu", "Sigmoid", "Tanh", "Softmax"}) {
    GradCase g;
    g.def = makeOp(type, {"X"}, {"Y"});
    g.floats = {{"X", {{3, 4}, away}}};
    g.weighted = {0};
    g.check = {0};
    if (!gradCheck(g)) std::fprintf(stderr, "  (%s)\n", type);
    CHECK(gradCheck(g));
  }
  GradCase sa;
  sa.def = makeOp("Softmax", {"X"}, {"Y"}, args({{"axis", I(2)}}));
  sa.floats = {{"X", {{2, 2, 3}, r.vec(12)}}};
  sa.weighted = {0};
  sa.check = {0};
  CHECK(gradCheck(sa));
}

TEST(gradient_losses) {
  Rng r;
  GradCase sl;
  sl.def = makeOp("SoftmaxWithLoss", {"X", "L"}, {"P", "loss"}, args({{"scale", F(1.5)}}));
  sl.floats = {{"X", {{4, 3}, r.vec(12, -2, 2)}}};
  sl.extra = [](Workspace& ws) { feedT<int32_t>(ws, "L", {4}, {0, 2, 1, 2}); };
  sl.weighted = {1};
  sl.check = {0};
  CHECK(gradCheck(sl));
  GradCase slw = sl;  // with weights
  slw.def = makeOp("SoftmaxWithLoss", {"X", "L", "w"}, {"P", "loss"});
  slw.floats.push_back({"w", {{4}, {1, 0.5f, 2, 0}}});
  CHECK(gradCheck(slw));
  GradCase slp;  // probabilities
  slp.def = makeOp("SoftmaxWithLoss", {"X", "T"}, {"P", "loss"}, args({{"label_prob", I(1)}}));
  slp.floats = {{"X", {{2, 3}, r.vec(6, -2, 2)}}};
  slp.extra = [](Workspace& ws) { feed(ws, "T", {2, 3}, {0.2f, 0.3f, 0.5f, 0, 1, 0}); };
  slp.weighted = {1};
  slp.check = {0};
  CHECK(gradCheck(slp));
  GradCase sx;
  sx.def = makeOp("SigmoidCrossEntropyWithLogits", {"X", "T"}, {"Y"});
  sx.floats = {{"X", {{3, 4}, r.vec(12, -3, 3)}}};
  sx.extra = [](Workspace& ws) {
    Rng q;
    feed(ws, "T", {3, 4}, q.vec(12, 0, 1));
  };
  sx.weighted = {0};
  sx.check = {0};
  CHECK(gradCheck(sx));
  GradCase l2;
  l2.def = makeOp("SquaredL2Distance", {"X", "Y"}, {"D"});
  l2.floats = {{"X", {{3, 4}, r.vec(12)}}, {"Y", {{3, 4}, r.vec(12)}}};
  l2.weighted = {0};
  l2.check = {0, 1};
  CHECK(gradCheck(l2));
  GradCase avg;
  avg.def = makeOp("AveragedLoss", {"X"}, {"L"});
  avg.floats = {{"X", {{2, 3}, r.vec(6)}}};
  avg.weighted = {0};
  avg.check = {0};
  CHECK(gradCheck(avg));
  GradCase dr;  // a fixed seed gives the same mask on every fresh instance
  dr.def = makeOp("Dropout", {"X"}, {"Y", "M"}, args({{"ratio", F(0.5)}, {"seed", I(3)}}));
  dr.floats = {{"X", {{20}, r.vec(20)}}};
  dr.weighted = {0};
  dr.check = {0};
  CHECK(gradCheck(dr));
}

// ---- Bad input ----

TEST(bad_input_rejected_at_instantiation) {
  auto& reg = OpRegistry::instance();
  Workspace ws;
  feed(ws, "X", {2, 3}, {1, 2, 3, 4, 5, 6});
  feed(ws, "W", {4, 3}, Floats(12, 1));
  feed(ws, "Wbad", {4, 2}, Floats(8, 1));
  feed(ws, "b", {4}, Floats(4, 0));
  feed(ws, "b5", {5}, Floats(5, 0));
  feed(ws, "v", {3}, {1, 2, 3});
  feedT<int32_t>(ws, "Xi", {2, 3}, {1, 2, 3, 4, 5, 6});
  feedT<int32_t>(ws, "L", {2}, {0, 1});
  feedT<int32_t>(ws, "Lbad", {2}, {0, 3});
  feedT<int32_t>(ws, "L3", {3}, {0, 1, 2});
  feed(ws, "Lf", {2}, {0, 1});
  // FC: dtype, dims, bias size, axis range, in place, unknown argument.
  CHECK_THROWS_CODE(reg.create(makeOp("FC", {"Xi", "W", "b"}, {"Y"}), ws), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("FC", {"X", "Wbad", "b"}, {"Y"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("FC", {"X", "W", "b5"}, {"Y"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("FC", {"X", "W", "b"}, {"Y"}, args({{"axis", I(2)}})), ws), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("FC", {"X", "W", "b"}, {"X"}), ws), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("FC", {"X", "W", "b"}, {"Y"}, args({{"transposed", I(1)}})), ws),
                    codes::kUnknownArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("FC", {"X", "W"}, {"Y"}), ws), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("FCRelu", {"X", "W", "b5"}, {"Y"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("FCReluGradient", {"X", "W", "b", "dY"}, {"dW", "db"}), ws), codes::kShapeMismatch);
  // MatMul: rank, inner dims, flag values.
  CHECK_THROWS_CODE(reg.create(makeOp("MatMul", {"v", "W"}, {"Y"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("MatMul", {"X", "W"}, {"Y"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("MatMul", {"X", "W"}, {"Y"}, args({{"trans_b", I(2)}})), ws),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("MatMul", {"Xi", "W"}, {"Y"}), ws), codes::kDtypeMismatch);
  // Activations and softmax: dtype, mismatched gradient shapes, axis.
  CHECK_THROWS_CODE(reg.create(makeOp("Relu", {"Xi"}, {"Y"}), ws), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("TanhGradient", {"X", "W"}, {"Y"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("Softmax", {"X"}, {"Y"}, args({{"axis", I(-3)}})), ws), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("Softmax", {"Xi"}, {"Y"}), ws), codes::kDtypeMismatch);
  // SoftmaxWithLoss: label dtype and count, weights, NaN/Inf scale, label_prob shape.
  CHECK_THROWS_CODE(reg.create(makeOp("SoftmaxWithLoss", {"X", "Lf"}, {"P", "l"}), ws), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("SoftmaxWithLoss", {"X", "L3"}, {"P", "l"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("SoftmaxWithLoss", {"X", "L", "v"}, {"P", "l"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("SoftmaxWithLoss", {"X", "L"}, {"P", "l"}, args({{"scale", F(NAN)}})), ws),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("SoftmaxWithLoss", {"X", "L"}, {"P", "l"}, args({{"scale", F(INFINITY)}})), ws),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("SoftmaxWithLoss", {"X", "L"}, {"P", "l"}, args({{"label_prob", I(1)}})), ws),
                    codes::kDtypeMismatch);
  // Labels out of range fail at run time with the index named.
  CHECK_THROWS_CODE(runOp(ws, makeOp("SoftmaxWithLoss", {"X", "Lbad"}, {"P", "l"})), codes::kIndexOutOfRange);
  CHECK_THROWS_CODE(runOp(ws, makeOp("Accuracy", {"X", "Lbad"}, {"acc"})), codes::kIndexOutOfRange);
  feed(ws, "Tbad", {2, 3}, {0.5f, 0.5f, 0.5f, 1, 0, 0});
  CHECK_THROWS_CODE(runOp(ws, makeOp("SoftmaxWithLoss", {"X", "Tbad"}, {"P", "l"}, args({{"label_prob", I(1)}}))),
                    codes::kInvalidArgument);
  // Other losses and accuracy.
  CHECK_THROWS_CODE(reg.create(makeOp("SigmoidCrossEntropyWithLogits", {"X", "W"}, {"Y"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("SquaredL2Distance", {"X", "Xi"}, {"Y"}), ws), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("AveragedLoss", {"Xi"}, {"Y"}), ws), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("Accuracy", {"X", "L"}, {"a"}, args({{"top_k", I(0)}})), ws),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("Accuracy", {"v", "L"}, {"a"}), ws), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("Accuracy", {"X", "L3"}, {"a"}), ws), codes::kShapeMismatch);
  // Dropout: ratio NaN / out of [0, 1), flags, gradient without a mask.
  for (double bad : {double(NAN), 1.0, -0.1, double(INFINITY)})
    CHECK_THROWS_CODE(reg.create(makeOp("Dropout", {"X"}, {"Y"}, args({{"ratio", F(bad)}})), ws), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("Dropout", {"X"}, {"Y"}, args({{"is_test", I(3)}})), ws), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.create(makeOp("Dropout", {"Xi"}, {"Y"}), ws), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(reg.create(makeOp("DropoutGrad", {"X"}, {"Y"}), ws), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.gradient(makeOp("Dropout", {"X"}, {"Y"}), {"Y_grad"}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reg.gradient(makeOp("Accuracy", {"X", "L"}, {"a"}), {"a_grad"}), codes::kInvalidArgument);
}

TEST(bad_input_at_run_time) {
  // Inputs produced later pass instantiation; run checks them.
  Workspace ws;
  auto fc = OpRegistry::instance().create(makeOp("FC", {"X", "W", "b"}, {"Y"}), ws);
  feed(ws, "X", {2, 3}, Floats(6, 1));
  feed(ws, "W", {4, 2}, Floats(8, 1));
  feed(ws, "b", {4}, Floats(4, 0));
  RunContext ctx;
  CHECK_THROWS_CODE(fc->run(ctx), codes::kShapeMismatch);
  auto relu = OpRegistry::instance().create(makeOp("Relu", {"Q"}, {"R"}), ws);
  CHECK_THROWS_CODE(relu->run(ctx), codes::kMissingBlob);
}

// Runs the suite at the best level, then once per lower level in a child.
int main(int argc, char** argv) {
  std::fprintf(stderr, "== dense ops at SIMD level %s\n", kernels::isaName(kernels::denseKernels().isa));
  int rc = hwtest::runAll(argc, argv);
  if (std::getenv("HOGWILD_SIMD")) return rc;
  for (kernels::Isa isa : kernels::supportedIsas()) {
    if (isa == kernels::denseKernels().isa) continue;
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    env.push_back(std::string("HOGWILD_SIMD=") + kernels::isaName(isa));
    std::vector<char*> envp;
    for (auto& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
    pid_t pid;
    const char* self = access("/proc/self/exe", X_OK) == 0 ? "/proc/self/exe" : argv[0];
    if (posix_spawn(&pid, self, nullptr, nullptr, argv, envp.data()) != 0) {
      std::fprintf(stderr, "could not re-run at level %s\n", kernels::isaName(isa));
      rc = 1;
      continue;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
  }
  return rc;
}
