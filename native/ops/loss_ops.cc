// Losses (Caffe2 semantics) and their gradients:
//   SoftmaxWithLoss(X, labels, [weights]) -> (P, loss)
//     X read as N×D at `axis`; labels int32/int64 with N elements in [0, D), or
//     with label_prob=1 float32 probabilities shaped like X (rows sum to 1).
//     loss = scale · Σ_i w_i·(−Σ_j t_ij·log P_ij) / Σ_i w_i (0 when Σ w = 0),
//     computed from log-softmax (no log(0)).
//     SoftmaxWithLossGradient(X, labels, [weights], P, dLoss) -> dX = scale·dLoss·w_i·(P − t)/Σw
//   SigmoidCrossEntropyWithLogits(X, T) -> mean over the last dim of
//     max(x, 0) − x·t + log(1 + e^−|x|), shape X.dims[:-1]
//     ...Gradient(dOut, X, T) -> dX = (σ(x) − t)·dOut / D
//   SquaredL2Distance(X, Y) -> 0.5·Σ_row (x − y)², shape [N] (N = dim 0)
//     ...Gradient(X, Y, dD) -> (dX = (x − y)·dD, dY = −dX)
//   AveragedLoss(X) -> mean(X) as a 0-D scalar; ...Gradient(X, dL) -> dL/numel
#include <cmath>
#include <vector>

#include "dense_op.h"

namespace hogwild {
namespace {

// ---- SoftmaxWithLoss ----

class SoftmaxLossBase : public DenseOp {
 public:
  SoftmaxLossBase(const OperatorDef& def, Workspace& ws, bool hasWeights) : DenseOp(def, ws), _hasWeights(hasWeights) {
    _axis = argInt("axis", 1);
    _labelProb = argFlag("label_prob", false);
    _scale = static_cast<float>(argFinite("scale", 1.0));
    forbidInPlace();
  }

 protected:
  // Checks X, labels and weights; returns {N, D}.
  std::pair<int64_t, int64_t> check(const Tensor& x, const Tensor& t, const Tensor* w) const {
    expectF32(0, x);
    const int64_t ax = canonicalAxis("axis", _axis, x.ndim());
    const int64_t n = x.sizeTo(ax), d = x.sizeFrom(ax);
    if (_labelProb) {
      expectF32(1, t);
      expectSameShape(0, x, 1, t);
    } else {
      expectIndexDtype(1, t);
      if (t.numel() != n || (t.ndim() == 2 && t.dim(1) != 1) || t.ndim() > 2)
        fail(codes::kShapeMismatch, "Expected labels '" + inputName(1) + "' of shape [" + std::to_string(n) +
                                        "] or [" + std::to_string(n) + ", 1] but received " + shapeString(t.shape()));
    }
    if (w) {
      expectF32(2, *w);
      if (w->numel() != n || w->ndim() != 1)
        fail(codes::kShapeMismatch, "Expected weights '" + inputName(2) + "' of shape [" + std::to_string(n) +
                                        "] but received " + shapeString(w->shape()));
    }
    return {n, d};
  }
  // Label checks that need the values (run time only).
  void checkLabelValues(const Tensor& t, int64_t n, int64_t d) const {
    if (!_labelProb) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t l = labelAt(t, i);
        if (l < 0 || l >= d)
          fail(codes::kIndexOutOfRange, "Expected labels in [0, " + std::to_string(d) + ") for '" + inputName(1) +
                                            "' but received " + std::to_string(l) + " at " + std::to_string(i));
      }
      return;
    }
    const float* tp = t.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (int64_t j = 0; j < d; ++j) s += tp[i * d + j];
      if (!(std::fabs(s - 1.0) < 1e-2))
        fail(codes::kInvalidArgument, "Expected label probabilities summing to 1 in each row of '" + inputName(1) +
                                          "' but row " + std::to_string(i) + " sums to " + std::to_string(s));
    }
  }
  float weightSum(const Tensor* w, int64_t n) const {
    if (!w) return static_cast<float>(n);
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += w->data<float>()[i];
    return static_cast<float>(s);
  }

  bool _hasWeights, _labelProb;
  int64_t _axis;
  float _scale;
};

