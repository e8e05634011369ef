// Optimizer ops with Caffe2's names, inputs, args and semantics, updating the parameter (and its
// moments) IN PLACE through the Hogwild update kernels (kernels/hogwild_updates.h):
//   MomentumSGDUpdate(grad, moment, lr, param) -> (grad, moment, param); momentum, nesterov
//   Adagrad(param, moment, grad, lr) -> (param, moment); epsilon, decay
//   SparseAdagrad(param, moment, indices, grad, lr) -> (param, moment); epsilon
//   RowWiseSparseAdagrad(param, moment, indices, grad, lr) -> (param, moment); epsilon (moment: one per row)
//   Adam(param, m1, m2, grad, lr, iter) -> (param, m1, m2); beta1, beta2, epsilon
//   SparseAdam(param, m1, m2, indices, grad, lr, iter) -> (param, m1, m2); beta1, beta2, epsilon
//   LearningRate(iter) -> lr; base_lr, policy, ... (below)
//
// Sign convention (Caffe2's, kept): LearningRate outputs base_lr * multiplier(iter), unchanged.
// Adagrad, SparseAdagrad, RowWiseSparseAdagrad, Adam, SparseAdam and WeightedSum-as-SGD all ADD
// lr * (step) to the parameter, so descent needs a NEGATIVE base_lr (Caffe2's optimizer.py
// builds LearningRate with base_lr = -learning_rate). MomentumSGDUpdate SUBTRACTS its step, so
// it takes a positive base_lr (optimizer.py flips the sign when momentum > 0).
//
// Deviations from Caffe2, all checks: outputs must be the inputs they update (Caffe2 allows
// out-of-place param outputs for the dense ones); epsilon must be > 0, decay in [0, 1], beta1
// and beta2 in [0, 1), momentum in [0, 1]; the learning rate input must be finite; the
// iteration must be >= 0. Extra outputs Caffe2 offers (effective lr, update) are not provided.
#include <algorithm>
#include <cmath>
#include <string>

#include "../kernels/hogwild_updates.h"
#include "sparse_common.h"

namespace hogwild {

namespace {

using kernels::hogwildUpdates;

// ---------------------------------------------------------------------------------------------
// Shared shape checks: the parameter and its same-shaped companions.
class OptimizerOp : public SparseOpBase {
 public:
  using SparseOpBase::SparseOpBase;

 protected:
  void expectLike(size_t i, const Tensor& t, size_t pi, const Tensor& param) const {
    expectFloat32(i, t);
    if (t.shape() != param.shape()) {
      fail(codes::kShapeMismatch, "Expected the shape of " + inputLabel(pi) + " " + shapeString(param.shape()) +
                                      " for " + inputLabel(i) + " but received " + shapeString(t.shape()));
    }
  }
  const Tensor* seen(size_t i, bool runtime) const { return runtime ? &input(i) : inputIfReady(i); }
  double epsilonArg(double fallback) const { return argFinite("epsilon", fallback, 0.0, HUGE_VAL, true); }
};

// ---------------------------------------------------------------------------------------------
// Adagrad(param, moment, grad, lr) -> (param, moment):
//   moment = decay * moment + grad^2;  param += lr * grad / (sqrt(moment) + epsilon)
class AdagradOp final : public OptimizerOp {
 public:
  AdagradOp(const OperatorDef& def, Workspace& ws) : OptimizerOp(def, ws) {
    _eps = static_cast<float>(epsilonArg(1e-5));
    _decay = static_cast<float>(argFinite("decay", 1.0, 0.0, 1.0));
    expectInPlace(0, 0);
    expectInPlace(1, 1);
    validate(false);
  }
  void run(RunContext&) override {
    validate(true);
    const float lr = scalarInput(3, input(3), "learning rate");
    Tensor& p = output(0);
    hogwildUpdates().adagrad(p.data<float>(), output(1).data<float>(), input(2).data<float>(), p.numel(), lr, _eps,
                             _decay);
  }

