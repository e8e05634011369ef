// Reshape and Transpose.
//   Reshape(data[, shape]) -> reshaped[, old_shape]: the new shape comes from
//   the `shape` arg or a 1-D int32/int64 input (not both). As in Caffe2, -1
//   (at most once) is inferred and 0 copies the input's dim at that index;
//   `allow_zero=1` makes 0 a literal zero instead (ONNX's allowzero), which the
//   gradient needs to restore an empty shape. old_shape is int64.
//   Transpose(X, axes) -> Y: Y's dim i is X's dim axes[i] (default: reversed).
#include <algorithm>
#include <numeric>

#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class ReshapeOp final : public BasicOp {
 public:
  ReshapeOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    const int64_t allowZero = argInt("allow_zero", 0);
    if (allowZero != 0 && allowZero != 1)
      fail(codes::kInvalidArgument, "Expected 0 or 1 for argument 'allow_zero' but received " + std::to_string(allowZero));
    _allowZero = allowZero == 1;
    if (numInputs() == 2 && hasArg("shape"))
      fail(codes::kInvalidArgument, "Expected the new shape from the 'shape' argument or input 1, not both");
    if (numInputs() == 1 && !hasArg("shape"))
      fail(codes::kInvalidArgument, "Expected the new shape in the 'shape' argument or as input 1");
    _shape = argInts("shape");
    if (numOutputs() == 2 && outputIsInput(1, 0))
      fail(codes::kInvalidArgument, "Expected output 1 '" + outputName(1) + "' to differ from input 0");
    const Tensor* data = inputIfReady(0);
    if (numInputs() == 1 && data) newShape(*data, _shape);
    if (numInputs() == 2) {
      if (const Tensor* s = inputIfReady(1)) intValues(1, *s);
    }
  }

  void run(RunContext&) override {
    const Tensor& data = input(0);
    const Shape target = newShape(data, numInputs() == 2 ? intValues(1, input(1)) : _shape);
    if (numOutputs() == 2) {
      Shape old = data.shape();
      Tensor& o = output(1);
      o.resize(DType::Int64, {static_cast<int64_t>(old.size())});
      std::copy(old.begin(), old.end(), o.data<int64_t>());
    }
    Tensor& out = output(0);
    if (&out != &data) out.copyFrom(data);
    out.reshape(target);
  }

 private:
  Shape newShape(const Tensor& data, const std::vector<int64_t>& spec) const {
    Shape out(spec.size());
    int64_t inferAt = -1, known = 1;
    for (size_t i = 0; i < spec.size(); ++i) {
      int64_t d = spec[i];
      if (d == -1) {
        if (inferAt >= 0) fail(codes::kInvalidArgument, "Expected at most one -1 in the new shape " + shapeString(spec));
        inferAt = static_cast<int64_t>(i);
        continue;
      }
      if (d < -1) fail(codes::kInvalidArgument, "Expected dims >= -1 in the new shape but received " + shapeString(spec));
      if (d == 0 && !_allowZero) {
        if (static_cast<int64_t>(i) >= data.ndim())
          fail(codes::kShapeMismatch, "Expected a dim at index " + std::to_string(i) + " of input 0 '" + inputName(0) +
                                          "' " + shapeString(data.shape()) + " to copy for the 0 in " + shapeString(spec));
        d = data.shape()[i];
      }
      out[i] = d;
      known = d == 0 ? 0 : (known <= INT64_MAX / d ? known * d : INT64_MAX);
    }
    if (inferAt >= 0) {
      if (known == 0 || data.numel() % known != 0) {
        fail(codes::kShapeMismatch, "Expected the new shape " + shapeString(spec) + " to fit the " +
                                        std::to_string(data.numel()) + " elements of input 0 '" + inputName(0) + "' " +
                                        shapeString(data.shape()));
      }
      out[static_cast<size_t>(inferAt)] = data.numel() / known;
    } else if (known != data.numel()) {
      fail(codes::kShapeMismatch, "Expected the new shape " + shapeString(spec) + " to hold " +
                                      std::to_string(data.numel()) + " elements like input 0 '" + inputName(0) + "' " +
                                      shapeString(data.shape()));
    }
    return out;
  }

  std::vector<int64_t> _shape;
  bool _allowZero = false;
};

GradientDefs reshapeGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  HW_CHECK(def.outputs.size() == 2, codes::kInvalidArgument,
           "Reshape: the gradient needs the old_shape output (give Reshape two outputs)");
  r.ops.push_back(makeOp("Reshape", {g[0], def.outputs[1]}, {gradName(def.inputs[0])}, {{"allow_zero", Argument::ofInt(1)}}));
  r.inputs.resize(def.inputs.size());
  r.inputs[0] = denseGradient(gradName(def.inputs[0]));
  return r;
}

