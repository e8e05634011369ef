#pragma once
// Base of the two-input broadcasting ops (arithmetic, logic, comparisons and
// their gradients): numpy broadcasting by default, Caffe2's legacy
// `broadcast=1, axis=k` on request, and the cached iteration plan.
#include "broadcast.h"
#include "op_helpers.h"

namespace hogwild {

class BroadcastBinaryOp : public BasicOp {
 public:
  // Schemas list the args "broadcast" and "axis".
  BroadcastBinaryOp(const OperatorDef& def, Workspace& ws);

 protected:
  // Output shape of inputs `ia` and `ib` (A, B); *bShape receives B's shape as
  // the plan should see it (padded under the legacy rule). Throws HOGWILD_SHAPE_MISMATCH.
  Shape resultShape(size_t ia, const Tensor& a, size_t ib, const Tensor& b, Shape* bShape) const;
  // The plan for these shapes, cached in `slot` (0..2) and rebuilt only when they change.
  const BroadcastPlan& plan(size_t slot, const Shape& a, const Shape& b, const Shape& out);

 private:
  bool _legacy = false;
  int64_t _axis = -1;
  BroadcastPlan _plans[3];
};

}  // namespace hogwild
