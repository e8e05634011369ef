#pragma once
// What the sparse and optimizer ops share: index and lengths checks (every index is checked
// before any kernel touches memory), scalar inputs, in-place rules and finite-argument checks.
// Messages follow docs/architecture.md, design rule 3 ("Expected <what> for <name> but received <value>"), prefixed
// with the op's label by Operator::fail.
#include <cstdint>
#include <string>

#include "registry.h"

namespace hogwild {

class SparseOpBase : public Operator {
 public:
  using Operator::Operator;

 protected:
  void expectFloat32(size_t i, const Tensor& t) const { expectDtype(i, t, DType::Float32); }
  // int32 or int64 (indices, lengths), else HOGWILD_DTYPE_MISMATCH.
  void expectIndexType(size_t i, const Tensor& t) const;
  void expectMinNdim(size_t i, const Tensor& t, int64_t ndim) const;
  // `values` holds one row per index: shape == indices.shape + rowShape.
  void expectRowsPerIndex(size_t vi, const Tensor& values, const Tensor& indices, const Shape& rowShape) const;
  // A float32 tensor of one element (a weight, a learning rate); read with a relaxed load. Not
  // finite -> HOGWILD_INVALID_ARGUMENT naming `what`.
  float scalarInput(size_t i, const Tensor& t, const char* what) const;
  // An int64 tensor of one element (an iteration counter); read with a relaxed load.
  int64_t iterInput(size_t i, const Tensor& t) const;
  void expectScalarShape(size_t i, const Tensor& t, DType dtype) const;

  // Every index in [0, limit) or HOGWILD_INDEX_OUT_OF_RANGE naming the position and the value.
  // `limitWhat` says where the limit comes from ("rows of input 0 'emb'").
  void checkIndices(size_t i, const Tensor& indices, int64_t limit, const std::string& limitWhat) const;
  // Every length >= 0; with total >= 0 they must sum to it (`totalWhat` names it). Returns the sum.
  int64_t checkLengths(size_t i, const Tensor& lengths, int64_t total, const std::string& totalWhat) const;

  // A per-thread replica of the first rows of a table (row_replica.h), input `ri`, against the
  // table, input `ti`: float32, the table's row shape, at most its rows. Returns the replica's
  // rows, or -1 when either tensor is null (not ready at instantiation).
  int64_t checkRowReplica(size_t ri, const Tensor* replica, size_t ti, const Tensor* table) const;

  // Output `out` must be input `in` (the in-place updates). Checked by blob, at instantiation.
  void expectInPlace(size_t out, size_t in) const;
  // Output `out` must not be any input (ops that read their inputs after writing the output).
  void forbidAlias(size_t out) const;

  // A float argument that must be finite and within [lo, hi] (open ends when the flags say so).
  double argFinite(const std::string& name, double fallback, double lo, double hi, bool loOpen = false,
                   bool hiOpen = false) const;
  // An integer argument 0 or 1.
  bool argBool(const std::string& name, bool fallback) const;
  // `axis` normalized into [0, rank).
  int64_t normalizeAxis(int64_t axis, int64_t rank) const;

  std::string inputLabel(size_t i) const { return "input " + std::to_string(i) + " '" + inputName(i) + "'"; }
};

// Calls f(const int32_t*) or f(const int64_t*) for an index tensor (dtype already checked).
template <class F> void withIndices(const Tensor& t, F&& f) {
  if (t.dtype() == DType::Int32) f(t.data<int32_t>());
  else f(t.data<int64_t>());
}

// Reads an int argument of a definition (for gradient makers, which see no Operator).
int64_t defArgInt(const OperatorDef& def, const std::string& name, int64_t fallback);

inline GradientSpec sparseGradient(const std::string& indices, const std::string& values) {
  GradientSpec s;
  s.kind = GradientSpec::Kind::Sparse;
  s.indices = indices;
  s.values = values;
  return s;
}
inline GradientSpec denseGradientOf(const std::string& blob) {
  GradientSpec s;
  s.kind = GradientSpec::Kind::Dense;
  s.dense = blob;
  return s;
}
// Caffe2's names for the two halves of a sparse gradient of blob X.
inline std::string gradValuesName(const std::string& blob) { return blob + "_grad_values"; }

}  // namespace hogwild