 private:
  void validate(bool rt) const {
    const Tensor* p = seen(0, rt);
    if (p) expectFloat32(0, *p);
    if (p && seen(1, rt)) expectLike(1, *seen(1, rt), 0, *p);
    if (p && seen(2, rt)) expectLike(2, *seen(2, rt), 0, *p);
    if (const Tensor* lr = seen(3, rt)) expectScalarShape(3, *lr, DType::Float32);
  }
  float _eps, _decay;
};

// ---------------------------------------------------------------------------------------------
// SparseAdagrad / RowWiseSparseAdagrad(param, moment, indices, grad, lr) -> (param, moment):
// the Adagrad step on rows indices[k] of param with gradient row k (grad = indices.shape + row).
// RowWise keeps one moment per row: moment[r] += mean(grad_k^2); param[r] += grad_k * lr / (sqrt(moment[r]) + eps).
template <bool kRowWise>
class SparseAdagradOp final : public OptimizerOp {
 public:
  SparseAdagradOp(const OperatorDef& def, Workspace& ws) : OptimizerOp(def, ws) {
    _eps = static_cast<float>(epsilonArg(1e-5));
    expectInPlace(0, 0);
    expectInPlace(1, 1);
    validate(false);
  }
  void run(RunContext&) override {
    validate(true);
    Tensor& p = output(0);
    const Tensor& idx = input(2);
    checkIndices(2, idx, p.dim(0), "the rows of " + inputLabel(0));
    const float lr = scalarInput(4, input(4), "learning rate");
    const auto& hw = hogwildUpdates();
    const int64_t block = p.sizeFrom(1), n = idx.numel();
    float *pd = p.data<float>(), *h = output(1).data<float>();
    const float* g = input(3).data<float>();
    if (idx.dtype() == DType::Int32) {
      (kRowWise ? hw.rowWiseAdagradI32 : hw.sparseAdagradI32)(pd, h, block, idx.data<int32_t>(), n, g, lr, _eps);
    } else {
      (kRowWise ? hw.rowWiseAdagradI64 : hw.sparseAdagradI64)(pd, h, block, idx.data<int64_t>(), n, g, lr, _eps);
    }
  }

 private:
  void validate(bool rt) const {
    const Tensor* p = seen(0, rt);
    const Tensor* idx = seen(2, rt);
    if (p) {
      expectFloat32(0, *p);
      expectMinNdim(0, *p, 1);
    }
    if (const Tensor* h = seen(1, rt); h && p) {
      if (kRowWise) {
        expectFloat32(1, *h);
        expectShape(1, *h, {p->dim(0)});
      } else {
        expectLike(1, *h, 0, *p);
      }
    }
    if (idx) expectIndexType(2, *idx);
    if (const Tensor* g = seen(3, rt)) {
      expectFloat32(3, *g);
      if (p && idx) expectRowsPerIndex(3, *g, *idx, Shape(p->shape().begin() + 1, p->shape().end()));
    }
    if (const Tensor* lr = seen(4, rt)) expectScalarShape(4, *lr, DType::Float32);
  }
  float _eps;
};

// ---------------------------------------------------------------------------------------------
// Adam(param, m1, m2, grad, lr, iter) and SparseAdam(param, m1, m2, indices, grad, lr, iter):
//   t = iter + 1;  m1 = beta1*m1 + (1-beta1)*g;  m2 = beta2*m2 + (1-beta2)*g^2;
//   param += lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m1 / (sqrt(m2) + epsilon)
template <bool kSparse>
class AdamOp final : public OptimizerOp {
  static constexpr size_t kIdx = 3, kGrad = kSparse ? 4 : 3, kLr = kGrad + 1, kIter = kGrad + 2;

 public:
  AdamOp(const OperatorDef& def, Workspace& ws) : OptimizerOp(def, ws) {
    _b1 = static_cast<float>(argFinite("beta1", 0.9, 0.0, 1.0, false, true));
    _b2 = static_cast<float>(argFinite("beta2", 0.999, 0.0, 1.0, false, true));
    _eps = static_cast<float>(epsilonArg(1e-8));
    for (size_t i = 0; i < 3; ++i) expectInPlace(i, i);
    validate(false);
  }
  void run(RunContext&) override {
    validate(true);
    const float lr = scalarInput(kLr, input(kLr), "learning rate");
    const int64_t t = iterInput(kIter, input(kIter)) + 1;
    const double correction =
        std::sqrt(1.0 - std::pow(double{_b2}, static_cast<double>(t))) / (1.0 - std::pow(double{_b1}, static_cast<double>(t)));
    const float lrc = static_cast<float>(lr * correction);
    Tensor& p = output(0);
    float *pd = p.data<float>(), *m = output(1).data<float>(), *v = output(2).data<float>();
    const float* g = input(kGrad).data<float>();
    const auto& hw = hogwildUpdates();
    if constexpr (kSparse) {
      const Tensor& idx = input(kIdx);
      checkIndices(kIdx, idx, p.dim(0), "the rows of " + inputLabel(0));
      const int64_t block = p.sizeFrom(1), n = idx.numel();
      if (idx.dtype() == DType::Int32) hw.sparseAdamI32(pd, m, v, block, idx.data<int32_t>(), n, g, _b1, _b2, _eps, lrc);
      else hw.sparseAdamI64(pd, m, v, block, idx.data<int64_t>(), n, g, _b1, _b2, _eps, lrc);
    } else {
      hw.adam(pd, m, v, g, p.numel(), _b1, _b2, _eps, lrc);
    }
  }

