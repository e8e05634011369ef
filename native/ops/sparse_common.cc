#include "sparse_common.h"

#include <cmath>
#include <sstream>

#include "../kernels/hogwild_updates.h"

namespace hogwild {

void SparseOpBase::expectIndexType(size_t i, const Tensor& t) const {
  if (t.dtype() != DType::Int32 && t.dtype() != DType::Int64) {
    fail(codes::kDtypeMismatch,
         "Expected int32 or int64 for " + inputLabel(i) + " but received " + dtypeName(t.dtype()));
  }
}

void SparseOpBase::expectMinNdim(size_t i, const Tensor& t, int64_t ndim) const {
  if (t.ndim() < ndim) {
    fail(codes::kShapeMismatch, "Expected at least " + std::to_string(ndim) + " dims for " + inputLabel(i) +
                                    " but received shape " + shapeString(t.shape()));
  }
}

void SparseOpBase::expectRowsPerIndex(size_t vi, const Tensor& values, const Tensor& indices,
                                      const Shape& rowShape) const {
  Shape want = indices.shape();
  want.insert(want.end(), rowShape.begin(), rowShape.end());
  if (values.shape() != want) {
    fail(codes::kShapeMismatch, "Expected shape " + shapeString(want) + " (indices " + shapeString(indices.shape()) +
                                    " + rows " + shapeString(rowShape) + ") for " + inputLabel(vi) +
                                    " but received " + shapeString(values.shape()));
  }
}

void SparseOpBase::expectScalarShape(size_t i, const Tensor& t, DType dtype) const {
  expectDtype(i, t, dtype);
  if (t.numel() != 1) {
    fail(codes::kShapeMismatch,
         "Expected a single value for " + inputLabel(i) + " but received shape " + shapeString(t.shape()));
  }
}

float SparseOpBase::scalarInput(size_t i, const Tensor& t, const char* what) const {
  expectScalarShape(i, t, DType::Float32);
  const float v = kernels::loadSharedScalar(t.data<float>());
  if (!std::isfinite(v)) {
    std::ostringstream m;
    m << "Expected a finite " << what << " for " << inputLabel(i) << " but received " << v;
    fail(codes::kInvalidArgument, m.str());
  }
  return v;
}

int64_t SparseOpBase::iterInput(size_t i, const Tensor& t) const {
  expectScalarShape(i, t, DType::Int64);
  const int64_t v = kernels::loadSharedScalar(t.data<int64_t>());
  if (v < 0) {
    fail(codes::kInvalidArgument,
         "Expected a non-negative iteration for " + inputLabel(i) + " but received " + std::to_string(v));
  }
  return v;
}

void SparseOpBase::checkIndices(size_t i, const Tensor& indices, int64_t limit, const std::string& limitWhat) const {
  withIndices(indices, [&](const auto* ix) {
    const int64_t n = indices.numel();
    for (int64_t k = 0; k < n; ++k) {
      const int64_t v = static_cast<int64_t>(ix[k]);
      if (v < 0 || v >= limit) {
        fail(codes::kIndexOutOfRange, "Expected an index in [0, " + std::to_string(limit) + ") (" + limitWhat +
                                          ") at position " + std::to_string(k) + " of " + inputLabel(i) +
                                          " but received " + std::to_string(v));
      }
    }
  });
}

int64_t SparseOpBase::checkLengths(size_t i, const Tensor& lengths, int64_t total, const std::string& totalWhat) const {
  int64_t sum = 0;
  withIndices(lengths, [&](const auto* len) {
    const int64_t n = lengths.numel();
    for (int64_t s = 0; s < n; ++s) {
      const int64_t v = static_cast<int64_t>(len[s]);
      if (v < 0) {
        fail(codes::kInvalidArgument, "Expected a non-negative length at position " + std::to_string(s) + " of " +
                                          inputLabel(i) + " but received " + std::to_string(v));
      }
      if (v > INT64_MAX - sum || (total >= 0 && sum + v > total)) {
        sum = -1;  // stop early: cannot match (or would overflow)
        break;
      }
      sum += v;
    }
  });
  if (total >= 0 && sum != total) {
    fail(codes::kInvalidArgument, "Expected the lengths of " + inputLabel(i) + " to sum to " + std::to_string(total) +
                                      " (" + totalWhat + ") but received " +
                                      (sum < 0 ? std::string("a larger sum") : "a sum of " + std::to_string(sum)));
  }
  if (sum < 0) fail(codes::kInvalidArgument, "Expected the lengths of " + inputLabel(i) + " to fit in 64 bits");
  return sum;
}

void SparseOpBase::expectInPlace(size_t out, size_t in) const {
  if (&outputBlob(out) != &inputBlob(in)) {
    fail(codes::kInvalidArgument, "Expected output " + std::to_string(out) + " to be " + inputLabel(in) +
                                      " (this op updates it in place) but received '" + outputName(out) + "'");
  }
}

void SparseOpBase::forbidAlias(size_t out) const {
  for (size_t i = 0; i < numInputs(); ++i) {
    if (&outputBlob(out) == &inputBlob(i)) {
      fail(codes::kInvalidArgument, "Expected output " + std::to_string(out) + " to differ from its inputs but it is " +
                                        inputLabel(i) + " (in-place use is not supported)");
    }
  }
}

double SparseOpBase::argFinite(const std::string& name, double fallback, double lo, double hi, bool loOpen,
                               bool hiOpen) const {
  const double v = argFloat(name, fallback);  // rejects NaN
  const bool ok = std::isfinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  if (!ok) {
    std::ostringstream m;
    m << "Expected a finite number in " << (loOpen ? "(" : "[") << lo << ", " << hi << (hiOpen ? ")" : "]")
      << " for argument '" << name << "' but received " << v;
    fail(codes::kInvalidArgument, m.str());
  }
  return v;
}

bool SparseOpBase::argBool(const std::string& name, bool fallback) const {
  const int64_t v = argInt(name, fallback ? 1 : 0);
  if (v != 0 && v != 1) {
    fail(codes::kInvalidArgument, "Expected 0 or 1 for argument '" + name + "' but received " + std::to_string(v));
  }
  return v == 1;
}

int64_t SparseOpBase::normalizeAxis(int64_t axis, int64_t rank) const {
  if (axis < -rank || axis >= rank) {
    fail(codes::kInvalidArgument, "Expected an axis in [" + std::to_string(-rank) + ", " + std::to_string(rank) +
                                      ") for argument 'axis' but received " + std::to_string(axis));
  }
  return axis < 0 ? axis + rank : axis;
}

int64_t defArgInt(const OperatorDef& def, const std::string& name, int64_t fallback) {
  auto it = def.args.find(name);
  if (it == def.args.end()) return fallback;
  if (it->second.type == Argument::Type::Int) return it->second.i;
  if (it->second.type == Argument::Type::Float) return static_cast<int64_t>(it->second.f);
  return fallback;
}

}  // namespace hogwild
