// ReduceSum / ReduceMean over `axes` (default: all), keepdims (default 1, as
// in Caffe2), float32/float64. Their gradients broadcast dY back over X's
// shape (ReduceMean's scaled by 1/count):
//   ReduceSumGradient(dY, X) -> dX      ReduceMeanGradient(dY, X) -> dX
// X lends only its shape.
#include <algorithm>
#include <utility>

#include "broadcast.h"
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class ReduceBase : public BasicOp {
 public:
  ReduceBase(const OperatorDef& def, Workspace& ws, size_t xInput) : BasicOp(def, ws), _axes(argInts("axes")), _x(xInput) {
    const int64_t keep = argInt("keepdims", 1);
    if (keep != 0 && keep != 1)
      fail(codes::kInvalidArgument, "Expected 0 or 1 for argument 'keepdims' but received " + std::to_string(keep));
    _keepdims = keep == 1;
    if (const Tensor* x = inputIfReady(xInput)) shapes(*x);
  }

 protected:
  struct Shapes {
    Shape keep;     // X's shape with the reduced dims set to 1
    Shape out;      // the output shape (keep without those dims unless keepdims)
    int64_t count;  // elements summed into each output element
  };

  Shapes shapes(const Tensor& x) const {
    expectFloat(_x, x);
    std::vector<bool> reduced(static_cast<size_t>(x.ndim()), _axes.empty());
    for (int64_t a : _axes) {
      const size_t d = static_cast<size_t>(normalizeAxis(a, x.ndim(), "axes entry"));
      if (reduced[d] && !_axes.empty())
        fail(codes::kInvalidArgument, "Expected distinct axes but received " + shapeString(_axes));
      reduced[d] = true;
    }
    Shapes s{x.shape(), {}, 1};
    for (size_t d = 0; d < reduced.size(); ++d) {
      if (reduced[d]) {
        s.count *= x.shape()[d];
        s.keep[d] = 1;
        if (_keepdims) s.out.push_back(1);
      } else {
        s.out.push_back(x.shape()[d]);
      }
    }
    return s;
  }

 private:
  std::vector<int64_t> _axes;
  bool _keepdims = true;
  size_t _x;
};

template <bool Mean> class ReduceOp final : public ReduceBase {
 public:
  ReduceOp(const OperatorDef& def, Workspace& ws) : ReduceBase(def, ws, 0) { forbidInPlace(0); }

  void run(RunContext&) override {
    const Tensor& x = input(0);
    const Shapes s = shapes(x);
    Tensor& y = output(0);
    y.resize(x.dtype(), s.out);
    visitFloat(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* py = elems<T>(y);
      sumToShape(elems<T>(x), x.shape(), py, s.keep);
      if (Mean) {
        const T scale = T(1) / static_cast<T>(s.count);
        for (int64_t i = 0; i < y.numel(); ++i) py[i] *= scale;
      }
    });
  }
};

template <bool Mean> class ReduceGradientOp final : public ReduceBase {
 public:
  ReduceGradientOp(const OperatorDef& def, Workspace& ws) : ReduceBase(def, ws, 1) {}

  void run(RunContext&) override {
    const Tensor& dy = input(0);
    const Tensor& x = input(1);
    const Shapes s = shapes(x);
    expectSameDtype(1, x, 0, dy);
    expectShape(0, dy, s.out);
    const bool alias = outputIsAnyInput(0);
    Tensor& dx = alias ? _scratch : output(0);
    dx.resize(x.dtype(), x.shape());
    if (!_plan.matches(s.keep, s.keep, x.shape())) _plan = BroadcastPlan(s.keep, s.keep, x.shape());
    visitFloat(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T scale = Mean ? T(1) / static_cast<T>(s.count) : T(1);
      broadcastBinary(_plan, elems<T>(dy), elems<T>(dy), elems<T>(dx), [scale](T g, T) { return g * scale; });
    });
    if (alias) std::swap(output(0), _scratch);
  }

 private:
  BroadcastPlan _plan;
  Tensor _scratch;
};

template <bool Mean> GradientDefs reduceGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  r.ops.push_back(makeOp(Mean ? "ReduceMeanGradient" : "ReduceSumGradient", {g[0], def.inputs[0]},
                         {gradName(def.inputs[0])}, copyArgs(def, {"axes", "keepdims"})));
  r.inputs = {denseGradient(gradName(def.inputs[0]))};
  return r;
}

}  // namespace

HW_REGISTER_OP(ReduceSum, ReduceOp<false>)
    .inputs(1).outputs(1).argList({"axes", "keepdims"}).gradientMaker(reduceGradient<false>)
    .describe("Sum over `axes` (default all), keepdims default 1.");
HW_REGISTER_OP(ReduceMean, ReduceOp<true>)
    .inputs(1).outputs(1).argList({"axes", "keepdims"}).gradientMaker(reduceGradient<true>)
    .describe("Mean over `axes` (default all), keepdims default 1.");
HW_REGISTER_OP(ReduceSumGradient, ReduceGradientOp<false>)
    .inputs(2).outputs(1).argList({"axes", "keepdims"}).describe("(dY, X) -> dX: dY broadcast over X's shape.");
HW_REGISTER_OP(ReduceMeanGradient, ReduceGradientOp<true>)
    .inputs(2).outputs(1).argList({"axes", "keepdims"}).describe("(dY, X) -> dX: dY/count broadcast over X's shape.");

}  // namespace hogwild
