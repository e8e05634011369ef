#include "filler_op.h"

namespace hogwild {

FillerOp::FillerOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
  _shape = argShape("shape");
  _extra = argShape("extra_shape");
  const int64_t asShape = argInt("input_as_shape", 0);
  if (asShape != 0 && asShape != 1)
    fail(codes::kInvalidArgument, "Expected 0 or 1 for argument 'input_as_shape' but received " + std::to_string(asShape));
  _inputAsShape = asShape == 1;
  if (numInputs() == 0) {
    if (hasArg("extra_shape")) fail(codes::kInvalidArgument, "Expected an input when 'extra_shape' is given");
    if (_inputAsShape) fail(codes::kInvalidArgument, "Expected an input when input_as_shape=1");
  } else {
    if (hasArg("shape")) fail(codes::kInvalidArgument, "Expected either the 'shape' argument or an input, not both");
    const Tensor* t = inputIfReady(0);
    if (t && _inputAsShape) intValues(0, *t);
  }
}

Shape FillerOp::fillShape() const {
  if (numInputs() == 0) return _shape;
  const Tensor& in = input(0);
  Shape shape;
  if (_inputAsShape) {
    shape = intValues(0, in);
    for (int64_t d : shape) {
      if (d < 0)
        fail(codes::kInvalidArgument, "Expected non-negative dims in input 0 '" + inputName(0) + "' but received " +
                                          shapeString(shape));
    }
  } else {
    shape = in.shape();
  }
  shape.insert(shape.end(), _extra.begin(), _extra.end());
  checkedNumel(shape);
  return shape;
}

}  // namespace hogwild
