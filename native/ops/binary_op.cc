#include "binary_op.h"

namespace hogwild {

BroadcastBinaryOp::BroadcastBinaryOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
  const int64_t broadcast = argInt("broadcast", 0);
  if (broadcast != 0 && broadcast != 1)
    fail(codes::kInvalidArgument, "Expected 0 or 1 for argument 'broadcast' but received " + std::to_string(broadcast));
  _legacy = broadcast == 1;
  _axis = argInt("axis", -1);
  if (hasArg("axis") && !_legacy)
    fail(codes::kInvalidArgument, "Expected argument 'axis' only with broadcast=1 (numpy broadcasting needs no axis)");
  if (_axis < -1) fail(codes::kInvalidArgument, "Expected axis >= -1 but received " + std::to_string(_axis));
}

Shape BroadcastBinaryOp::resultShape(size_t ia, const Tensor& a, size_t ib, const Tensor& b, Shape* bShape) const {
  Shape out;
  if (_legacy) {
    std::string why;
    if (!legacyBroadcastShape(a.shape(), b.shape(), _axis, bShape, &why)) {
      fail(codes::kShapeMismatch, "Expected input " + std::to_string(ib) + " '" + inputName(ib) + "' " +
                                      shapeString(b.shape()) + " to broadcast onto input " + std::to_string(ia) + " '" +
                                      inputName(ia) + "' " + shapeString(a.shape()) + ": " + why);
    }
    return a.shape();
  }
  if (!broadcastShapes(a.shape(), b.shape(), &out)) {
    fail(codes::kShapeMismatch, "Expected broadcastable shapes for input " + std::to_string(ia) + " '" + inputName(ia) +
                                    "' and input " + std::to_string(ib) + " '" + inputName(ib) + "' but received " +
                                    shapeString(a.shape()) + " and " + shapeString(b.shape()));
  }
  *bShape = b.shape();
  return out;
}

const BroadcastPlan& BroadcastBinaryOp::plan(size_t slot, const Shape& a, const Shape& b, const Shape& out) {
  BroadcastPlan& p = _plans[slot];
  if (!p.matches(a, b, out)) p = BroadcastPlan(a, b, out);
  return p;
}

}  // namespace hogwild
