// FC and FCGradient (Caffe2 semantics), and the fused FCRelu. X is read as an
// M×K matrix (M = prod(X.dims[:axis]), K = prod(X.dims[axis:])), W as N×K
// (N = prod(W.dims[:axis_w])), b has N elements:
//   Y = X · Wᵀ + b, shape X.dims[:axis] + [N]
//   FCGradient(X, W, dY) -> dW = dYᵀ · X (shape of W), db = Σ_rows dY, [dX = dY · W (shape of X)]
//   FCRelu(X, W, b) -> Y = max(X · Wᵀ + b, 0): bias and ReLU applied to each GEMM
//     register tile while it is in L1 (no separate Relu op, pass or blob)
//   FCReluGradient(X, W, Y, dY) -> dZ = dY·(Y > 0) and db in one pass over dY,
//     then dW = dZᵀ · X, [dX = dZ · W]
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

template <bool kRelu>
class FcOpT final : public FcBase {
 public:
  FcOpT(const OperatorDef& def, Workspace& ws) : FcBase(def, ws) {
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
    kern().sgemmBiasRelu(false, true, d.m, d.n, d.k, x.data<float>(), d.k, w.data<float>(), d.k, b.data<float>(), kRelu,
                         y.data<float>(), d.n);
  }

 private:
  void checkBias(const Tensor& b, int64_t n) const {
    expectF32(2, b);
    if (b.numel() != n)
      fail(codes::kShapeMismatch, "Expected b '" + inputName(2) + "' to have " + std::to_string(n) +
                                      " elements (the rows of W) but received shape " + shapeString(b.shape()));
  }
};

// kRelu: inputs (X, W, Y, dY), Y the FCRelu output; else (X, W, dY).
template <bool kRelu>
class FcGradientOpT final : public FcBase {
  static constexpr size_t kDy = kRelu ? 3 : 2;

 public:
  FcGradientOpT(const OperatorDef& def, Workspace& ws) : FcBase(def, ws) {
    const Tensor *x = inputIfReady(0), *w = inputIfReady(1), *dy = inputIfReady(kDy);
    if (x && w) {
      FcDims d = dims(*x, *w);
      if (dy) checkOutShaped(kDy, x, *dy, d);
      if (kRelu && inputIfReady(2)) checkOutShaped(2, x, *inputIfReady(2), d);
    } else {
      if (x) expectF32(0, *x);
      if (w) expectF32(1, *w);
      if (dy) expectF32(kDy, *dy);
    }
  }
  void run(RunContext&) override {
    const Tensor &x = input(0), &w = input(1), &dy = input(kDy);
    const FcDims d = dims(x, w);
    checkOutShaped(kDy, &x, dy, d);
    const auto& k = kern();
    Tensor& db = output(1);
    db.resize(DType::Float32, {d.n});
    const float* g = dy.data<float>();
    if (kRelu) {
      const Tensor& y = input(2);
      checkOutShaped(2, &x, y, d);
      _dz.resize(DType::Float32, {d.m, d.n});
      k.reluGradColSums(d.m, d.n, y.data<float>(), g, _dz.data<float>(), db.data<float>());
      g = _dz.data<float>();
    } else {
      k.colSums(d.m, d.n, g, d.n, 0.f, db.data<float>());
    }
    Tensor& dw = output(0);
    dw.resize(DType::Float32, w.shape());
    k.sgemm(true, false, d.n, d.k, d.m, 1.f, g, d.n, x.data<float>(), d.k, 0.f, dw.data<float>(), d.k);
    if (numOutputs() > 2) {
      Tensor& dx = output(2);
      dx.resize(DType::Float32, x.shape());
      k.sgemm(false, false, d.m, d.k, d.n, 1.f, g, d.n, w.data<float>(), d.k, 0.f, dx.data<float>(), d.k);
    }
  }

 private:
  // Input `i` (dY, or Y) must have FC's output shape (M×N elements, last dim N).
  void checkOutShaped(size_t i, const Tensor* x, const Tensor& t, const FcDims& d) const {
    expectF32(i, t);
    if (t.numel() != d.m * d.n || (t.ndim() > 0 && t.dim(-1) != d.n))
      fail(codes::kShapeMismatch, "Expected " + std::string(i == kDy ? "dY" : "Y") + " '" + inputName(i) + "' of shape " +
                                      shapeString(outShape(*x, d.n)) + " but received " + shapeString(t.shape()));
  }

  Tensor _dz;  // dY·(Y > 0) (FCReluGradient)
};

// dX is one more M×N×K GEMM: skipped when nothing upstream of X wants it
// (X is data, or computed from data only).
template <bool kRelu>
GradientDefs fcGradient(const OperatorDef& def, const std::vector<std::string>& g, const std::vector<bool>& wanted) {
  GradientDefs out;
  if (g[0].empty()) return out;
  std::vector<std::string> outs = {gradName(def.inputs[1]), gradName(def.inputs[2])};
  if (wanted[0]) outs.push_back(gradName(def.inputs[0]));
  if (kRelu)
    HW_CHECK(def.outputs[0] != def.inputs[0], codes::kInvalidArgument,
             "FCRelu: cannot differentiate an FCRelu whose output overwrites its input '" << def.inputs[0] << "'");
  std::vector<std::string> ins = {def.inputs[0], def.inputs[1]};
  if (kRelu) ins.push_back(def.outputs[0]);
  ins.push_back(g[0]);
  OperatorDef op = makeOp(kRelu ? "FCReluGradient" : "FCGradient", ins, outs);
  for (const char* a : {"axis", "axis_w"})
    if (def.args.count(a)) op.args[a] = def.args.at(a);
  out.ops.push_back(op);
  out.inputs = {wanted[0] ? denseGradSpec(gradName(def.inputs[0])) : GradientSpec{},
                denseGradSpec(gradName(def.inputs[1])), denseGradSpec(gradName(def.inputs[2]))};
  return out;
}

}  // namespace

using FcOp = FcOpT<false>;
using FcReluOp = FcOpT<true>;
using FcGradientOp = FcGradientOpT<false>;
using FcReluGradientOp = FcGradientOpT<true>;
HW_REGISTER_OP(FC, FcOp)
    .inputs(3)
    .outputs(1)
    .argList({"axis", "axis_w"})
    .describe("(X, W, b) -> Y = X·Wᵀ + b; X flattened to 2-D at `axis`, W at `axis_w`")
    .prunableGradientMaker(fcGradient<false>);
HW_REGISTER_OP(FCGradient, FcGradientOp)
    .inputs(3)
    .outputs(2, 3)
    .argList({"axis", "axis_w"})
    .describe("(X, W, dY) -> (dW = dYᵀ·X, db = column sums of dY, [dX = dY·W])");
HW_REGISTER_OP(FCRelu, FcReluOp)
    .inputs(3)
    .outputs(1)
    .argList({"axis", "axis_w"})
    .describe("(X, W, b) -> Y = max(X·Wᵀ + b, 0) (NaN -> 0), fused: FC then Relu in one pass over each output tile")
    .prunableGradientMaker(fcGradient<true>);
HW_REGISTER_OP(FCReluGradient, FcReluGradientOp)
    .inputs(4)
    .outputs(2, 3)
    .argList({"axis", "axis_w"})
    .describe("(X, W, Y, dY) -> (dW = dZᵀ·X, db = column sums of dZ, [dX = dZ·W]), dZ = dY·(Y > 0)");

}  // namespace hogwild
