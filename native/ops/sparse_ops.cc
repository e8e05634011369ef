// Sparse ops with Caffe2's names, inputs, args and semantics (docs/caffe2.md §11):
//   Gather, LengthsSum, LengthsMean, SparseLengthsSum, SparseLengthsMean,
//   SparseLengthsWeightedSum, ScatterWeightedSum, ScatterAssign, SparseToDense,
// and the gradient ops their gradient makers emit:
//   LengthsSumGradient, LengthsMeanGradient, SparseLengthsSumGradient, SparseLengthsMeanGradient,
//   SparseLengthsWeightedSumGradient, SparseLengthsWeightedSumWithMainInputGradient,
//   BatchGatherGradient (and SparseToDense).
//
// Gradients of an embedding (DATA of Gather axis 0, SparseLengths*) are SPARSE: the forward
// INDICES blob plus one gradient row per index (`DATA_grad_values`), as Caffe2 does, so the
// optimizer touches only the rows the batch used. Every index is checked against its table
// before any kernel runs (HOGWILD_INDEX_OUT_OF_RANGE names the op, position and value);
// lengths must be >= 0 and sum to the number of indices (or of DATA rows for Lengths*).
//
// DATA of SparseLengths*/Gather may be a parameter that other Hogwild threads update in place:
// in builds with HOGWILD_RELAXED_UPDATES=1 those reads are relaxed atomic loads (see
// kernels/hogwild_updates.h). ScatterWeightedSum and ScatterAssign write shared rows through
// the Hogwild update kernels.
#include <algorithm>
#include <climits>
#include <cstring>
#include <type_traits>
#include <vector>

#include "../kernels/hogwild_updates.h"
#include "../kernels/sparse_kernels.h"
#include "row_replica.h"
#include "sparse_common.h"

namespace hogwild {

namespace {

using kernels::hogwildUpdates;
using kernels::kRelaxedUpdates;
using kernels::sparseKernels;

Shape tailShape(const Shape& s, size_t from) {
  return from >= s.size() ? Shape{} : Shape(s.begin() + static_cast<std::ptrdiff_t>(from), s.end());
}

// Copies `count` elements of a row whose element size matches `dtype`, reading a possibly shared
// source (relaxed in relaxed builds). Bool rows are copied as bytes.
void copySharedRow(void* dst, const void* src, int64_t count, DType dtype) {
  switch (dtype) {
    case DType::Float32: kernels::loadSharedRow(static_cast<float*>(dst), static_cast<const float*>(src), count); break;
    case DType::Float64: kernels::loadSharedRow(static_cast<double*>(dst), static_cast<const double*>(src), count); break;
    case DType::Int32: kernels::loadSharedRow(static_cast<int32_t*>(dst), static_cast<const int32_t*>(src), count); break;
    case DType::Int64: kernels::loadSharedRow(static_cast<int64_t*>(dst), static_cast<const int64_t*>(src), count); break;
    case DType::Uint8:
    case DType::Bool:
      kernels::loadSharedRow(static_cast<uint8_t*>(dst), static_cast<const uint8_t*>(src), count);
      break;
  }
}

// One segment of a sparse reduction; relaxed reads of DATA in relaxed builds.
void sumSegment(const kernels::SparseKernels& k, const float* d, int64_t block, const int32_t* ix, int64_t n,
                const float* w, float scale, float* out) {
  (kRelaxedUpdates ? k.gatherSumRelaxedI32 : k.gatherSumI32)(d, block, ix, n, w, scale, out);
}
void sumSegment(const kernels::SparseKernels& k, const float* d, int64_t block, const int64_t* ix, int64_t n,
                const float* w, float scale, float* out) {
  (kRelaxedUpdates ? k.gatherSumRelaxedI64 : k.gatherSumI64)(d, block, ix, n, w, scale, out);
}

float loadSharedFloat(const float* p) {
  if constexpr (kRelaxedUpdates) return kernels::loadSharedScalar(p);
  else return *p;
}

// ---------------------------------------------------------------------------------------------
// Gather(DATA, INDICES) -> OUTPUT; axis (0), dense_gradient (0).
// OUTPUT = DATA.shape[:axis] + INDICES.shape + DATA.shape[axis+1:], OUTPUT[.., k, ..] = DATA[.., INDICES[k], ..].
class GatherOp final : public SparseOpBase {
 public:
  GatherOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    _axis = argInt("axis", 0);
    argBool("dense_gradient", false);
    forbidAlias(0);
    validate(inputIfReady(0), inputIfReady(1));
  }

