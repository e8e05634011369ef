// Checks of a per-thread replica of a table's first rows (row_replica.h).
#include "row_replica.h"

#include <string>

namespace hogwild {

int64_t SparseOpBase::checkRowReplica(size_t ri, const Tensor* replica, size_t ti, const Tensor* table) const {
  if (!replica || !table) return -1;
  const std::string label = "input " + std::to_string(ri) + " '" + inputName(ri) + "'";
  if (replica->dtype() != DType::Float32 || table->dtype() != DType::Float32 || replica->ndim() != table->ndim() ||
      replica->ndim() < 1 || replica->dim(0) > table->dim(0) || replica->sizeFrom(1) != table->sizeFrom(1)) {
    fail(codes::kShapeMismatch, "Expected a float32 replica of at most " + std::to_string(table->ndim() ? table->dim(0) : 0) +
                                       " rows shaped like the rows of input " + std::to_string(ti) + " '" + inputName(ti) + "' " +
                                       shapeString(table->shape()) + " for " + label + " but received " +
                                       dtypeName(replica->dtype()) + " " + shapeString(replica->shape()));
  }
  return replica->dim(0);
}

}  // namespace hogwild
