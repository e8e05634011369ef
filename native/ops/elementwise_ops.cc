// Add, Sub, Mul, Div (docs/caffe2.md §11): numpy broadcasting (or the legacy
// broadcast=1/axis form), both inputs of one numeric dtype, output of that
// dtype, in place allowed on an input that has the result's shape.
// Integer results wrap like numpy's instead of overflowing (signed overflow is
// UB in C++); integer Div truncates toward zero as Caffe2's does and fails on a
// zero divisor. Gradient kernels live in elementwise_grad_ops.cc.
#include <type_traits>

#include "binary_op.h"
#include "registry.h"

namespace hogwild {
namespace {

enum class Arith { Add, Sub, Mul, Div };

template <typename T> using Unsigned = std::make_unsigned_t<T>;

template <Arith K> struct ArithFn {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) {
      const Unsigned<T> ux = static_cast<Unsigned<T>>(x), uy = static_cast<Unsigned<T>>(y);
      if constexpr (K == Arith::Add) return wrapAdd(x, y);
      if constexpr (K == Arith::Sub) return static_cast<T>(ux - uy);
      if constexpr (K == Arith::Mul) return static_cast<T>(ux * uy);
      // INT_MIN / -1 overflows: numpy gives INT_MIN, which is the wrapped negation.
      if constexpr (K == Arith::Div) return y == -1 ? static_cast<T>(Unsigned<T>(0) - ux) : static_cast<T>(x / y);
    } else {
      if constexpr (K == Arith::Add) return x + y;
      if constexpr (K == Arith::Sub) return x - y;
      if constexpr (K == Arith::Mul) return x * y;
      if constexpr (K == Arith::Div) return x / y;
    }
  }
};

template <Arith K> class ArithOp final : public BroadcastBinaryOp {
 public:
  ArithOp(const OperatorDef& def, Workspace& ws) : BroadcastBinaryOp(def, ws) {
    const Tensor* a = inputIfReady(0);
    const Tensor* b = inputIfReady(1);
    if (a) expectNumeric(0, *a);
    if (b) expectNumeric(1, *b);
    Shape bShape;
    if (a && b) check(*a, *b, &bShape);
  }

  void run(RunContext&) override {
    const Tensor& a = input(0);
    const Tensor& b = input(1);
    Shape bShape;
    Shape outShape = check(a, b, &bShape);
    if constexpr (K == Arith::Div) checkDivisors(b);
    const BroadcastPlan& p = plan(0, a.shape(), bShape, outShape);
    Tensor& out = output(0);
    out.resize(a.dtype(), outShape);  // a no-op on an in-place input (same shape, checked)
    visitNumeric(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      broadcastBinary(p, elems<T>(a), elems<T>(b), elems<T>(out), ArithFn<K>{});
    });
  }

 private:
  Shape check(const Tensor& a, const Tensor& b, Shape* bShape) const {
    expectNumeric(0, a);
    expectSameDtype(0, a, 1, b);
    Shape out = resultShape(0, a, 1, b, bShape);
    checkInPlaceShape(0, 0, out);
    checkInPlaceShape(0, 1, out);
    return out;
  }

  void checkDivisors(const Tensor& b) const {
    if (isFloatDtype(b.dtype())) return;  // IEEE gives inf/nan
    visitNumeric(b.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* p = elems<T>(b);
      for (int64_t i = 0; i < b.numel(); ++i) {
        if (p[i] == 0)
          fail(codes::kInvalidArgument, "Expected nonzero integer divisors in input 1 '" + inputName(1) +
                                            "' but element " + std::to_string(i) + " is 0");
      }
    });
  }
};

// ---- Gradients ----

// Gradient op `type` writing (dA, dB).
GradientDefs binaryGradient(const OperatorDef& def, const std::string& type, std::vector<std::string> inputs) {
  GradientDefs g;
  const std::string& a = def.inputs[0];
  const std::string& b = def.inputs[1];
  g.ops.push_back(makeOp(type, std::move(inputs), {gradName(a), gradName(b)}, copyArgs(def, {"broadcast", "axis"})));
  g.inputs = {denseGradient(gradName(a)), denseGradient(gradName(b))};
  sumRepeatedInputGradients(def, &g);
  return g;
}

void rejectInPlaceOver(const OperatorDef& def, size_t input, const char* why) {
  HW_CHECK(def.outputs[0] != def.inputs[input], codes::kInvalidArgument,
           def.type << ": cannot differentiate an in-place " << def.type << " whose output overwrites input " << input
                    << " '" << def.inputs[input] << "' (" << why << ")");
}

GradientDefs addGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  if (g[0].empty()) return {};
  // A and B are read for their shapes only, which in-place use keeps.
  return binaryGradient(def, "AddGradient", {g[0], def.inputs[0], def.inputs[1]});
}

GradientDefs subGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  if (g[0].empty()) return {};
  return binaryGradient(def, "SubGradient", {g[0], def.inputs[0], def.inputs[1]});
}

GradientDefs mulGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  if (g[0].empty()) return {};
  rejectInPlaceOver(def, 0, "the gradient of B needs A's old values");
  rejectInPlaceOver(def, 1, "the gradient of A needs B's old values");
  return binaryGradient(def, "MulGradient", {g[0], def.inputs[0], def.inputs[1]});
}

GradientDefs divGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  if (g[0].empty()) return {};
  // dA = dC/B and dB = -dC*C/B read B and C; A only lends its shape, so C may overwrite A.
  rejectInPlaceOver(def, 1, "both gradients need B's old values");
  return binaryGradient(def, "DivGradient", {g[0], def.inputs[0], def.inputs[1], def.outputs[0]});
}

}  // namespace

HW_REGISTER_OP(Add, ArithOp<Arith::Add>)
    .inputs(2).outputs(1).argList({"broadcast", "axis"}).gradientMaker(addGradient)
    .describe("C = A + B with numpy broadcasting; in place allowed.");
HW_REGISTER_OP(Sub, ArithOp<Arith::Sub>)
    .inputs(2).outputs(1).argList({"broadcast", "axis"}).gradientMaker(subGradient)
    .describe("C = A - B with numpy broadcasting; in place allowed.");
HW_REGISTER_OP(Mul, ArithOp<Arith::Mul>)
    .inputs(2).outputs(1).argList({"broadcast", "axis"}).gradientMaker(mulGradient)
    .describe("C = A * B with numpy broadcasting; in place allowed.");
HW_REGISTER_OP(Div, ArithOp<Arith::Div>)
    .inputs(2).outputs(1).argList({"broadcast", "axis"}).gradientMaker(divGradient)
    .describe("C = A / B with numpy broadcasting (integers truncate; a zero integer divisor fails).");

}  // namespace hogwild