  void run(RunContext&) override {
    const Tensor& data = input(0);
    const Tensor& idx = input(1);
    const int64_t axis = validate(&data, &idx);
    checkIndices(1, idx, data.dim(axis), "dim " + std::to_string(axis) + " of " + inputLabel(0));
    Shape shape(data.shape().begin(), data.shape().begin() + axis);
    shape.insert(shape.end(), idx.shape().begin(), idx.shape().end());
    const Shape rest = tailShape(data.shape(), static_cast<size_t>(axis) + 1);
    shape.insert(shape.end(), rest.begin(), rest.end());
    Tensor& out = output(0);
    out.resize(data.dtype(), shape);
    const int64_t outer = data.sizeTo(axis), inner = data.sizeFrom(axis + 1), n = idx.numel();
    const int64_t limit = data.dim(axis);
    const size_t es = dtypeSize(data.dtype());
    const auto* src = static_cast<const uint8_t*>(data.raw());
    auto* dst = static_cast<uint8_t*>(out.raw());
    withIndices(idx, [&](const auto* ix) {
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t k = 0; k < n; ++k) {
          const int64_t from = (o * limit + static_cast<int64_t>(ix[k])) * inner;
          const int64_t to = (o * n + k) * inner;
          copySharedRow(dst + static_cast<size_t>(to) * es, src + static_cast<size_t>(from) * es, inner, data.dtype());
        }
      }
    });
  }

 private:
  int64_t validate(const Tensor* data, const Tensor* idx) const {
    if (idx) expectIndexType(1, *idx);
    if (!data) return 0;
    expectMinNdim(0, *data, 1);
    return normalizeAxis(_axis, data->ndim());
  }
  int64_t _axis;
};

GradientDefs gatherGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  out.inputs.resize(2);
  if (g[0].empty()) return out;
  const int64_t axis = defArgInt(def, "axis", 0);
  const bool dense = defArgInt(def, "dense_gradient", 0) != 0;
  const std::string& data = def.inputs[0];
  const std::string& idx = def.inputs[1];
  if (axis == 0 && !dense) {
    out.inputs[0] = sparseGradient(idx, g[0]);  // Caffe2: the output gradient itself, no op
    return out;
  }
  if (axis == 0) {
    out.ops.push_back(makeOp("SparseToDense", {idx, g[0], data}, {gradName(data)}));
  } else {
    out.ops.push_back(makeOp("BatchGatherGradient", {data, idx, g[0]}, {gradName(data)}, {{"axis", Argument::ofInt(axis)}}));
  }
  out.inputs[0] = denseGradientOf(gradName(data));
  return out;
}

// ---------------------------------------------------------------------------------------------
// SparseToDense(INDICES, VALUES[, DATA_TO_INFER_DIM]) -> OUTPUT (VALUES' dtype: float32 or float64).
// OUTPUT has first dim DATA_TO_INFER_DIM.dim(0) (else max(INDICES) + 1) and rows VALUES.shape[INDICES.ndim:];
// OUTPUT[INDICES[k]] += VALUES[k], zero elsewhere (duplicate indices add up). The gradient builder
// densifies a sparse gradient with it (as Caffe2 does), so it follows the parameter's dtype.
class SparseToDenseOp final : public SparseOpBase {
 public:
  SparseToDenseOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    forbidAlias(0);
    validate(inputIfReady(0), inputIfReady(1));
  }

  void run(RunContext&) override {
    const Tensor& idx = input(0);
    const Tensor& values = input(1);
    validate(&idx, &values);
    const Shape rows = tailShape(values.shape(), static_cast<size_t>(idx.ndim()));
    int64_t first = 0;
    if (numInputs() == 3) {
      const Tensor& like = input(2);
      expectMinNdim(2, like, 1);
      first = like.dim(0);
      checkIndices(0, idx, first, "dim 0 of " + inputLabel(2));
    } else {
      checkIndices(0, idx, INT64_MAX, "no upper bound");
      withIndices(idx, [&](const auto* ix) {
        for (int64_t k = 0; k < idx.numel(); ++k) first = std::max<int64_t>(first, static_cast<int64_t>(ix[k]) + 1);
      });
    }
    Shape shape{first};
    shape.insert(shape.end(), rows.begin(), rows.end());
    Tensor& out = output(0);
    out.resize(values.dtype(), shape);
    out.zero();
    const int64_t block = checkedNumel(rows);
    if (values.dtype() == DType::Float64) scatterAdd<double>(idx, values, out, block);
    else scatterAdd<float>(idx, values, out, block);
  }

 private:
  template <typename T> void scatterAdd(const Tensor& idx, const Tensor& values, Tensor& out, int64_t block) const {
    const T* v = values.data<T>();
    T* o = out.data<T>();
    withIndices(idx, [&](const auto* ix) {
      for (int64_t k = 0; k < idx.numel(); ++k) {
        T* row = o + static_cast<int64_t>(ix[k]) * block;
        const T* src = v + k * block;
        for (int64_t j = 0; j < block; ++j) row[j] += src[j];
      }
    });
  }

  void validate(const Tensor* idx, const Tensor* values) const {
    if (idx) expectIndexType(0, *idx);
    if (values && values->dtype() != DType::Float32 && values->dtype() != DType::Float64) {
      fail(codes::kDtypeMismatch, "Expected float32 or float64 for input 1 '" + inputName(1) + "' but received " +
                                      dtypeName(values->dtype()));
    }
    if (idx && values) {
      bool prefix = values->ndim() >= idx->ndim() &&
                    std::equal(idx->shape().begin(), idx->shape().end(), values->shape().begin());
      if (!prefix) {
        fail(codes::kShapeMismatch, "Expected " + inputLabel(1) + " to start with the shape of " + inputLabel(0) + " " +
                                        shapeString(idx->shape()) + " but received " + shapeString(values->shape()));
      }
    }
  }
};

