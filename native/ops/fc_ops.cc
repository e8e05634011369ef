// FC and FCGradient (Caffe2 semantics). X is read as an M×K matrix
// (M = prod(X.dims[:axis]), K = prod(X.dims[axis:])), W as N×K
// (N = prod(W.dims[:axis_w])), b has N elements:
//   Y = X · Wᵀ + b, shape X.dims[:axis] + [N]
//   FCGradient(X, W, dY) -> dW = dYᵀ · X (shape of W), db = Σ_rows dY, [dX = dY · W (shape of X)]
#include "dense_op.h"

namespace hogwild {
namespace {

// The M×K, N×K view shared by FC and FCGradient.
struct FcDims {
  int64_t m = 0, k = 0, n = 0;
};

class FcBase : public DenseOp {
 public:
  FcBase(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    _axis = argInt("axis", 1);
    _axisW = argInt("axis_w", 1);
    forbidInPlace();
  }

 protected:
  FcDims dims(const Tensor& x, const Tensor& w) const {
    expectF32(0, x);
    expectF32(1, w);
    const int64_t ax = canonicalAxis("axis", _axis, x.ndim());
    const int64_t aw = canonicalAxis("axis_w", _axisW, w.ndim());
    FcDims d{x.sizeTo(ax), x.sizeFrom(ax), w.sizeTo(aw)};
    if (w.sizeFrom(aw) != d.k)
      fail(codes::kShapeMismatch, "Expected W '" + inputName(1) + "' to have " + std::to_string(d.k) +
                                      " columns (X '" + inputName(0) + "' is " + shapeString(x.shape()) +
                                      " at axis " + std::to_string(ax) + ") but received shape " +
                                      shapeString(w.shape()) + " at axis_w " + std::to_string(aw));
    return d;
  }
  Shape outShape(const Tensor& x, int64_t n) const {
    const int64_t ax = _axis < 0 ? _axis + x.ndim() : _axis;
    Shape s(x.shape().begin(), x.shape().begin() + ax);
    s.push_back(n);
    return s;
  }

  int64_t _axis, _axisW;
};

class FcOp final : public FcBase {
 public:
  FcOp(const OperatorDef& def, Workspace& ws) : FcBase(def, ws) {
    const Tensor *x = inputIfReady(0), *w = inputIfReady(1), *b = inputIfReady(2);
    if (x && w) {
      FcDims d = dims(*x, *w);
      if (b) checkBias(*b, d.n);
    } else {
      if (x) expectF32(0, *x);
      if (w) expectF32(1, *w);
      if (b) expectF32(2, *b);
    }
  }
  void run(RunContext&) override {
    const Tensor &x = input(0), &w = input(1), &b = input(2);
    const FcDims d = dims(x, w);
    checkBias(b, d.n);
    Tensor& y = output(0);
    y.resize(DType::Float32, outShape(x, d.n));
    const auto& k = kern();
    float* yp = y.data<float>();
    k.broadcastRows(d.m, d.n, b.data<float>(), yp, d.n);
    k.sgemm(false, true, d.m, d.n, d.k, 1.f, x.data<float>(), d.k, w.data<float>(), d.k, 1.f, yp, d.n);
  }

 private:
  void checkBias(const Tensor& b, int64_t n) const {
    expectF32(2, b);
    if (b.numel() != n)
      fail(codes::kShapeMismatch, "Expected b '" + inputName(2) + "' to have " + std::to_string(n) +
                                      " elements (the rows of W) but received shape " + shapeString(b.shape()));
  }
};

class FcGradientOp final : public FcBase {
 public:
  FcGradientOp(const OperatorDef& def, Workspace& ws) : FcBase(def, ws) {
    const Tensor *x = inputIfReady(0), *w = inputIfReady(1), *dy = inputIfReady(2);
    if (x && w) {
      FcDims d = dims(*x, *w);
      if (dy) checkDy(x, *dy, d);
    } else {
      if (x) expectF32(0, *x);
      if (w) expectF32(1, *w);
      if (dy) expectF32(2, *dy);
    }
  }
  void run(RunContext&) override {
    const Tensor &x = input(0), &w = input(1), &dy = input(2);
    const FcDims d = dims(x, w);
    checkDy(&x, dy, d);
    const auto& k = kern();
    Tensor& dw = output(0);
    dw.resize(DType::Float32, w.shape());
    k.sgemm(true, false, d.n, d.k, d.m, 1.f, dy.data<float>(), d.n, x.data<float>(), d.k, 0.f, dw.data<float>(), d.k);
    Tensor& db = output(1);
    db.resize(DType::Float32, {d.n});
    k.colSums(d.m, d.n, dy.data<float>(), d.n, 0.f, db.data<float>());
    if (numOutputs() > 2) {
      Tensor& dx = output(2);
      dx.resize(DType::Float32, x.shape());
      k.sgemm(false, false, d.m, d.k, d.n, 1.f, dy.data<float>(), d.n, w.data<float>(), d.k, 0.f, dx.data<float>(), d.k);
    }
  }

 private:
  void checkDy(const Tensor* x, const Tensor& dy, const FcDims& d) const {
    expectF32(2, dy);
    if (dy.numel() != d.m * d.n || (dy.ndim() > 0 && dy.dim(-1) != d.n))
      fail(codes::kShapeMismatch, "Expected dY '" + inputName(2) + "' of shape " + shapeString(outShape(*x, d.n)) +
                                      " but received " + shapeString(dy.shape()));
  }
};

GradientDefs fcGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  if (g[0].empty()) return out;
  OperatorDef op = makeOp("FCGradient", {def.inputs[0], def.inputs[1], g[0]},
                          {gradName(def.inputs[1]), gradName(def.inputs[2]), gradName(def.inputs[0])});
  for (const char* a : {"axis", "axis_w"})
    if (def.args.count(a)) op.args[a] = def.args.at(a);
  out.ops.push_back(op);
  out.inputs = {denseGradSpec(gradName(def.inputs[0])), denseGradSpec(gradName(def.inputs[1])),
                denseGradSpec(gradName(def.inputs[2]))};
  return out;
}

}  // namespace

HW_REGISTER_OP(FC, FcOp)
    .inputs(3)
    .outputs(1)
    .argList({"axis", "axis_w"})
    .describe("(X, W, b) -> Y = X·Wᵀ + b; X flattened to 2-D at `axis`, W at `axis_w`")
    .gradientMaker(fcGradient);
HW_REGISTER_OP(FCGradient, FcGradientOp)
    .inputs(3)
    .outputs(2, 3)
    .argList({"axis", "axis_w"})
    .describe("(X, W, dY) -> (dW = dYᵀ·X, db = column sums of dY, [dX = dY·W])");

}  // namespace hogwild
