// Clip(min, max): Y = min(max(X, min), max), float32/float64, in place
// allowed; the bounds default to the dtype's lowest and highest finite values,
// as in Caffe2, and NaN passes through. ClipGradient(Y, dY) -> dX passes dY
// where min < Y < max and 0 where Y was clipped (it reads Y, so the forward
// may have run in place).
#include <algorithm>
#include <limits>

#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class ClipBase : public BasicOp {
 public:
  ClipBase(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    _min = argFloat("min", -std::numeric_limits<double>::infinity());
    _max = argFloat("max", std::numeric_limits<double>::infinity());
    if (_min > _max)
      fail(codes::kInvalidArgument, "Expected min <= max but received min " + std::to_string(_min) + ", max " + std::to_string(_max));
  }

 protected:
  // Bounds in T: absent ones are the dtype's finite extremes.
  template <typename T> std::pair<T, T> bounds() const {
    const T lo = hasArg("min") ? static_cast<T>(_min) : std::numeric_limits<T>::lowest();
    const T hi = hasArg("max") ? static_cast<T>(_max) : std::numeric_limits<T>::max();
    return {lo, hi};
  }

 private:
  double _min, _max;
};

class ClipOp final : public ClipBase {
 public:
  ClipOp(const OperatorDef& def, Workspace& ws) : ClipBase(def, ws) {
    if (const Tensor* x = inputIfReady(0)) expectFloat(0, *x);
  }
  void run(RunContext&) override {
    const Tensor& x = input(0);
    expectFloat(0, x);
    Tensor& y = output(0);
    y.resize(x.dtype(), x.shape());
    visitFloat(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const auto [lo, hi] = bounds<T>();
      const T* px = elems<T>(x);
      T* py = elems<T>(y);
      for (int64_t k = 0; k < x.numel(); ++k) py[k] = std::min(std::max(px[k], lo), hi);
    });
  }
};

class ClipGradientOp final : public ClipBase {
 public:
  using ClipBase::ClipBase;
  void run(RunContext&) override {
    const Tensor& y = input(0);
    const Tensor& dy = input(1);
    expectFloat(0, y);
    expectSameDtype(0, y, 1, dy);
    expectShape(1, dy, y.shape());
    Tensor& dx = output(0);
    dx.resize(y.dtype(), y.shape());
    visitFloat(y.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const auto [lo, hi] = bounds<T>();
      const T* py = elems<T>(y);
      const T* pg = elems<T>(dy);
      T* pd = elems<T>(dx);
      for (int64_t k = 0; k < y.numel(); ++k) pd[k] = (py[k] > lo && py[k] < hi) ? pg[k] : T(0);
    });
  }
};

GradientDefs clipGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  r.ops.push_back(makeOp("ClipGradient", {def.outputs[0], g[0]}, {gradName(def.inputs[0])}, copyArgs(def, {"min", "max"})));
  r.inputs = {denseGradient(gradName(def.inputs[0]))};
  return r;
}

}  // namespace

HW_REGISTER_OP(Clip, ClipOp)
    .inputs(1).outputs(1).argList({"min", "max"}).gradientMaker(clipGradient)
    .describe("Y = X clipped to [min, max]; in place allowed.");
HW_REGISTER_OP(ClipGradient, ClipGradientOp)
    .inputs(2).outputs(1).argList({"min", "max"})
    .describe("(Y, dY) -> dX = dY where min < Y < max, else 0.");

}  // namespace hogwild