// ---------------------------------------------------------------------------------------------
// BatchGatherGradient(DATA, INDICES, GRAD; axis) -> DATA_grad: the dense gradient of Gather along
// `axis`: zeros of DATA's shape, DATA_grad[.., INDICES[k], ..] += GRAD[.., k, ..].
class BatchGatherGradientOp final : public SparseOpBase {
 public:
  BatchGatherGradientOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    _axis = argInt("axis", 0);
    forbidAlias(0);
    if (auto* i = inputIfReady(1)) expectIndexType(1, *i);
    if (auto* d = inputIfReady(0)) {
      expectMinNdim(0, *d, 1);
      normalizeAxis(_axis, d->ndim());
    }
  }

  void run(RunContext&) override {
    const Tensor& data = input(0);
    const Tensor& idx = input(1);
    const Tensor& grad = input(2);
    expectIndexType(1, idx);
    expectMinNdim(0, data, 1);
    expectFloat32(2, grad);
    const int64_t axis = normalizeAxis(_axis, data.ndim());
    Shape want(data.shape().begin(), data.shape().begin() + axis);
    want.insert(want.end(), idx.shape().begin(), idx.shape().end());
    const Shape rest = tailShape(data.shape(), static_cast<size_t>(axis) + 1);
    want.insert(want.end(), rest.begin(), rest.end());
    expectShape(2, grad, want);
    const int64_t limit = data.dim(axis);
    checkIndices(1, idx, limit, "dim " + std::to_string(axis) + " of " + inputLabel(0));
    Tensor& out = output(0);
    out.resize(DType::Float32, data.shape());
    out.zero();
    const int64_t outer = data.sizeTo(axis), inner = data.sizeFrom(axis + 1), n = idx.numel();
    const float* g = grad.data<float>();
    float* o = out.data<float>();
    withIndices(idx, [&](const auto* ix) {
      for (int64_t a = 0; a < outer; ++a) {
        for (int64_t k = 0; k < n; ++k) {
          float* row = o + (a * limit + static_cast<int64_t>(ix[k])) * inner;
          const float* src = g + (a * n + k) * inner;
          for (int64_t j = 0; j < inner; ++j) row[j] += src[j];
        }
      }
    });
  }

 private:
  int64_t _axis;
};

// ---------------------------------------------------------------------------------------------
// LengthsSum / LengthsMean(DATA, LENGTHS) -> OUTPUT: OUTPUT[i] = sum (or mean) of the next
// LENGTHS[i] rows of DATA. An empty segment gives zeros. sum(LENGTHS) must equal DATA.dim(0).
template <bool kMean>
class LengthsReduceOp final : public SparseOpBase {
 public:
  LengthsReduceOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    forbidAlias(0);
    validate(inputIfReady(0), inputIfReady(1));
  }

  void run(RunContext&) override {
    const Tensor& data = input(0);
    const Tensor& lengths = input(1);
    validate(&data, &lengths);
    checkLengths(1, lengths, data.dim(0), "the rows of " + inputLabel(0));
    Shape shape{lengths.numel()};
    const Shape rows = tailShape(data.shape(), 1);
    shape.insert(shape.end(), rows.begin(), rows.end());
    Tensor& out = output(0);
    out.resize(DType::Float32, shape);
    const int64_t block = data.sizeFrom(1);
    const float* d = data.data<float>();
    float* o = out.data<float>();
    const auto& k = sparseKernels();
    withIndices(lengths, [&](const auto* len) {
      int64_t start = 0;
      for (int64_t s = 0; s < lengths.numel(); ++s) {
        const int64_t n = static_cast<int64_t>(len[s]);
        const float scale = kMean && n > 0 ? 1.f / static_cast<float>(n) : 1.f;
        k.rangeSum(d + start * block, block, n, scale, o + s * block);
        start += n;
      }
    });
  }

 private:
  void validate(const Tensor* data, const Tensor* lengths) const {
    if (data) {
      expectFloat32(0, *data);
      expectMinNdim(0, *data, 1);
    }
    if (lengths) {
      expectIndexType(1, *lengths);
      expectNdim(1, *lengths, 1);
    }
  }
};

template <bool kMean>
GradientDefs lengthsReduceGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  out.inputs.resize(2);
  if (g[0].empty()) return out;
  const std::string& data = def.inputs[0];
  out.ops.push_back(makeOp(kMean ? "LengthsMeanGradient" : "LengthsSumGradient", {g[0], def.inputs[1]}, {gradName(data)}));
  out.inputs[0] = denseGradientOf(gradName(data));
  return out;
}

