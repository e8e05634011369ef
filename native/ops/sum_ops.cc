// Sums and scaling of same-shape tensors:
//   Sum(X0, X1, ...)              Y = X0 + X1 + ...       (numeric; in place on any input)
//   WeightedSum(X0, w0, X1, w1..) Y = w0*X0 + w1*X1 + ... (float; wi size-1; in place on X0 only)
//   WeightedSumGradient(dY, X0, w0, X1, w1, ...) -> dX0, dX1, ... [, dw0, dw1, ...]
//   Scale(X, scale)               Y = scale * X           (float; in place)
#include <utility>

#include "../kernels/hogwild_updates.h"
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class SumOp final : public BasicOp {
 public:
  SumOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    const Tensor* first = inputIfReady(0);
    if (first) expectNumeric(0, *first);
    for (size_t i = 1; i < numInputs() && first; ++i)
      if (const Tensor* t = inputIfReady(i)) checkLike(0, *first, i, *t);
  }

  void run(RunContext&) override {
    const Tensor& x0 = input(0);
    expectNumeric(0, x0);
    for (size_t i = 1; i < numInputs(); ++i) checkLike(0, x0, i, input(i));
    // Start from the input the output overwrites, so every other input is read
    // intact; an output that is several inputs at once goes through scratch.
    size_t first = 0, aliases = 0;
    for (size_t i = 0; i < numInputs(); ++i)
      if (outputIsInput(0, i)) first = i, ++aliases;
    if (aliases > 1) first = 0;
    Tensor& y = aliases > 1 ? _scratch : output(0);
    y.resize(x0.dtype(), x0.shape());
    visitNumeric(x0.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* py = elems<T>(y);
      const T* pf = elems<T>(input(first));
      const int64_t n = y.numel();
      if (py != pf)
        for (int64_t k = 0; k < n; ++k) py[k] = pf[k];
      for (size_t i = 0; i < numInputs(); ++i) {
        if (i == first) continue;
        const T* px = elems<T>(input(i));
        for (int64_t k = 0; k < n; ++k) py[k] = wrapAdd(py[k], px[k]);
      }
    });
    if (aliases > 1) std::swap(output(0), _scratch);
  }

 private:
  void checkLike(size_t i0, const Tensor& x0, size_t i, const Tensor& x) const {
    expectSameDtype(i0, x0, i, x);
    expectShape(i, x, x0.shape());
  }

  Tensor _scratch;
};

// Every input's gradient is dY itself (no op), as in Caffe2; a blob summed k times gets k*dY.
GradientDefs sumGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  r.inputs.assign(def.inputs.size(), denseGradient(g[0]));
  sumRepeatedInputGradients(def, &r);
  return r;
}

class WeightedSumOp final : public BasicOp {
 public:
  WeightedSumOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    if (numInputs() % 2 != 0)
      fail(codes::kInvalidArgument, "Expected pairs (X, weight) of inputs but received " + std::to_string(numInputs()));
    for (size_t i = 1; i < numInputs(); ++i) {
      if (outputIsInput(0, i))
        fail(codes::kInvalidArgument, "Expected the output to differ from input " + std::to_string(i) + " '" +
                                          inputName(i) + "' (in place is allowed on X0 only)");
    }
    if (const Tensor* x0 = inputIfReady(0)) {
      expectFloat(0, *x0);
      for (size_t i = 0; i < numInputs(); ++i) {
        const Tensor* t = inputIfReady(i);
        if (!t) continue;
        if (i % 2 == 0) {
          expectSameDtype(0, *x0, i, *t);
          expectShape(i, *t, x0->shape());
        } else {
          scalarValue(i, *t);
        }
      }
    }
  }

  void run(RunContext&) override {
    const Tensor& x0 = input(0);
    expectFloat(0, x0);
    for (size_t i = 2; i < numInputs(); i += 2) {
      expectSameDtype(0, x0, i, input(i));
      expectShape(i, input(i), x0.shape());
    }
    // In place on a float32 X0 with one more pair is SGD on a shared
    // parameter: the Hogwild update kernel does it, without touching the
    // tensor's metadata that other threads read.
    if (outputIsInput(0, 0) && numInputs() == 4 && x0.dtype() == DType::Float32) {
      float* p = outputBlob(0).mutableTensor().data<float>();
      kernels::hogwildUpdates().axpby(p, input(2).data<float>(), x0.numel(),
                                      static_cast<float>(scalarValue(1, input(1))),
                                      static_cast<float>(scalarValue(3, input(3))));
      return;
    }
    Tensor& y = output(0);
    y.resize(x0.dtype(), x0.shape());
    visitFloat(x0.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const int64_t n = y.numel();
      T* py = elems<T>(y);
      const T w0 = static_cast<T>(scalarValue(1, input(1)));
      const T* p0 = elems<T>(x0);
      for (int64_t k = 0; k < n; ++k) py[k] = w0 * p0[k];
      for (size_t i = 2; i < numInputs(); i += 2) {
        const T w = static_cast<T>(scalarValue(i + 1, input(i + 1)));
        const T* px = elems<T>(input(i));
        for (int64_t k = 0; k < n; ++k) py[k] += w * px[k];
      }
    });
  }
};

