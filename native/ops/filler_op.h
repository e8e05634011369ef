#pragma once
// Caffe2's FillerOp shape rules, shared by every *Fill op:
//   no input:  the `shape` arg (default [], a scalar); `extra_shape` and `input_as_shape` are errors;
//   one input: its shape, or with input_as_shape=1 its values (a 1-D int32/int64 tensor),
//              then `extra_shape` appended; a `shape` arg is then an error.
#include "op_helpers.h"

namespace hogwild {

class FillerOp : public BasicOp {
 public:
  // Schemas list the args "shape", "extra_shape" and "input_as_shape".
  FillerOp(const OperatorDef& def, Workspace& ws);

 protected:
  // The shape when it does not depend on an input (for checks at instantiation).
  bool shapeKnown() const { return numInputs() == 0; }
  // The output shape for this run.
  Shape fillShape() const;

 private:
  Shape _shape, _extra;
  bool _inputAsShape = false;
};

}  // namespace hogwild