class SoftmaxWithLossOp final : public SoftmaxLossBase {
 public:
  SoftmaxWithLossOp(const OperatorDef& def, Workspace& ws) : SoftmaxLossBase(def, ws, def.inputs.size() > 2) {
    const Tensor *x = inputIfReady(0), *t = inputIfReady(1), *w = _hasWeights ? inputIfReady(2) : nullptr;
    if (x && t) check(*x, *t, w);
    if (x) expectF32(0, *x);
    if (w) expectF32(2, *w);
  }
  void run(RunContext&) override {
    const Tensor &x = input(0), &t = input(1);
    const Tensor* w = _hasWeights ? &input(2) : nullptr;
    const auto [n, d] = check(x, t, w);
    checkLabelValues(t, n, d);
    Tensor& p = output(0);
    p.resize(DType::Float32, x.shape());
    _logp.resize(static_cast<size_t>(n * d));
    kern().softmaxRows(n, d, x.data<float>(), p.data<float>(), _logp.data());
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float wi = w ? w->data<float>()[i] : 1.f;
      double li;
      if (_labelProb) {
        li = 0;
        const float* ti = t.data<float>() + i * d;
        for (int64_t j = 0; j < d; ++j)
          if (ti[j] != 0.f) li -= double(ti[j]) * _logp[i * d + j];
      } else {
        li = -_logp[i * d + labelAt(t, i)];
      }
      total += li * wi;
    }
    const float ws = weightSum(w, n);
    setScalarF32(1, ws == 0.f ? 0.f : static_cast<float>(total * _scale / ws));
  }

 private:
  std::vector<float> _logp;
};

class SoftmaxWithLossGradientOp final : public SoftmaxLossBase {
 public:
  // Inputs: X, labels, [weights], P, dLoss.
  SoftmaxWithLossGradientOp(const OperatorDef& def, Workspace& ws) : SoftmaxLossBase(def, ws, def.inputs.size() > 4) {
    const Tensor *x = inputIfReady(0), *t = inputIfReady(1), *w = _hasWeights ? inputIfReady(2) : nullptr;
    if (x && t) check(*x, *t, w);
  }
  void run(RunContext&) override {
    const size_t pi = _hasWeights ? 3 : 2;
    const Tensor &x = input(0), &t = input(1), &p = input(pi), &dl = input(pi + 1);
    const Tensor* w = _hasWeights ? &input(2) : nullptr;
    const auto [n, d] = check(x, t, w);
    checkLabelValues(t, n, d);
    expectF32(pi, p);
    expectSameShape(0, x, pi, p);
    expectF32(pi + 1, dl);
    if (dl.numel() != 1)
      fail(codes::kShapeMismatch, "Expected a scalar loss gradient '" + inputName(pi + 1) + "' but received shape " +
                                      shapeString(dl.shape()));
    Tensor& dx = output(0);
    dx.resize(DType::Float32, x.shape());
    const float ws = weightSum(w, n);
    const float base = ws == 0.f ? 0.f : _scale * dl.data<float>()[0] / ws;
    const float* pp = p.data<float>();
    float* g = dx.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      const float c = base * (w ? w->data<float>()[i] : 1.f);
      if (_labelProb) {
        const float* ti = t.data<float>() + i * d;
        for (int64_t j = 0; j < d; ++j) g[i * d + j] = c * (pp[i * d + j] - ti[j]);
      } else {
        kern().scale(d, c, pp + i * d, g + i * d);
        g[i * d + labelAt(t, i)] -= c;
      }
    }
  }
};

GradientDefs softmaxWithLossGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  if (g[1].empty()) return out;
  std::vector<std::string> ins(def.inputs.begin(), def.inputs.end());
  ins.push_back(def.outputs[0]);
  ins.push_back(g[1]);
  OperatorDef op = makeOp("SoftmaxWithLossGradient", ins, {gradName(def.inputs[0])});
  op.args = def.args;
  out.ops.push_back(op);
  out.inputs = {denseGradSpec(gradName(def.inputs[0]))};
  return out;
}

// ---- SigmoidCrossEntropyWithLogits ----

class SigmoidXentBase : public DenseOp {
 public:
  SigmoidXentBase(const OperatorDef& def, Workspace& ws, size_t xi) : DenseOp(def, ws), _xi(xi) { forbidInPlace(); }

 protected:
  void check(const Tensor& x, const Tensor& t) const {
    expectF32(_xi, x);
    expectF32(_xi + 1, t);
    expectMinRank(_xi, x, 1);
    expectSameShape(_xi, x, _xi + 1, t);
  }
  Shape outShape(const Tensor& x) const { return Shape(x.shape().begin(), x.shape().end() - 1); }
  size_t _xi;  // index of X among the inputs
};

class SigmoidXentOp final : public SigmoidXentBase {
 public:
  SigmoidXentOp(const OperatorDef& def, Workspace& ws) : SigmoidXentBase(def, ws, 0) {
    const Tensor *x = inputIfReady(0), *t = inputIfReady(1);
    if (x && t) check(*x, *t);
  }
  void run(RunContext&) override {
    const Tensor &x = input(0), &t = input(1);
    check(x, t);
    const int64_t d = x.dim(-1), rows = d == 0 ? checkedNumel(outShape(x)) : x.numel() / d;
    Tensor& out = output(0);
    out.resize(DType::Float32, outShape(x));
    const float *xp = x.data<float>(), *tp = t.data<float>();
    float* o = out.data<float>();
    for (int64_t i = 0; i < rows; ++i) {
      double s = 0;
      for (int64_t j = 0; j < d; ++j) {
        const float v = xp[i * d + j];
        s += (v > 0 ? v : 0.f) - double(v) * tp[i * d + j] + std::log1p(std::exp(-std::fabs(double(v))));
      }
      o[i] = d == 0 ? 0.f : static_cast<float>(s / d);
    }
  }
};

