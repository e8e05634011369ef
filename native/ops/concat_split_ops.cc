// Concat and Split along one axis (Caffe2 concat_split_op.h; `axis` defaults
// to 1 as there). With add_axis=1, Concat stacks same-shape inputs along a new
// axis and Split removes it again. Both move bytes, so every dtype works.
//   Concat(X0, X1, ...) -> Y[, split_info]   split_info: int32 sizes of each Xi along axis
//   Split(X[, split]) -> Y0, Y1, ...         sizes from input 1, the `split` arg, or equal parts
// Each is the other's gradient.
#include <algorithm>
#include <cstring>

#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class AxisOp : public BasicOp {
 public:
  AxisOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws), _axis(argInt("axis", 1)) {
    const int64_t addAxis = argInt("add_axis", 0);
    if (addAxis != 0 && addAxis != 1)
      fail(codes::kInvalidArgument, "Expected 0 or 1 for argument 'add_axis' but received " + std::to_string(addAxis));
    _addAxis = addAxis == 1;
    for (size_t i = 0; i < numInputs(); ++i) forbidInPlace(i);
  }

 protected:
  // The axis within the concatenated tensor (of rank `rank`).
  int64_t axisFor(int64_t rank) const { return normalizeAxis(_axis, rank, "axis"); }

  // Copies `n` blocks of `bytes` from `src` (stride srcStride) to `dst` (stride dstStride).
  static void copyBlocks(const uint8_t* src, int64_t srcStride, uint8_t* dst, int64_t dstStride, int64_t n, int64_t bytes) {
    if (bytes == 0) return;
    for (int64_t k = 0; k < n; ++k) std::memcpy(dst + k * dstStride, src + k * srcStride, static_cast<size_t>(bytes));
  }

  int64_t _axis;
  bool _addAxis = false;
};

class ConcatOp final : public AxisOp {
 public:
  ConcatOp(const OperatorDef& def, Workspace& ws) : AxisOp(def, ws) {
    std::vector<const Tensor*> ins;
    for (size_t i = 0; i < numInputs(); ++i) ins.push_back(inputIfReady(i));
    if (std::all_of(ins.begin(), ins.end(), [](const Tensor* t) { return t != nullptr; })) outShape(ins);
  }

  void run(RunContext&) override {
    std::vector<const Tensor*> ins;
    for (size_t i = 0; i < numInputs(); ++i) ins.push_back(&input(i));
    int64_t axis = 0;
    const Shape shape = outShape(ins, &axis);
    Tensor& y = output(0);
    y.resize(ins[0]->dtype(), shape);
    const int64_t item = static_cast<int64_t>(dtypeSize(y.dtype()));
    int64_t outer = 1, inner = item;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[static_cast<size_t>(d)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
    const int64_t rowBytes = shape[static_cast<size_t>(axis)] * inner;
    int64_t offset = 0;
    for (const Tensor* t : ins) {
      const int64_t size = _addAxis ? 1 : t->shape()[static_cast<size_t>(axis)];
      copyBlocks(static_cast<const uint8_t*>(t->raw()), size * inner, static_cast<uint8_t*>(y.raw()) + offset, rowBytes, outer, size * inner);
      offset += size * inner;
    }
    if (numOutputs() == 2) {
      Tensor& info = output(1);
      info.resize(DType::Int32, {static_cast<int64_t>(ins.size())});
      for (size_t i = 0; i < ins.size(); ++i)
        info.data<int32_t>()[i] = _addAxis ? 1 : static_cast<int32_t>(ins[i]->shape()[static_cast<size_t>(axis)]);
    }
  }

 private:
  Shape outShape(const std::vector<const Tensor*>& ins, int64_t* axisOut = nullptr) const {
    const Tensor& first = *ins[0];
    const int64_t rank = first.ndim() + (_addAxis ? 1 : 0);
    const int64_t axis = axisFor(rank);
    Shape shape = first.shape();
    if (_addAxis) shape.insert(shape.begin() + axis, 0);
    for (size_t i = 0; i < ins.size(); ++i) {
      const Tensor& t = *ins[i];
      expectSameDtype(0, first, i, t);
      if (_addAxis) {
        expectShape(i, t, first.shape());
        shape[static_cast<size_t>(axis)] += 1;
        continue;
      }
      bool ok = t.ndim() == first.ndim();
      for (int64_t d = 0; ok && d < rank; ++d)
        ok = d == axis || t.shape()[static_cast<size_t>(d)] == first.shape()[static_cast<size_t>(d)];
      if (!ok) {
        fail(codes::kShapeMismatch, "Expected input " + std::to_string(i) + " '" + inputName(i) + "' to match input 0 " +
                                        shapeString(first.shape()) + " except along axis " + std::to_string(axis) +
                                        " but received " + shapeString(t.shape()));
      }
      if (i > 0) shape[static_cast<size_t>(axis)] += t.shape()[static_cast<size_t>(axis)];
    }
    if (axisOut) *axisOut = axis;
    return shape;
  }
};

class SplitOp final : public AxisOp {
 public:
  SplitOp(const OperatorDef& def, Workspace& ws) : AxisOp(def, ws) {
    if (hasArg("split") && numInputs() == 2)
      fail(codes::kInvalidArgument, "Expected split sizes from the 'split' argument or input 1, not both");
    _split = argInts("split");
    if (hasArg("split") && _split.size() != numOutputs())
      fail(codes::kInvalidArgument, "Expected " + std::to_string(numOutputs()) + " entries in 'split' (one per output) but received " +
                                        std::to_string(_split.size()));
    for (int64_t s : _split)
      if (s < 0) fail(codes::kInvalidArgument, "Expected split sizes >= 0 but received " + shapeString(_split));
    const Tensor* x = inputIfReady(0);
    const Tensor* s = numInputs() == 2 ? inputIfReady(1) : nullptr;
    if (x && (numInputs() == 1 || s)) sizes(*x, s);
  }

