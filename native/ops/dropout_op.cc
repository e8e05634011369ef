// Dropout(X) -> (Y, [mask]) and DropoutGrad(dY, [mask]) -> dX (Caffe2
// semantics). Training: each element is kept with probability 1 − ratio,
// Y = X·mask / (1 − ratio), mask is bool. is_test=1: Y = X (mask all true).
//
// Deterministic: the mask bit of element e on the r-th run of this op
// instance is a hash of (seed, instance, r, e), so a given seed reproduces the
// same masks whatever the threads do. Without `seed`, one is drawn per op
// instance from std::random_device.
#include <random>

#include "dense_op.h"
#include "op_helpers.h"

namespace hogwild {
namespace {

class DropoutBase : public DenseOp {
 public:
  DropoutBase(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    _ratio = argFinite("ratio", 0.5);
    if (!(_ratio >= 0 && _ratio < 1))
      fail(codes::kInvalidArgument, "Expected argument 'ratio' in [0, 1) but received " + std::to_string(_ratio));
    _isTest = argFlag("is_test", false);
  }

 protected:
  double _ratio;
  bool _isTest;
};

class DropoutOp final : public DropoutBase {
 public:
  DropoutOp(const OperatorDef& def, Workspace& ws) : DropoutBase(def, ws) {
    _seed = hasArg("seed") ? static_cast<uint64_t>(argInt("seed", 0)) : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    if (numOutputs() > 1 && (aliases(1, 0) || &outputBlob(0) == &outputBlob(1)))
      fail(codes::kInvalidArgument, "Expected the mask output '" + outputName(1) + "' to differ from X and Y");
    if (const Tensor* x = inputIfReady(0)) expectF32(0, *x);
  }
  void run(RunContext& ctx) override {
    const Tensor& x = input(0);
    expectF32(0, x);
    const int64_t n = x.numel();
    Tensor& y = output(0);
    y.resize(DType::Float32, x.shape());
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    uint8_t* mp = nullptr;
    if (numOutputs() > 1) {
      Tensor& m = output(1);
      m.resize(DType::Bool, x.shape());
      mp = static_cast<uint8_t*>(m.raw());
    }
    if (_isTest) {
      if (yp != xp)
        for (int64_t i = 0; i < n; ++i) yp[i] = xp[i];
      if (mp)
        for (int64_t i = 0; i < n; ++i) mp[i] = 1;
      return;
    }
    // Keep when a uniform 32-bit draw is >= ratio·2^32.
    const uint64_t threshold = static_cast<uint64_t>(_ratio * 4294967296.0);
    const float scale = static_cast<float>(1.0 / (1.0 - _ratio));
    const uint64_t stream = runStream(_seed, static_cast<uint64_t>(ctx.instance), _runs++);
    for (int64_t i = 0; i < n; i += 2) {
      const uint64_t r = elementDraw(stream, static_cast<uint64_t>(i));
      for (int64_t h = 0; h < 2 && i + h < n; ++h) {
        const bool keep = ((r >> (32 * h)) & 0xffffffffull) >= threshold;
        yp[i + h] = keep ? xp[i + h] * scale : 0.f;
        if (mp) mp[i + h] = keep;
      }
    }
  }

 private:
  uint64_t _seed;
  uint64_t _runs = 0;
};

class DropoutGradOp final : public DropoutBase {
 public:
  // Inputs: dY, [mask].
  DropoutGradOp(const OperatorDef& def, Workspace& ws) : DropoutBase(def, ws) {
    if (!_isTest && numInputs() < 2)
      fail(codes::kInvalidArgument, "Expected the mask input when is_test is 0");
    if (const Tensor* g = inputIfReady(0)) expectF32(0, *g);
    if (numInputs() > 1)
      if (const Tensor* m = inputIfReady(1)) expectDtype(1, *m, DType::Bool);
  }
  void run(RunContext&) override {
    const Tensor& g = input(0);
    expectF32(0, g);
    const int64_t n = g.numel();
    Tensor& dx = output(0);
    dx.resize(DType::Float32, g.shape());
    const float* gp = g.data<float>();
    float* o = dx.data<float>();
    if (_isTest) {
      if (o != gp)
        for (int64_t i = 0; i < n; ++i) o[i] = gp[i];
      return;
    }
    const Tensor& m = input(1);
    expectDtype(1, m, DType::Bool);
    expectSameShape(0, g, 1, m);
    const uint8_t* mp = static_cast<const uint8_t*>(m.raw());
    const float scale = static_cast<float>(1.0 / (1.0 - _ratio));
    for (int64_t i = 0; i < n; ++i) o[i] = mp[i] ? gp[i] * scale : 0.f;
  }
};

GradientDefs dropoutGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  if (g[0].empty()) return out;
  bool isTest = false;
  if (auto it = def.args.find("is_test"); it != def.args.end()) isTest = it->second.i != 0 || it->second.f != 0;
  std::vector<std::string> ins{g[0]};
  if (!isTest) {
    HW_CHECK(def.outputs.size() > 1, codes::kInvalidArgument,
             "Dropout: the gradient of a training-mode Dropout needs its mask output");
    ins.push_back(def.outputs[1]);
  }
  OperatorDef op = makeOp("DropoutGrad", ins, {gradName(def.inputs[0])});
  for (const char* a : {"ratio", "is_test"})
    if (def.args.count(a)) op.args[a] = def.args.at(a);
  out.ops.push_back(op);
  out.inputs = {denseGradSpec(gradName(def.inputs[0]))};
  return out;
}

}  // namespace

HW_REGISTER_OP(Dropout, DropoutOp)
    .inputs(1)
    .outputs(1, 2)
    .argList({"ratio", "is_test", "seed"})
    .describe("X -> (Y = X·mask/(1 − ratio), [bool mask]); is_test=1 copies X; seeded, deterministic masks")
    .gradientMaker(dropoutGradient);
HW_REGISTER_OP(DropoutGrad, DropoutGradOp)
    .inputs(1, 2)
    .outputs(1)
    .argList({"ratio", "is_test"})
    .describe("(dY, [mask]) -> dX = dY·mask/(1 − ratio), or dY when is_test=1");

}  // namespace hogwild