 private:
  void validate(bool rt) const {
    const Tensor* p = seen(0, rt);
    if (p) {
      expectFloat32(0, *p);
      if (kSparse) expectMinNdim(0, *p, 1);
    }
    for (size_t i = 1; i <= 2; ++i)
      if (const Tensor* m = seen(i, rt); m && p) expectLike(i, *m, 0, *p);
    const Tensor* idx = kSparse ? seen(kIdx, rt) : nullptr;
    if (idx) expectIndexType(kIdx, *idx);
    if (const Tensor* g = seen(kGrad, rt)) {
      if (!kSparse && p) expectLike(kGrad, *g, 0, *p);
      if (kSparse) {
        expectFloat32(kGrad, *g);
        if (p && idx) expectRowsPerIndex(kGrad, *g, *idx, Shape(p->shape().begin() + 1, p->shape().end()));
      }
    }
    if (const Tensor* lr = seen(kLr, rt)) expectScalarShape(kLr, *lr, DType::Float32);
    if (const Tensor* it = seen(kIter, rt)) expectScalarShape(kIter, *it, DType::Int64);
  }
  float _b1, _b2, _eps;
};

// ---------------------------------------------------------------------------------------------
// MomentumSGDUpdate(grad, moment, lr, param) -> (grad, moment, param), Caffe2's:
//   plain:    a = lr*g + momentum*m;  m = a;  grad_out = a;  param -= a
//   nesterov: m' = momentum*m + lr*g;  grad_out = (1+momentum)*m' - momentum*m;  m = m';  param -= grad_out
// moment and param are updated in place; grad_out may be the grad blob or a new one.
class MomentumSgdUpdateOp final : public OptimizerOp {
 public:
  MomentumSgdUpdateOp(const OperatorDef& def, Workspace& ws) : OptimizerOp(def, ws) {
    _momentum = static_cast<float>(argFinite("momentum", 0.0, 0.0, 1.0));
    _nesterov = argBool("nesterov", false);
    expectInPlace(1, 1);
    expectInPlace(2, 3);
    for (size_t i = 1; i <= 3; ++i) {
      if (&outputBlob(0) == &inputBlob(i)) {
        fail(codes::kInvalidArgument, "Expected output 0 to be input 0 '" + inputName(0) + "' or a new blob but it is " +
                                          inputLabel(i));
      }
    }
    validate(false);
  }
  void run(RunContext&) override {
    validate(true);
    const float lr = scalarInput(2, input(2), "learning rate");
    const Tensor& g = input(0);
    Tensor& ng = output(0);
    if (&ng != &g) ng.resize(DType::Float32, g.shape());  // thread-private output
    Tensor& p = output(2);
    hogwildUpdates().momentumSgd(p.data<float>(), output(1).data<float>(), g.data<float>(), ng.data<float>(), p.numel(),
                                 lr, _momentum, _nesterov);
  }