// ---------------------------------------------------------------------------------------------
// SparseLengthsSum / SparseLengthsMean(DATA, INDICES, LENGTHS) and
// SparseLengthsWeightedSum(DATA, WEIGHTS, INDICES, LENGTHS; grad_on_weights) -> OUTPUT:
// OUTPUT[i] = sum (mean, weighted sum) of DATA[INDICES[j]] over the next LENGTHS[i] positions j.
enum class Reduce { Sum, Mean, WeightedSum };

template <Reduce kR>
class SparseLengthsReduceOp final : public SparseOpBase {
  static constexpr bool kW = kR == Reduce::WeightedSum;
  static constexpr size_t kData = 0, kWeights = 1, kIndices = kW ? 2 : 1, kLengths = kW ? 3 : 2, kReplica = kLengths + 1;

 public:
  SparseLengthsReduceOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    if (kW) argBool("grad_on_weights", false);
    forbidAlias(0);
    validate(inputIfReady(kData), kW ? inputIfReady(kWeights) : nullptr, inputIfReady(kIndices), inputIfReady(kLengths));
    if (hasReplica()) checkRowReplica(kReplica, inputIfReady(kReplica), kData, inputIfReady(kData));
  }

  void run(RunContext&) override {
    const Tensor& data = input(kData);
    const Tensor& idx = input(kIndices);
    const Tensor& lengths = input(kLengths);
    const Tensor* weights = kW ? &input(kWeights) : nullptr;
    validate(&data, weights, &idx, &lengths);
    if (hasReplica()) return runWithReplica(data, weights, idx, lengths, input(kReplica));
    checkIndices(kIndices, idx, data.dim(0), "the rows of " + inputLabel(kData));
    checkLengths(kLengths, lengths, idx.numel(), "the number of indices in " + inputLabel(kIndices));
    Shape shape{lengths.numel()};
    const Shape rows = tailShape(data.shape(), 1);
    shape.insert(shape.end(), rows.begin(), rows.end());
    Tensor& out = output(0);
    out.resize(DType::Float32, shape);
    const int64_t block = data.sizeFrom(1);
    const float* d = data.data<float>();
    const float* w = weights ? weights->data<float>() : nullptr;
    float* o = out.data<float>();
    const auto& k = sparseKernels();
    withIndices(idx, [&](const auto* ix) {
      withIndices(lengths, [&](const auto* len) {
        int64_t start = 0;
        for (int64_t s = 0; s < lengths.numel(); ++s) {
          const int64_t n = static_cast<int64_t>(len[s]);
          const float scale = kR == Reduce::Mean && n > 0 ? 1.f / static_cast<float>(n) : 1.f;
          sumSegment(k, d, block, ix + start, n, w ? w + start : nullptr, scale, o + s * block);
          start += n;
        }
      });
    });
  }

 private:
  bool hasReplica() const { return numInputs() > kReplica; }

  // Rows below the replica's count come from this thread's replica, the rest from the table:
  // each segment sums the two parts separately, then scales (row_replica.h).
  void runWithReplica(const Tensor& data, const Tensor* weights, const Tensor& idx, const Tensor& lengths, const Tensor& replica) {
    const int64_t hotRows = checkRowReplica(kReplica, &replica, kData, &data);
    checkIndices(kIndices, idx, data.dim(0), "the rows of " + inputLabel(kData));
    checkLengths(kLengths, lengths, idx.numel(), "the number of indices in " + inputLabel(kIndices));
    Shape shape{lengths.numel()};
    const Shape rows = tailShape(data.shape(), 1);
    shape.insert(shape.end(), rows.begin(), rows.end());
    Tensor& out = output(0);
    out.resize(DType::Float32, shape);
    const int64_t block = data.sizeFrom(1);
    const float* d = data.data<float>();
    const float* hot = replica.data<float>();
    const float* w = weights ? weights->data<float>() : nullptr;
    float* o = out.data<float>();
    _cold.resize(static_cast<size_t>(block));
    const auto& k = sparseKernels();
    withIndices(idx, [&](const auto* ix) {
      using I = std::remove_const_t<std::remove_pointer_t<decltype(ix)>>;
      RowSplit<I>& split = splitFor<I>();
      withIndices(lengths, [&](const auto* len) {
        int64_t start = 0;
        for (int64_t s = 0; s < lengths.numel(); ++s) {
          const int64_t n = static_cast<int64_t>(len[s]);
          const float scale = kR == Reduce::Mean && n > 0 ? 1.f / static_cast<float>(n) : 1.f;
          split.split(ix + start, n, w ? w + start : nullptr, hotRows);
          float* os = o + s * block;
          const int64_t nh = split.nh, nc = split.nc;
          sumSegment(k, hot, block, split.hotIdx.data(), nh, w ? split.hotW.data() : nullptr, scale, os);
          if (nc > 0) {
            sumSegment(k, d, block, split.coldIdx.data(), nc, w ? split.coldW.data() : nullptr, scale, _cold.data());
            for (int64_t j = 0; j < block; ++j) os[j] += _cold[static_cast<size_t>(j)];
          }
          start += n;
        }
      });
    });
  }

  template <class I>
  RowSplit<I>& splitFor() {
    if constexpr (std::is_same_v<I, int32_t>) return _split32;
    else return _split64;
  }

  RowSplit<int32_t> _split32;
  RowSplit<int64_t> _split64;
  std::vector<float> _cold;

  void validate(const Tensor* data, const Tensor* weights, const Tensor* idx, const Tensor* lengths) const {
    if (data) {
      expectFloat32(kData, *data);
      expectMinNdim(kData, *data, 1);
    }
    if (idx) {
      expectIndexType(kIndices, *idx);
      expectNdim(kIndices, *idx, 1);
    }
    if (lengths) {
      expectIndexType(kLengths, *lengths);
      expectNdim(kLengths, *lengths, 1);
    }
    if (weights) {
      expectFloat32(kWeights, *weights);
      expectNdim(kWeights, *weights, 1);
      if (idx && weights->numel() != idx->numel()) {
        fail(codes::kShapeMismatch, "Expected one weight per index (" + std::to_string(idx->numel()) + ") for " +
                                        inputLabel(kWeights) + " but received shape " + shapeString(weights->shape()));
      }
    }
  }
};