class SigmoidXentGradientOp final : public SigmoidXentBase {
 public:
  // Inputs: dOut, X, T.
  SigmoidXentGradientOp(const OperatorDef& def, Workspace& ws) : SigmoidXentBase(def, ws, 1) {
    const Tensor *x = inputIfReady(1), *t = inputIfReady(2);
    if (x && t) check(*x, *t);
  }
  void run(RunContext&) override {
    const Tensor &g = input(0), &x = input(1), &t = input(2);
    check(x, t);
    expectF32(0, g);
    if (g.shape() != outShape(x))
      fail(codes::kShapeMismatch, "Expected the output gradient '" + inputName(0) + "' of shape " +
                                      shapeString(outShape(x)) + " but received " + shapeString(g.shape()));
    const int64_t d = x.dim(-1), rows = d == 0 ? 0 : x.numel() / d;
    Tensor& dx = output(0);
    dx.resize(DType::Float32, x.shape());
    const float *xp = x.data<float>(), *tp = t.data<float>(), *gp = g.data<float>();
    float* o = dx.data<float>();
    kern().sigmoid(x.numel(), xp, o);
    for (int64_t i = 0; i < rows; ++i) {
      const float c = gp[i] / static_cast<float>(d);
      for (int64_t j = 0; j < d; ++j) o[i * d + j] = (o[i * d + j] - tp[i * d + j]) * c;
    }
  }
};

GradientDefs sigmoidXentGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  if (g[0].empty()) return out;
  out.ops.push_back(makeOp("SigmoidCrossEntropyWithLogitsGradient", {g[0], def.inputs[0], def.inputs[1]},
                           {gradName(def.inputs[0])}));
  out.inputs = {denseGradSpec(gradName(def.inputs[0]))};
  return out;
}

// ---- SquaredL2Distance ----

class SquaredL2Base : public DenseOp {
 public:
  using DenseOp::DenseOp;

 protected:
  void check(const Tensor& x, const Tensor& y) const {
    expectF32(0, x);
    expectF32(1, y);
    expectSameShape(0, x, 1, y);
  }
  static int64_t rowsOf(const Tensor& x) { return x.ndim() > 0 ? x.dim(0) : 1; }
};

class SquaredL2Op final : public SquaredL2Base {
 public:
  SquaredL2Op(const OperatorDef& def, Workspace& ws) : SquaredL2Base(def, ws) {
    forbidInPlace();
    const Tensor *x = inputIfReady(0), *y = inputIfReady(1);
    if (x && y) check(*x, *y);
  }
  void run(RunContext&) override {
    const Tensor &x = input(0), &y = input(1);
    check(x, y);
    const int64_t n = rowsOf(x), d = n == 0 ? 0 : x.numel() / n;
    Tensor& out = output(0);
    out.resize(DType::Float32, {n});
    _diff.resize(static_cast<size_t>(d));
    const auto& K = kern();
    for (int64_t i = 0; i < n; ++i) {
      K.sub(d, x.data<float>() + i * d, y.data<float>() + i * d, _diff.data());
      out.data<float>()[i] = 0.5f * K.dot(d, _diff.data(), _diff.data());
    }
  }

 private:
  std::vector<float> _diff;
};

class SquaredL2GradientOp final : public SquaredL2Base {
 public:
  // Inputs: X, Y, dDistance; outputs dX, dY.
  SquaredL2GradientOp(const OperatorDef& def, Workspace& ws) : SquaredL2Base(def, ws) {
    forbidInPlace();
    const Tensor *x = inputIfReady(0), *y = inputIfReady(1);
    if (x && y) check(*x, *y);
  }
  void run(RunContext&) override {
    const Tensor &x = input(0), &y = input(1), &g = input(2);
    check(x, y);
    expectF32(2, g);
    const int64_t n = rowsOf(x), d = n == 0 ? 0 : x.numel() / n;
    if (g.numel() != n || g.ndim() != 1)
      fail(codes::kShapeMismatch, "Expected the distance gradient '" + inputName(2) + "' of shape [" +
                                      std::to_string(n) + "] but received " + shapeString(g.shape()));
    Tensor& dx = output(0);
    dx.resize(DType::Float32, x.shape());
    Tensor& dy = output(1);
    dy.resize(DType::Float32, x.shape());
    const auto& K = kern();
    float *dxp = dx.data<float>(), *dyp = dy.data<float>();
    K.sub(x.numel(), x.data<float>(), y.data<float>(), dxp);
    for (int64_t i = 0; i < n; ++i) {
      K.scale(d, g.data<float>()[i], dxp + i * d, dxp + i * d);
      K.scale(d, -1.f, dxp + i * d, dyp + i * d);
    }
  }
};

