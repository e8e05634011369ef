// Relu, Sigmoid, Tanh and their gradients (Caffe2 semantics): float32 of any
// shape, in place allowed. Gradients read the forward output Y, not X:
//   ReluGradient(Y, dY) = dY·(Y > 0), SigmoidGradient(Y, dY) = dY·Y·(1 − Y),
//   TanhGradient(Y, dY) = dY·(1 − Y²).
#include "dense_op.h"

namespace hogwild {
namespace {

enum class Act { Relu, Sigmoid, Tanh };

template <Act A>
class ActivationOp final : public DenseOp {
 public:
  ActivationOp(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    if (const Tensor* x = inputIfReady(0)) expectF32(0, *x);
  }
  void run(RunContext&) override {
    const Tensor& x = input(0);
    expectF32(0, x);
    Tensor& y = output(0);
    y.resize(DType::Float32, x.shape());
    const auto& k = kern();
    auto f = A == Act::Relu ? k.relu : A == Act::Sigmoid ? k.sigmoid : k.tanh;
    f(x.numel(), x.data<float>(), y.data<float>());
  }
};

template <Act A>
class ActivationGradientOp final : public DenseOp {
 public:
  ActivationGradientOp(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    const Tensor* y = inputIfReady(0);
    const Tensor* dy = inputIfReady(1);
    if (y) expectF32(0, *y);
    if (dy) expectF32(1, *dy);
    if (y && dy) expectSameShape(0, *y, 1, *dy);
  }
  void run(RunContext&) override {
    const Tensor& y = input(0);
    const Tensor& dy = input(1);
    expectF32(0, y);
    expectF32(1, dy);
    expectSameShape(0, y, 1, dy);
    Tensor& dx = output(0);
    dx.resize(DType::Float32, y.shape());
    const auto& k = kern();
    auto f = A == Act::Relu ? k.reluGrad : A == Act::Sigmoid ? k.sigmoidGrad : k.tanhGrad;
    f(y.numel(), y.data<float>(), dy.data<float>(), dx.data<float>());
  }
};

// Forward(X) -> Y; gradient op (Y, dY) -> X_grad.
GradientMaker activationGradient(const char* gradType) {
  return [gradType](const OperatorDef& def, const std::vector<std::string>& g) {
    GradientDefs out;
    if (g[0].empty()) return out;
    const std::string dx = gradName(def.inputs[0]);
    out.ops.push_back(makeOp(gradType, {def.outputs[0], g[0]}, {dx}));
    out.inputs = {denseGradSpec(dx)};
    return out;
  };
}

}  // namespace

HW_REGISTER_OP(Relu, ActivationOp<Act::Relu>)
    .inputs(1)
    .outputs(1)
    .describe("Y = max(X, 0), elementwise; in place allowed")
    .gradientMaker(activationGradient("ReluGradient"));
HW_REGISTER_OP(ReluGradient, ActivationGradientOp<Act::Relu>)
    .inputs(2)
    .outputs(1)
    .describe("(Y, dY) -> dX = dY where Y > 0, else 0");
HW_REGISTER_OP(Sigmoid, ActivationOp<Act::Sigmoid>)
    .inputs(1)
    .outputs(1)
    .describe("Y = 1 / (1 + exp(-X)), elementwise; in place allowed")
    .gradientMaker(activationGradient("SigmoidGradient"));
HW_REGISTER_OP(SigmoidGradient, ActivationGradientOp<Act::Sigmoid>)
    .inputs(2)
    .outputs(1)
    .describe("(Y, dY) -> dX = dY * Y * (1 - Y)");
HW_REGISTER_OP(Tanh, ActivationOp<Act::Tanh>)
    .inputs(1)
    .outputs(1)
    .describe("Y = tanh(X), elementwise; in place allowed")
    .gradientMaker(activationGradient("TanhGradient"));
HW_REGISTER_OP(TanhGradient, ActivationGradientOp<Act::Tanh>)
    .inputs(2)
    .outputs(1)
    .describe("(Y, dY) -> dX = dY * (1 - Y^2)");

}  // namespace hogwild