template <Reduce kR>
GradientDefs sparseLengthsGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  out.inputs.resize(def.inputs.size());
  if (g[0].empty()) return out;
  const std::string& data = def.inputs[0];
  const std::string values = gradValuesName(data);
  if constexpr (kR == Reduce::WeightedSum) {
    const std::string &weights = def.inputs[1], &idx = def.inputs[2], &lengths = def.inputs[3];
    if (defArgInt(def, "grad_on_weights", 0) != 0) {
      out.ops.push_back(makeOp("SparseLengthsWeightedSumWithMainInputGradient", {weights, g[0], lengths, data, idx},
                               {values, gradName(weights)}));
      out.inputs[1] = denseGradientOf(gradName(weights));
    } else {
      out.ops.push_back(makeOp("SparseLengthsWeightedSumGradient", {weights, g[0], lengths}, {values}));
    }
    out.inputs[0] = sparseGradient(idx, values);
  } else {
    const std::string &idx = def.inputs[1], &lengths = def.inputs[2];
    out.ops.push_back(makeOp(kR == Reduce::Mean ? "SparseLengthsMeanGradient" : "SparseLengthsSumGradient",
                             {g[0], lengths}, {values}));
    out.inputs[0] = sparseGradient(idx, values);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Segment gradients, expanded to one row per position of the forward op:
//   {Lengths,SparseLengths}{Sum,Mean}Gradient(GO, LENGTHS) -> G with G[j] = GO[seg(j)] (/ LENGTHS[seg] for Mean)
//   SparseLengthsWeightedSumGradient(WEIGHTS, GO, LENGTHS) -> G[j] = WEIGHTS[j] * GO[seg(j)]
//   SparseLengthsWeightedSumWithMainInputGradient(WEIGHTS, GO, LENGTHS, DATA, INDICES)
//       -> (G as above, WEIGHTS_grad[j] = <GO[seg(j)], DATA[INDICES[j]]>)
// G has shape [sum(LENGTHS)] + GO.shape[1:].
template <Reduce kR, bool kMainInput>
class LengthsGradientOp final : public SparseOpBase {
  static constexpr bool kW = kR == Reduce::WeightedSum;
  static constexpr size_t kWeights = 0, kGrad = kW ? 1 : 0, kLengths = kW ? 2 : 1, kData = 3, kIndices = 4;

 public:
  LengthsGradientOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    for (size_t o = 0; o < numOutputs(); ++o) forbidAlias(o);
    if (auto* go = inputIfReady(kGrad)) {
      expectFloat32(kGrad, *go);
      expectMinNdim(kGrad, *go, 1);
    }
    if (auto* l = inputIfReady(kLengths)) expectIndexType(kLengths, *l);
  }

  void run(RunContext&) override {
    const Tensor& go = input(kGrad);
    const Tensor& lengths = input(kLengths);
    expectFloat32(kGrad, go);
    expectMinNdim(kGrad, go, 1);
    expectIndexType(kLengths, lengths);
    expectNdim(kLengths, lengths, 1);
    if (go.dim(0) != lengths.numel()) {
      fail(codes::kShapeMismatch, "Expected " + std::to_string(lengths.numel()) + " rows (one per length of " +
                                      inputLabel(kLengths) + ") for " + inputLabel(kGrad) + " but received shape " +
                                      shapeString(go.shape()));
    }
    const int64_t total = checkLengths(kLengths, lengths, -1, "");
    const float* w = nullptr;
    if constexpr (kW) {
      const Tensor& weights = input(kWeights);
      expectFloat32(kWeights, weights);
      expectNdim(kWeights, weights, 1);
      if (weights.numel() != total) {
        fail(codes::kShapeMismatch, "Expected " + std::to_string(total) + " weights (the sum of the lengths) for " +
                                        inputLabel(kWeights) + " but received shape " + shapeString(weights.shape()));
      }
      w = weights.data<float>();
    }
    const Shape rows = tailShape(go.shape(), 1);
    Shape shape{total};
    shape.insert(shape.end(), rows.begin(), rows.end());
    Tensor& out = output(0);
    out.resize(DType::Float32, shape);
    const int64_t block = go.sizeFrom(1);
    const float* g = go.data<float>();
    float* o = out.data<float>();
    const auto& k = sparseKernels();
    withIndices(lengths, [&](const auto* len) {
      int64_t start = 0;
      for (int64_t s = 0; s < lengths.numel(); ++s) {
        const int64_t n = static_cast<int64_t>(len[s]);
        const float scale = kR == Reduce::Mean && n > 0 ? 1.f / static_cast<float>(n) : 1.f;
        k.expandRows(g + s * block, block, n, w ? w + start : nullptr, scale, o + start * block);
        start += n;
      }
    });
    if constexpr (kMainInput) weightsGradient(go, lengths, total, block);
  }

 private:
  void weightsGradient(const Tensor& go, const Tensor& lengths, int64_t total, int64_t block) {
    const Tensor& data = input(kData);
    const Tensor& idx = input(kIndices);
    expectFloat32(kData, data);
    expectMinNdim(kData, data, 1);
    expectIndexType(kIndices, idx);
    expectNdim(kIndices, idx, 1);
    if (idx.numel() != total) {
      fail(codes::kShapeMismatch, "Expected " + std::to_string(total) + " indices (the sum of the lengths) for " +
                                      inputLabel(kIndices) + " but received shape " + shapeString(idx.shape()));
    }
    if (data.sizeFrom(1) != block) {
      fail(codes::kShapeMismatch, "Expected rows of " + std::to_string(block) + " values (as in " + inputLabel(kGrad) +
                                      ") for " + inputLabel(kData) + " but received shape " + shapeString(data.shape()));
    }
    checkIndices(kIndices, idx, data.dim(0), "the rows of " + inputLabel(kData));
    Tensor& wg = output(1);
    wg.resize(DType::Float32, {total});
    float* out = wg.data<float>();
    const float* d = data.data<float>();
    const float* g = go.data<float>();
    withIndices(idx, [&](const auto* ix) {
      withIndices(lengths, [&](const auto* len) {
        int64_t j = 0;
        for (int64_t s = 0; s < lengths.numel(); ++s) {
          const float* gs = g + s * block;
          for (int64_t e = j + static_cast<int64_t>(len[s]); j < e; ++j) {
            const float* row = d + static_cast<int64_t>(ix[j]) * block;
            float dot = 0.f;
            for (int64_t c = 0; c < block; ++c) dot += gs[c] * loadSharedFloat(row + c);
            out[j] = dot;
          }
        }
      });
    });
  }
};

