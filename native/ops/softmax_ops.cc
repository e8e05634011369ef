// Softmax and SoftmaxGradient (Caffe2 semantics): the input is read as a 2-D
// matrix [prod(dims[:axis]), prod(dims[axis:])] and each row is normalized.
//   SoftmaxGradient(Y, dY) -> dX = Y · (dY − Σ_row dY·Y)
#include "dense_op.h"

namespace hogwild {
namespace {

class SoftmaxOp final : public DenseOp {
 public:
  SoftmaxOp(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    _axis = argInt("axis", 1);
    if (const Tensor* x = inputIfReady(0)) {
      expectF32(0, *x);
      canonicalAxis("axis", _axis, x->ndim());
    }
  }
  void run(RunContext&) override {
    const Tensor& x = input(0);
    expectF32(0, x);
    const int64_t ax = canonicalAxis("axis", _axis, x.ndim());
    Tensor& y = output(0);
    y.resize(DType::Float32, x.shape());
    kern().softmaxRows(x.sizeTo(ax), x.sizeFrom(ax), x.data<float>(), y.data<float>(), nullptr);
  }

 private:
  int64_t _axis;
};

class SoftmaxGradientOp final : public DenseOp {
 public:
  SoftmaxGradientOp(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    _axis = argInt("axis", 1);
    const Tensor *y = inputIfReady(0), *dy = inputIfReady(1);
    if (y) {
      expectF32(0, *y);
      canonicalAxis("axis", _axis, y->ndim());
    }
    if (dy) expectF32(1, *dy);
    if (y && dy) expectSameShape(0, *y, 1, *dy);
  }
  void run(RunContext&) override {
    const Tensor &y = input(0), &dy = input(1);
    expectF32(0, y);
    expectF32(1, dy);
    expectSameShape(0, y, 1, dy);
    const int64_t ax = canonicalAxis("axis", _axis, y.ndim());
    Tensor& dx = output(0);
    dx.resize(DType::Float32, y.shape());
    kern().softmaxGradRows(y.sizeTo(ax), y.sizeFrom(ax), y.data<float>(), dy.data<float>(), dx.data<float>());
  }

 private:
  int64_t _axis;
};

GradientDefs softmaxGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  if (g[0].empty()) return out;
  OperatorDef op = makeOp("SoftmaxGradient", {def.outputs[0], g[0]}, {gradName(def.inputs[0])});
  if (def.args.count("axis")) op.args["axis"] = def.args.at("axis");
  out.ops.push_back(op);
  out.inputs = {denseGradSpec(gradName(def.inputs[0]))};
  return out;
}

}  // namespace

HW_REGISTER_OP(Softmax, SoftmaxOp)
    .inputs(1)
    .outputs(1)
    .arg("axis")
    .describe("Row-wise softmax of X read as 2-D [prod(dims[:axis]), prod(dims[axis:])]; in place allowed")
    .gradientMaker(softmaxGradient);
HW_REGISTER_OP(SoftmaxGradient, SoftmaxGradientOp)
    .inputs(2)
    .outputs(1)
    .arg("axis")
    .describe("(Y, dY) -> dX = Y·(dY − Σ dY·Y) per row");

}  // namespace hogwild
