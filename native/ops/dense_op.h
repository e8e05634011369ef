#pragma once
// What the dense NN ops (fc, matmul, activations, softmax, losses, accuracy,
// dropout) share: float32/shape checks with the op and blob named, argument
// rules (0/1 flags, finite numbers, axes), aliasing rules and the active
// kernel table. Baseline TUs only: nothing here is compiled with ISA flags.
#include <cmath>
#include <string>

#include "../kernels/dense_kernels.h"
#include "registry.h"

namespace hogwild {

class DenseOp : public Operator {
 public:
  using Operator::Operator;

 protected:
  static const kernels::DenseKernels& kern() { return kernels::denseKernels(); }

  void expectF32(size_t i, const Tensor& t) const { expectDtype(i, t, DType::Float32); }
  void expectMinRank(size_t i, const Tensor& t, int64_t rank) const {
    if (t.ndim() < rank)
      fail(codes::kShapeMismatch, "Expected at least " + std::to_string(rank) + " dims for input " + std::to_string(i) +
                                      " '" + inputName(i) + "' but received shape " + shapeString(t.shape()));
  }
  void expectSameShape(size_t i, const Tensor& a, size_t j, const Tensor& b) const {
    if (a.shape() != b.shape())
      fail(codes::kShapeMismatch, "Expected input " + std::to_string(j) + " '" + inputName(j) + "' to have the shape " +
                                      shapeString(a.shape()) + " of input " + std::to_string(i) + " '" + inputName(i) +
                                      "' but received " + shapeString(b.shape()));
  }
  // Integer labels (int32 or int64).
  void expectIndexDtype(size_t i, const Tensor& t) const {
    if (t.dtype() != DType::Int32 && t.dtype() != DType::Int64)
      fail(codes::kDtypeMismatch, "Expected int32 or int64 labels for input " + std::to_string(i) + " '" + inputName(i) +
                                      "' but received " + dtypeName(t.dtype()));
  }
  int64_t labelAt(const Tensor& t, int64_t i) const {
    return t.dtype() == DType::Int32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
  }

  // A 0/1 flag argument (Caffe2 passes bools as ints).
  bool argFlag(const std::string& name, bool fallback) const {
    const int64_t v = argInt(name, fallback ? 1 : 0);
    if (v != 0 && v != 1)
      fail(codes::kInvalidArgument, "Expected 0 or 1 for argument '" + name + "' but received " + std::to_string(v));
    return v == 1;
  }
  double argFinite(const std::string& name, double fallback) const {
    const double v = argFloat(name, fallback);
    if (!std::isfinite(v))
      fail(codes::kInvalidArgument, "Expected a finite number for argument '" + name + "' but received " + std::to_string(v));
    return v;
  }
  // `axis` in [-rank, rank) normalized to [0, rank).
  int64_t canonicalAxis(const std::string& name, int64_t axis, int64_t rank) const {
    if (axis < -rank || axis >= rank)
      fail(codes::kInvalidArgument, "Expected argument '" + name + "' in [" + std::to_string(-rank) + ", " +
                                        std::to_string(rank) + ") for a " + std::to_string(rank) +
                                        "-D input but received " + std::to_string(axis));
    return axis < 0 ? axis + rank : axis;
  }

  // Ops whose kernels read an input after writing an output (GEMMs, losses).
  void forbidInPlace() const {
    for (size_t o = 0; o < numOutputs(); ++o)
      for (size_t i = 0; i < numInputs(); ++i)
        if (&outputBlob(o) == &inputBlob(i))
          fail(codes::kInvalidArgument, "Expected output '" + outputName(o) + "' to differ from input '" + inputName(i) +
                                            "' (this op cannot run in place)");
    for (size_t o = 0; o < numOutputs(); ++o)
      for (size_t p = o + 1; p < numOutputs(); ++p)
        if (&outputBlob(o) == &outputBlob(p))
          fail(codes::kInvalidArgument, "Expected distinct outputs but '" + outputName(o) + "' appears twice");
  }
  // Elementwise ops may write over an input of the same shape.
  bool aliases(size_t out, size_t in) const { return &outputBlob(out) == &inputBlob(in); }

  void setScalarF32(size_t out, float v) {
    Tensor& t = output(out);
    t.resize(DType::Float32, {});
    *t.data<float>() = v;
  }
};

inline GradientSpec denseGradSpec(const std::string& name) {
  GradientSpec g;
  g.kind = GradientSpec::Kind::Dense;
  g.dense = name;
  return g;
}

}  // namespace hogwild