using SumGradientOp = LengthsGradientOp<Reduce::Sum, false>;
using MeanGradientOp = LengthsGradientOp<Reduce::Mean, false>;
using WeightedSumGradientOp = LengthsGradientOp<Reduce::WeightedSum, false>;
using WeightedSumMainInputGradientOp = LengthsGradientOp<Reduce::WeightedSum, true>;

// ---------------------------------------------------------------------------------------------
// ScatterWeightedSum(X0, W0, INDICES, X1, W1, ...) -> X0, in place: for each k in order,
// X0[INDICES[k]] = W0 * X0[INDICES[k]] + sum_i Wi * Xi[k]. A duplicate index is applied again
// (W0 scales that row twice), as in Caffe2 (docs/caffe2.md §11). Writes shared rows: Hogwild kernel.
class ScatterWeightedSumOp final : public SparseOpBase {
 public:
  ScatterWeightedSumOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    // row_replica 1: the last input is this thread's replica of X0's first rows (row_replica.h).
    _replica = argBool("row_replica", false);
    const size_t pairs = numInputs() - (_replica ? 1 : 0);
    if (pairs < 5 || pairs % 2 == 0) {
      fail(codes::kInvalidArgument, std::string("Expected an odd number of inputs, at least 5 (X0, W0, INDICES, X1, W1, ...)") +
                                        (_replica ? " before the row replica" : "") + ", but received " + std::to_string(pairs));
    }
    expectInPlace(0, 0);
    _xs.resize((pairs - 3) / 2);
    _ws.resize(_xs.size());
    _xk.resize(_xs.size());
    validate(false);
    if (_replica) checkRowReplica(numInputs() - 1, inputIfReady(numInputs() - 1), 0, inputIfReady(0));
  }

  void run(RunContext&) override {
    validate(true);
    Tensor& x0 = output(0);
    const Tensor& idx = input(2);
    checkIndices(2, idx, x0.dim(0), "the rows of " + inputLabel(0));
    const float w0 = scalarInput(1, input(1), "weight");
    for (size_t i = 0; i < _xs.size(); ++i) {
      _xs[i] = input(3 + 2 * i).data<float>();
      _ws[i] = scalarInput(4 + 2 * i, input(4 + 2 * i), "weight");
    }
    const int64_t block = x0.sizeFrom(1), n = idx.numel(), nx = static_cast<int64_t>(_xs.size());
    const auto& hw = hogwildUpdates();
    float* p = x0.data<float>();
    if (_replica) {
      const size_t ri = numInputs() - 1;
      Tensor& replica = inputBlob(ri).mutableTensor();
      const int64_t hotRows = checkRowReplica(ri, &replica, 0, &x0);
      if (idx.dtype() == DType::Int32) scatterWithReplica(hw.scatterWeightedSumI32, p, replica.data<float>(), hotRows, block, idx.data<int32_t>(), n, w0);
      else scatterWithReplica(hw.scatterWeightedSumI64, p, replica.data<float>(), hotRows, block, idx.data<int64_t>(), n, w0);
      return;
    }
    if (idx.dtype() == DType::Int32) hw.scatterWeightedSumI32(p, block, idx.data<int32_t>(), n, w0, _xs.data(), _ws.data(), nx);
    else hw.scatterWeightedSumI64(p, block, idx.data<int64_t>(), n, w0, _xs.data(), _ws.data(), nx);
  }

 private:
  // Rows below hotRows update this thread's private replica (plain stores: nothing else writes
  // it), the others go through the Hogwild update kernel in one call over their gathered rows.
  template <class I, class Kernel>
  void scatterWithReplica(Kernel kernel, float* p, float* hot, int64_t hotRows, int64_t block, const I* idx, int64_t n, float w0) {
    RowSplit<I>& split = splitFor<I>();
    split.split(idx, n, nullptr, hotRows);
    const size_t nx = _xs.size();
    for (int64_t h = 0; h < split.nh; ++h) {
      float* __restrict row = hot + static_cast<int64_t>(split.hotIdx[static_cast<size_t>(h)]) * block;
      const int64_t k = split.hotPos[static_cast<size_t>(h)];
      for (int64_t j = 0; j < block; ++j) row[j] *= w0;
      for (size_t i = 0; i < nx; ++i) {
        const float* __restrict x = _xs[i] + k * block;
        const float wi = _ws[i];
        for (int64_t j = 0; j < block; ++j) row[j] += wi * x[j];
      }
    }
    if (split.nc == 0) return;
    _coldRows.resize(nx);
    for (size_t i = 0; i < nx; ++i) {
      _coldRows[i].resize(static_cast<size_t>(split.nc * block));
      for (int64_t c = 0; c < split.nc; ++c) {
        std::memcpy(_coldRows[i].data() + c * block, _xs[i] + split.coldPos[static_cast<size_t>(c)] * block, static_cast<size_t>(block) * sizeof(float));
      }
      _xk[i] = _coldRows[i].data();
    }
    kernel(p, block, split.coldIdx.data(), split.nc, w0, _xk.data(), _ws.data(), static_cast<int64_t>(nx));
  }

  template <class I>
  RowSplit<I>& splitFor() {
    if constexpr (std::is_same_v<I, int32_t>) return _split32;
    else return _split64;
  }

  RowSplit<int32_t> _split32;
  RowSplit<int64_t> _split64;
  std::vector<std::vector<float>> _coldRows;

  void validate(bool runtime) const {
    const Tensor* x0 = runtime ? &input(0) : inputIfReady(0);
    const Tensor* idx = runtime ? &input(2) : inputIfReady(2);
    if (x0) {
      expectFloat32(0, *x0);
      expectMinNdim(0, *x0, 1);
    }
    if (idx) expectIndexType(2, *idx);
    if (const Tensor* w0 = runtime ? &input(1) : inputIfReady(1)) expectScalarShape(1, *w0, DType::Float32);
    for (size_t i = 3; i + 1 < numInputs(); i += 2) {
      if (const Tensor* w = runtime ? &input(i + 1) : inputIfReady(i + 1)) expectScalarShape(i + 1, *w, DType::Float32);
      const Tensor* x = runtime ? &input(i) : inputIfReady(i);
      if (!x) continue;
      expectFloat32(i, *x);
      if (x0 && idx) expectRowsPerIndex(i, *x, *idx, tailShape(x0->shape(), 1));
    }
  }
  std::vector<const float*> _xs, _xk;
  std::vector<float> _ws;
  bool _replica = false;
};