GradientDefs squaredL2Gradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  if (g[0].empty()) return out;
  out.ops.push_back(makeOp("SquaredL2DistanceGradient", {def.inputs[0], def.inputs[1], g[0]},
                           {gradName(def.inputs[0]), gradName(def.inputs[1])}));
  out.inputs = {denseGradSpec(gradName(def.inputs[0])), denseGradSpec(gradName(def.inputs[1]))};
  return out;
}

// ---- AveragedLoss ----

class AveragedLossOp final : public DenseOp {
 public:
  AveragedLossOp(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    forbidInPlace();
    if (const Tensor* x = inputIfReady(0)) expectF32(0, *x);
  }
  void run(RunContext&) override {
    const Tensor& x = input(0);
    expectF32(0, x);
    const int64_t n = x.numel();
    setScalarF32(0, n == 0 ? 0.f : kern().sum(n, x.data<float>()) / static_cast<float>(n));
  }
};

class AveragedLossGradientOp final : public DenseOp {
 public:
  // Inputs: X, dLoss.
  AveragedLossGradientOp(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    if (const Tensor* x = inputIfReady(0)) expectF32(0, *x);
  }
  void run(RunContext&) override {
    const Tensor &x = input(0), &g = input(1);
    expectF32(0, x);
    expectF32(1, g);
    if (g.numel() != 1)
      fail(codes::kShapeMismatch, "Expected a scalar loss gradient '" + inputName(1) + "' but received shape " +
                                      shapeString(g.shape()));
    const float v = x.numel() == 0 ? 0.f : g.data<float>()[0] / static_cast<float>(x.numel());
    Tensor& dx = output(0);
    dx.resize(DType::Float32, x.shape());
    float* p = dx.data<float>();
    for (int64_t i = 0; i < dx.numel(); ++i) p[i] = v;
  }
};

GradientDefs averagedLossGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  if (g[0].empty()) return out;
  out.ops.push_back(makeOp("AveragedLossGradient", {def.inputs[0], g[0]}, {gradName(def.inputs[0])}));
  out.inputs = {denseGradSpec(gradName(def.inputs[0]))};
  return out;
}

}  // namespace

HW_REGISTER_OP(SoftmaxWithLoss, SoftmaxWithLossOp)
    .inputs(2, 3)
    .outputs(2)
    .argList({"axis", "label_prob", "scale"})
    .describe("(X, labels, [weights]) -> (P = softmax(X), loss = scale·weighted mean of −log P[label])")
    .gradientMaker(softmaxWithLossGradient);
HW_REGISTER_OP(SoftmaxWithLossGradient, SoftmaxWithLossGradientOp)
    .inputs(4, 5)
    .outputs(1)
    .argList({"axis", "label_prob", "scale"})
    .describe("(X, labels, [weights], P, dLoss) -> dX");
HW_REGISTER_OP(SigmoidCrossEntropyWithLogits, SigmoidXentOp)
    .inputs(2)
    .outputs(1)
    .describe("(logits X, targets T) -> mean over the last dim of the logistic loss")
    .gradientMaker(sigmoidXentGradient);
HW_REGISTER_OP(SigmoidCrossEntropyWithLogitsGradient, SigmoidXentGradientOp)
    .inputs(3)
    .outputs(1)
    .describe("(dOut, X, T) -> dX = (sigmoid(X) − T)·dOut / D");
HW_REGISTER_OP(SquaredL2Distance, SquaredL2Op)
    .inputs(2)
    .outputs(1)
    .describe("(X, Y) -> 0.5·Σ (X − Y)² per row of dim 0")
    .gradientMaker(squaredL2Gradient);
HW_REGISTER_OP(SquaredL2DistanceGradient, SquaredL2GradientOp)
    .inputs(3)
    .outputs(2)
    .describe("(X, Y, dDistance) -> (dX, dY)");
HW_REGISTER_OP(AveragedLoss, AveragedLossOp)
    .inputs(1)
    .outputs(1)
    .describe("X -> mean(X) as a 0-D scalar")
    .gradientMaker(averagedLossGradient);
HW_REGISTER_OP(AveragedLossGradient, AveragedLossGradientOp)
    .inputs(2)
    .outputs(1)
    .describe("(X, dLoss) -> dX = dLoss / numel(X)");

}  // namespace hogwild