// Inputs: dY, then the forward inputs. Outputs: dXi = wi*dY for each pair,
// then (with grad_on_w) dwi = sum(dY*Xi), shaped like wi.
class WeightedSumGradientOp final : public BasicOp {
 public:
  WeightedSumGradientOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    if (numInputs() < 3 || (numInputs() - 1) % 2 != 0)
      fail(codes::kInvalidArgument, "Expected dY and pairs (X, weight) of inputs but received " + std::to_string(numInputs()));
    const size_t pairs = (numInputs() - 1) / 2;
    if (numOutputs() != pairs && numOutputs() != 2 * pairs)
      fail(codes::kInvalidArgument, "Expected " + std::to_string(pairs) + " or " + std::to_string(2 * pairs) +
                                        " outputs but received " + std::to_string(numOutputs()));
    _scratch.resize(numOutputs());
  }

  void run(RunContext&) override {
    const Tensor& dy = input(0);
    expectFloat(0, dy);
    const size_t pairs = (numInputs() - 1) / 2;
    visitFloat(dy.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const int64_t n = dy.numel();
      const T* g = elems<T>(dy);
      for (size_t p = 0; p < pairs; ++p) {
        const Tensor& x = input(1 + 2 * p);
        const Tensor& w = input(2 + 2 * p);
        expectSameDtype(0, dy, 1 + 2 * p, x);
        expectShape(1 + 2 * p, x, dy.shape());
        const T wv = static_cast<T>(scalarValue(2 + 2 * p, w));
        Tensor& dx = slot(p);
        dx.resize(dy.dtype(), dy.shape());
        T* pdx = elems<T>(dx);
        for (int64_t k = 0; k < n; ++k) pdx[k] = wv * g[k];
        if (numOutputs() == 2 * pairs) {
          const T* px = elems<T>(x);
          double acc = 0;
          for (int64_t k = 0; k < n; ++k) acc += static_cast<double>(g[k]) * static_cast<double>(px[k]);
          Tensor& dw = slot(pairs + p);
          dw.resize(w.dtype(), w.shape());
          if (w.dtype() == DType::Float32) *elems<float>(dw) = static_cast<float>(acc);
          else *elems<double>(dw) = acc;
        }
      }
    });
    for (size_t o = 0; o < numOutputs(); ++o)
      if (outputIsAnyInput(o)) std::swap(output(o), _scratch[o]);
  }

 private:
  // An output that is also an input (an in-place WeightedSum's dY) is written
  // to scratch and swapped in once every input has been read.
  Tensor& slot(size_t o) { return outputIsAnyInput(o) ? _scratch[o] : output(o); }

  std::vector<Tensor> _scratch;
};

GradientDefs weightedSumGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  auto it = def.args.find("grad_on_w");
  const bool gradOnW = it != def.args.end() && (it->second.type == Argument::Type::Int ? it->second.i != 0 : it->second.f != 0);
  HW_CHECK(!(gradOnW && def.outputs[0] == def.inputs[0]), codes::kInvalidArgument,
           "WeightedSum: cannot take grad_on_w of an in-place WeightedSum (the gradient of w0 needs X0's old values)");
  std::vector<std::string> ins{g[0]};
  ins.insert(ins.end(), def.inputs.begin(), def.inputs.end());
  std::vector<std::string> outs;
  r.inputs.resize(def.inputs.size());
  for (size_t i = 0; i < def.inputs.size(); i += 2) {
    outs.push_back(gradName(def.inputs[i]));
    r.inputs[i] = denseGradient(outs.back());
  }
  if (gradOnW) {
    for (size_t i = 1; i < def.inputs.size(); i += 2) {
      outs.push_back(gradName(def.inputs[i]));
      r.inputs[i] = denseGradient(outs.back());
    }
  }
  r.ops.push_back(makeOp("WeightedSumGradient", std::move(ins), std::move(outs)));
  sumRepeatedInputGradients(def, &r);
  return r;
}

class ScaleOp final : public BasicOp {
 public:
  ScaleOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws), _scale(argFloat("scale", 1.0)) {
    if (const Tensor* x = inputIfReady(0)) expectFloat(0, *x);
  }
  void run(RunContext&) override {
    const Tensor& x = input(0);
    expectFloat(0, x);
    Tensor& y = output(0);
    y.resize(x.dtype(), x.shape());
    visitFloat(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T s = static_cast<T>(_scale);
      const T* px = elems<T>(x);
      T* py = elems<T>(y);
      for (int64_t k = 0; k < x.numel(); ++k) py[k] = s * px[k];
    });
  }

 private:
  double _scale;
};

GradientDefs scaleGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  r.ops.push_back(makeOp("Scale", {g[0]}, {gradName(def.inputs[0])}, copyArgs(def, {"scale"})));
  r.inputs = {denseGradient(gradName(def.inputs[0]))};
  return r;
}

}  // namespace

HW_REGISTER_OP(Sum, SumOp)
    .inputs(1, INT_MAX).outputs(1).gradientMaker(sumGradient)
    .describe("Elementwise sum of same-shape, same-dtype tensors; in place allowed.");
HW_REGISTER_OP(WeightedSum, WeightedSumOp)
    .inputs(2, INT_MAX).outputs(1).argList({"grad_on_w"}).gradientMaker(weightedSumGradient)
    .describe("Y = sum(wi * Xi) over pairs (Xi, wi), wi size-1; in place allowed on X0 only.");
HW_REGISTER_OP(WeightedSumGradient, WeightedSumGradientOp)
    .inputs(3, INT_MAX).outputs(1, INT_MAX)
    .describe("(dY, X0, w0, ...) -> dXi = wi*dY, then optionally dwi = sum(dY*Xi).");
HW_REGISTER_OP(Scale, ScaleOp)
    .inputs(1).outputs(1).argList({"scale"}).gradientMaker(scaleGradient)
    .describe("Y = scale * X; in place allowed.");

}  // namespace hogwild