// ---------------------------------------------------------------------------------------------
// ScatterAssign(DATA, INDICES, SLICES) -> DATA, in place: DATA[INDICES[k]] = SLICES[k] in order
// (the last of duplicate indices wins). Any dtype; SLICES must match DATA's.
class ScatterAssignOp final : public SparseOpBase {
 public:
  ScatterAssignOp(const OperatorDef& def, Workspace& ws) : SparseOpBase(def, ws) {
    expectInPlace(0, 0);
    validate(inputIfReady(0), inputIfReady(1), inputIfReady(2));
  }

  void run(RunContext&) override {
    validate(&input(0), &input(1), &input(2));
    Tensor& data = output(0);  // the same tensor as input 0
    const Tensor& idx = input(1);
    const Tensor& slices = input(2);
    checkIndices(1, idx, data.dim(0), "the rows of " + inputLabel(0));
    const int64_t block = data.sizeFrom(1);
    const size_t rowBytes = static_cast<size_t>(block) * dtypeSize(data.dtype());
    auto* d = static_cast<uint8_t*>(data.raw());
    const auto* s = static_cast<const uint8_t*>(slices.raw());
    const auto& hw = hogwildUpdates();
    withIndices(idx, [&](const auto* ix) {
      for (int64_t k = 0; k < idx.numel(); ++k)
        hw.storeRow(d + static_cast<size_t>(ix[k]) * rowBytes, s + static_cast<size_t>(k) * rowBytes, block, data.dtype());
    });
  }