 private:
  void validate(bool rt) const {
    const Tensor* p = seen(3, rt);
    if (p) expectFloat32(3, *p);
    if (p && seen(0, rt)) expectLike(0, *seen(0, rt), 3, *p);
    if (p && seen(1, rt)) expectLike(1, *seen(1, rt), 3, *p);
    if (const Tensor* lr = seen(2, rt)) expectScalarShape(2, *lr, DType::Float32);
  }
  float _momentum;
  bool _nesterov;
};

// ---------------------------------------------------------------------------------------------
// LearningRate(iter) -> lr (float32 scalar, shape []) = base_lr * multiplier(iter) * warmup(iter).
// Policies (Caffe2's learning_rate_functors.h, computed in double):
//   fixed           1
//   step            gamma ^ floor(iter / stepsize)                stepsize > 0, gamma > 0
//   exp             gamma ^ iter                                  gamma > 0
//   inv             (1 + gamma*iter) ^ -power                     gamma > 0, power > 0
//   poly            max(0, 1 - iter/max_iter) ^ power             max_iter > 0, power > 0 (Caffe2 gives NaN past max_iter)
//   linearWarmup    start_multiplier + (1 - start_multiplier) * iter/num_iter, then 1    (Caffe2)
//   constantWarmup  multiplier while iter < num_iter, then 1                             (Caffe2)
//   linear          start_multiplier + (end_multiplier - start_multiplier) * iter/num_iter,
//                   then end_multiplier (defaults 1 -> 0; ours: linear decay)           num_iter > 0
// Warm-up (ours, any policy): with warmup_iter > 0 the multiplier is also scaled by
//   warmup_start_multiplier + (1 - warmup_start_multiplier) * iter/warmup_iter while iter < warmup_iter.
// base_lr is required and may be negative (descent with WeightedSum/Adagrad/Adam; see the top).
class LearningRateOp final : public SparseOpBase {
  enum class Policy { Fixed, Step, Exp, Inv, Poly, LinearWarmup, ConstantWarmup, Linear };

 public:
  LearningRateOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    if (!hasArg("base_lr")) fail(codes::kInvalidArgument, "Expected argument 'base_lr' (the base learning rate)");
    _base = argFinite("base_lr", 0.0, -HUGE_VAL, HUGE_VAL);
    const std::string policy = argString("policy", "");
    auto positive = [&](const char* name, double fallback) { return argFinite(name, fallback, 0.0, HUGE_VAL, true); };
    auto nonNegative = [&](const char* name, double fallback) { return argFinite(name, fallback, 0.0, HUGE_VAL); };
    if (policy == "fixed") {
      _policy = Policy::Fixed;
    } else if (policy == "step") {
      _policy = Policy::Step;
      _stepsize = argInt("stepsize", 0);
      if (_stepsize <= 0) fail(codes::kInvalidArgument, "Expected a positive 'stepsize' for policy 'step' but received " + std::to_string(_stepsize));
      _gamma = positive("gamma", 0.0);
    } else if (policy == "exp") {
      _policy = Policy::Exp;
      _gamma = positive("gamma", 0.0);
    } else if (policy == "inv") {
      _policy = Policy::Inv;
      _gamma = positive("gamma", 0.0);
      _power = positive("power", 0.0);
    } else if (policy == "poly") {
      _policy = Policy::Poly;
      _power = positive("power", 0.0);
      _numIter = argInt("max_iter", -1);
      if (_numIter <= 0) fail(codes::kInvalidArgument, "Expected a positive 'max_iter' for policy 'poly' but received " + std::to_string(_numIter));
    } else if (policy == "linearWarmup") {
      _policy = Policy::LinearWarmup;
      _start = nonNegative("start_multiplier", 0.0);
      _numIter = nonNegativeInt("num_iter", 0);
    } else if (policy == "constantWarmup") {
      _policy = Policy::ConstantWarmup;
      _start = nonNegative("multiplier", 0.5);
      _numIter = nonNegativeInt("num_iter", 0);
    } else if (policy == "linear") {
      _policy = Policy::Linear;
      _start = nonNegative("start_multiplier", 1.0);
      _end = nonNegative("end_multiplier", 0.0);
      _numIter = argInt("num_iter", 0);
      if (_numIter <= 0) fail(codes::kInvalidArgument, "Expected a positive 'num_iter' for policy 'linear' but received " + std::to_string(_numIter));
    } else {
      fail(codes::kInvalidArgument,
           "Expected 'policy' to be one of fixed, step, exp, inv, poly, linear, linearWarmup, constantWarmup but received '" +
               policy + "'");
    }
    _warmupIter = nonNegativeInt("warmup_iter", 0);
    _warmupStart = argFinite("warmup_start_multiplier", 0.0, 0.0, 1.0);
    forbidAlias(0);
    if (const Tensor* it = inputIfReady(0)) expectScalarShape(0, *it, DType::Int64);
  }