class TransposeOp final : public BasicOp {
 public:
  TransposeOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws), _axes(argInts("axes")) {
    forbidInPlace(0);
    if (hasArg("axes")) checkPermutation(static_cast<int64_t>(_axes.size()));
    if (const Tensor* x = inputIfReady(0)) permutation(*x);
  }

  void run(RunContext&) override {
    const Tensor& x = input(0);
    const std::vector<int64_t> perm = permutation(x);
    const size_t nd = perm.size();
    Shape outShape(nd);
    std::vector<int64_t> inStride(nd, 1), step(nd);
    for (size_t i = nd; i-- > 1;) inStride[i - 1] = inStride[i] * x.shape()[i];
    for (size_t i = 0; i < nd; ++i) {
      outShape[i] = x.shape()[static_cast<size_t>(perm[i])];
      step[i] = inStride[static_cast<size_t>(perm[i])];
    }
    Tensor& y = output(0);
    y.resize(x.dtype(), outShape);
    if (y.numel() == 0) return;
    switch (dtypeSize(x.dtype())) {
      case 1: permute<uint8_t>(x, y, outShape, step); break;
      case 4: permute<uint32_t>(x, y, outShape, step); break;
      default: permute<uint64_t>(x, y, outShape, step); break;
    }
  }

 private:
  void checkPermutation(int64_t rank) const {
    std::vector<int64_t> sorted = _axes;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < rank; ++i) {
      if (sorted[static_cast<size_t>(i)] != i)
        fail(codes::kInvalidArgument, "Expected 'axes' to be a permutation of 0.." + std::to_string(rank - 1) +
                                          " but received " + shapeString(_axes));
    }
  }

  std::vector<int64_t> permutation(const Tensor& x) const {
    if (!hasArg("axes")) {
      std::vector<int64_t> p(static_cast<size_t>(x.ndim()));
      std::iota(p.rbegin(), p.rend(), 0);
      return p;
    }
    if (static_cast<int64_t>(_axes.size()) != x.ndim())
      fail(codes::kShapeMismatch, "Expected a " + std::to_string(_axes.size()) + "-D input 0 '" + inputName(0) +
                                      "' for axes " + shapeString(_axes) + " but received shape " + shapeString(x.shape()));
    return _axes;
  }

  // Walks the output in order; `step` is the input stride of each output dim.
  template <typename E> static void permute(const Tensor& x, Tensor& y, const Shape& shape, const std::vector<int64_t>& step) {
    const E* in = static_cast<const E*>(x.raw());
    E* out = static_cast<E*>(y.raw());
    const size_t nd = shape.size();
    if (nd == 0) {
      out[0] = in[0];
      return;
    }
    const int64_t inner = shape[nd - 1], innerStep = step[nd - 1];
    std::vector<int64_t> idx(nd, 0);
    int64_t src = 0;
    for (int64_t o = 0; o < y.numel(); o += inner) {
      for (int64_t i = 0; i < inner; ++i) out[o + i] = in[src + i * innerStep];
      for (size_t d = nd - 1; d-- > 0;) {
        src += step[d];
        if (++idx[d] < shape[d]) break;
        src -= step[d] * shape[d];
        idx[d] = 0;
      }
    }
  }

  std::vector<int64_t> _axes;
};

GradientDefs transposeGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  std::map<std::string, Argument> args;
  auto it = def.args.find("axes");
  if (it != def.args.end()) {
    std::vector<int64_t> axes = it->second.ints;
    if (it->second.type == Argument::Type::Floats) axes.assign(it->second.floats.begin(), it->second.floats.end());
    std::vector<int64_t> inverse(axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      HW_CHECK(axes[i] >= 0 && static_cast<size_t>(axes[i]) < axes.size(), codes::kInvalidArgument,
               "Transpose: 'axes' is not a permutation");
      inverse[static_cast<size_t>(axes[i])] = static_cast<int64_t>(i);
    }
    args["axes"] = Argument::ofInts(inverse);
  }
  r.ops.push_back(makeOp("Transpose", {g[0]}, {gradName(def.inputs[0])}, args));
  r.inputs = {denseGradient(gradName(def.inputs[0]))};
  return r;
}

}  // namespace

HW_REGISTER_OP(Reshape, ReshapeOp)
    .inputs(1, 2).outputs(1, 2).argList({"shape", "allow_zero"}).gradientMaker(reshapeGradient)
    .describe("Reshapes (0 copies a dim, -1 is inferred); output 1 is the old shape (int64).");
HW_REGISTER_OP(Transpose, TransposeOp)
    .inputs(1).outputs(1).argList({"axes"}).gradientMaker(transposeGradient)
    .describe("Permutes dims: Y dim i is X dim axes[i] (default reversed).");

}  // namespace hogwild