  void run(RunContext&) override {
    const Tensor& x = input(0);
    const std::vector<int64_t> split = sizes(x, numInputs() == 2 ? &input(1) : nullptr);
    const int64_t axis = axisFor(x.ndim());
    const int64_t item = static_cast<int64_t>(dtypeSize(x.dtype()));
    int64_t outer = 1, inner = item;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[static_cast<size_t>(d)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < x.shape().size(); ++d) inner *= x.shape()[d];
    const int64_t rowBytes = x.shape()[static_cast<size_t>(axis)] * inner;
    int64_t offset = 0;
    for (size_t j = 0; j < numOutputs(); ++j) {
      Shape shape = x.shape();
      if (_addAxis) {
        shape.erase(shape.begin() + axis);
      } else {
        shape[static_cast<size_t>(axis)] = split[j];
      }
      Tensor& y = output(j);
      y.resize(x.dtype(), shape);
      copyBlocks(static_cast<const uint8_t*>(x.raw()) + offset, rowBytes, static_cast<uint8_t*>(y.raw()), split[j] * inner, outer, split[j] * inner);
      offset += split[j] * inner;
    }
  }

 private:
  std::vector<int64_t> sizes(const Tensor& x, const Tensor* s) const {
    const int64_t axis = axisFor(x.ndim());
    const int64_t dim = x.shape()[static_cast<size_t>(axis)];
    const int64_t n = static_cast<int64_t>(numOutputs());
    std::vector<int64_t> split = _split;
    if (s) {
      split = intValues(1, *s);
      expectShape(1, *s, {n});
    } else if (split.empty()) {
      if (dim % n != 0)
        fail(codes::kShapeMismatch, "Expected dim " + std::to_string(axis) + " of input 0 '" + inputName(0) + "' " +
                                        shapeString(x.shape()) + " to divide into " + std::to_string(n) + " equal parts");
      split.assign(static_cast<size_t>(n), dim / n);
    }
    int64_t total = 0;
    for (int64_t v : split) {
      if (v < 0 || v > dim || (_addAxis && v != 1))
        fail(codes::kInvalidArgument, std::string("Expected split sizes ") + (_addAxis ? "of 1 (add_axis)" : "in [0, " + std::to_string(dim) + "]") +
                                          " but received " + shapeString(split));
      total += v;
    }
    if (total != dim)
      fail(codes::kShapeMismatch, "Expected split sizes " + shapeString(split) + " to add up to dim " + std::to_string(axis) +
                                      " of input 0 '" + inputName(0) + "' " + shapeString(x.shape()));
    return split;
  }

  std::vector<int64_t> _split;
};

GradientDefs concatGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  HW_CHECK(def.outputs.size() == 2, codes::kInvalidArgument,
           "Concat: the gradient needs the split_info output (give Concat two outputs)");
  std::vector<std::string> outs;
  for (const auto& in : def.inputs) {
    outs.push_back(gradName(in));
    r.inputs.push_back(denseGradient(outs.back()));
  }
  r.ops.push_back(makeOp("Split", {g[0], def.outputs[1]}, outs, copyArgs(def, {"axis", "add_axis"})));
  sumRepeatedInputGradients(def, &r);
  return r;
}

GradientDefs splitGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  bool any = false;
  for (const auto& s : g) any = any || !s.empty();
  if (!any) return r;
  // Outputs without a gradient contribute zeros of their shape.
  std::vector<std::string> parts;
  const std::string dx = gradName(def.inputs[0]);
  for (size_t j = 0; j < g.size(); ++j) {
    if (!g[j].empty()) {
      parts.push_back(g[j]);
      continue;
    }
    parts.push_back("_" + dx + "_zero_" + std::to_string(j));
    r.ops.push_back(makeOp("ZerosLike", {def.outputs[j]}, {parts.back()}));
  }
  r.ops.push_back(makeOp("Concat", parts, {dx}, copyArgs(def, {"axis", "add_axis"})));
  r.inputs.resize(def.inputs.size());
  r.inputs[0] = denseGradient(dx);
  return r;
}

}  // namespace

HW_REGISTER_OP(Concat, ConcatOp)
    .inputs(1, INT_MAX).outputs(1, 2).argList({"axis", "add_axis"}).gradientMaker(concatGradient)
    .describe("Concatenates along `axis` (default 1); output 1 is the int32 sizes along it.");
HW_REGISTER_OP(Split, SplitOp)
    .inputs(1, 2).outputs(1, INT_MAX).argList({"axis", "split", "add_axis"}).gradientMaker(splitGradient)
    .describe("Splits along `axis` (default 1) by input 1, the `split` arg, or into equal parts.");

}  // namespace hogwild