  void run(RunContext&) override {
    const int64_t iter = iterInput(0, input(0));
    const double lr = _base * multiplier(iter);
    const float value = static_cast<float>(lr);
    if (!std::isfinite(value)) {
      fail(codes::kInvalidArgument, "Expected a finite learning rate but base_lr " + std::to_string(_base) +
                                        " and the policy give " + std::to_string(lr) + " at iteration " + std::to_string(iter));
    }
    Tensor& out = output(0);
    out.resize(DType::Float32, {});
    *out.data<float>() = value;
  }

  // The multiplier at `iter` (public for tests through the op's output only).
  double multiplier(int64_t iter) const {
    const double t = static_cast<double>(iter);
    double m = 1.0;
    switch (_policy) {
      case Policy::Fixed: m = 1.0; break;
      case Policy::Step: m = std::pow(_gamma, static_cast<double>(iter / _stepsize)); break;
      case Policy::Exp: m = std::pow(_gamma, t); break;
      case Policy::Inv: m = std::pow(1.0 + _gamma * t, -_power); break;
      case Policy::Poly: m = std::pow(std::max(0.0, 1.0 - t / static_cast<double>(_numIter)), _power); break;
      case Policy::LinearWarmup:
        m = iter >= _numIter ? 1.0 : _start + (1.0 - _start) * t / static_cast<double>(_numIter);
        break;
      case Policy::ConstantWarmup: m = iter >= _numIter ? 1.0 : _start; break;
      case Policy::Linear:
        m = iter >= _numIter ? _end : _start + (_end - _start) * t / static_cast<double>(_numIter);
        break;
    }
    if (iter < _warmupIter) m *= _warmupStart + (1.0 - _warmupStart) * t / static_cast<double>(_warmupIter);
    return m;
  }

 private:
  int64_t nonNegativeInt(const char* name, int64_t fallback) const {
    const int64_t v = argInt(name, fallback);
    if (v < 0) fail(codes::kInvalidArgument, std::string("Expected a non-negative '") + name + "' but received " + std::to_string(v));
    return v;
  }
  Policy _policy = Policy::Fixed;
  double _base = 0, _gamma = 1, _power = 1, _start = 1, _end = 0, _warmupStart = 0;
  int64_t _stepsize = 1, _numIter = 0, _warmupIter = 0;
};

}  // namespace

HW_REGISTER_OP(Adagrad, AdagradOp)
    .inputs(4).outputs(2).argList({"epsilon", "decay"})
    .describe("In place: moment = decay*moment + grad^2; param += lr*grad/(sqrt(moment)+epsilon).");
HW_REGISTER_OP(SparseAdagrad, SparseAdagradOp<false>)
    .inputs(5).outputs(2).arg("epsilon").describe("Adagrad on the rows `indices` of param and moment.");
HW_REGISTER_OP(RowWiseSparseAdagrad, SparseAdagradOp<true>)
    .inputs(5).outputs(2).arg("epsilon").describe("Sparse Adagrad with one moment per row (mean of grad^2).");
HW_REGISTER_OP(Adam, AdamOp<false>)
    .inputs(6).outputs(3).argList({"beta1", "beta2", "epsilon"}).describe("In place Adam step with bias correction.");
HW_REGISTER_OP(SparseAdam, AdamOp<true>)
    .inputs(7).outputs(3).argList({"beta1", "beta2", "epsilon"}).describe("Adam on the rows `indices`.");
HW_REGISTER_OP(MomentumSGDUpdate, MomentumSgdUpdateOp)
    .inputs(4).outputs(3).argList({"momentum", "nesterov"})
    .describe("In place momentum SGD (param -= step; positive lr), Caffe2's MomentumSGDUpdate.");
HW_REGISTER_OP(LearningRate, LearningRateOp)
    .inputs(1).outputs(1)
    .argList({"base_lr", "policy", "stepsize", "gamma", "power", "max_iter", "start_multiplier", "end_multiplier",
              "multiplier", "num_iter", "warmup_iter", "warmup_start_multiplier"})
    .describe("lr = base_lr * policy multiplier(iter); negative base_lr for descent with WeightedSum/Adagrad/Adam.");

}  // namespace hogwild