 private:
  void validate(const Tensor* data, const Tensor* idx, const Tensor* slices) const {
    if (data) expectMinNdim(0, *data, 1);
    if (idx) expectIndexType(1, *idx);
    if (data && slices) expectDtype(2, *slices, data->dtype());
    if (data && idx && slices) expectRowsPerIndex(2, *slices, *idx, tailShape(data->shape(), 1));
  }
};

}  // namespace

// ---- registrations ----

HW_REGISTER_OP(Gather, GatherOp)
    .inputs(2).outputs(1).argList({"axis", "dense_gradient"}).gradientMaker(gatherGradient)
    .describe("OUTPUT = DATA gathered at INDICES along `axis`; sparse gradient (INDICES, OUTPUT_grad) for axis 0.");
HW_REGISTER_OP(SparseToDense, SparseToDenseOp)
    .inputs(2, 3).outputs(1)
    .describe("Dense tensor in VALUES' dtype (float32/float64) with VALUES[k] added at row INDICES[k]; "
              "rows from DATA_TO_INFER_DIM or max index + 1.");
HW_REGISTER_OP(BatchGatherGradient, BatchGatherGradientOp)
    .inputs(3).outputs(1).arg("axis").describe("Dense gradient of Gather along `axis`.");

HW_REGISTER_OP(LengthsSum, LengthsReduceOp<false>)
    .inputs(2).outputs(1).gradientMaker(lengthsReduceGradient<false>)
    .describe("OUTPUT[i] = sum of the next LENGTHS[i] rows of DATA.");
HW_REGISTER_OP(LengthsMean, LengthsReduceOp<true>)
    .inputs(2).outputs(1).gradientMaker(lengthsReduceGradient<true>)
    .describe("OUTPUT[i] = mean of the next LENGTHS[i] rows of DATA (zeros for an empty segment).");

HW_REGISTER_OP(SparseLengthsSum, SparseLengthsReduceOp<Reduce::Sum>)
    .inputs(3, 4).outputs(1).gradientMaker(sparseLengthsGradient<Reduce::Sum>)
    .describe("OUTPUT[i] = sum of DATA[INDICES[j]] over the next LENGTHS[i] positions j.");
HW_REGISTER_OP(SparseLengthsMean, SparseLengthsReduceOp<Reduce::Mean>)
    .inputs(3, 4).outputs(1).gradientMaker(sparseLengthsGradient<Reduce::Mean>)
    .describe("OUTPUT[i] = mean of DATA[INDICES[j]] over the next LENGTHS[i] positions j (zeros when empty).");
HW_REGISTER_OP(SparseLengthsWeightedSum, SparseLengthsReduceOp<Reduce::WeightedSum>)
    .inputs(4, 5).outputs(1).arg("grad_on_weights").gradientMaker(sparseLengthsGradient<Reduce::WeightedSum>)
    .describe("OUTPUT[i] = sum of WEIGHTS[j] * DATA[INDICES[j]] over the next LENGTHS[i] positions j.");

HW_REGISTER_OP(LengthsSumGradient, SumGradientOp).inputs(2).outputs(1);
HW_REGISTER_OP(LengthsMeanGradient, MeanGradientOp).inputs(2).outputs(1);
HW_REGISTER_OP(SparseLengthsSumGradient, SumGradientOp).inputs(2).outputs(1);
HW_REGISTER_OP(SparseLengthsMeanGradient, MeanGradientOp).inputs(2).outputs(1);
HW_REGISTER_OP(SparseLengthsWeightedSumGradient, WeightedSumGradientOp).inputs(3).outputs(1);
HW_REGISTER_OP(SparseLengthsWeightedSumWithMainInputGradient, WeightedSumMainInputGradientOp).inputs(5).outputs(2);

HW_REGISTER_OP(ScatterWeightedSum, ScatterWeightedSumOp)
    .inputs(5, INT_MAX).outputs(1).arg("row_replica")
    .describe("In place: X0[INDICES[k]] = W0 * X0[INDICES[k]] + sum_i Wi * Xi[k]; duplicates applied again. "
              "row_replica 1: the last input is a per-thread replica of X0's first rows, updated instead.");
HW_REGISTER_OP(ScatterAssign, ScatterAssignOp)
    .inputs(3).outputs(1).describe("In place: DATA[INDICES[k]] = SLICES[k].");

}  // namespace hogwild
