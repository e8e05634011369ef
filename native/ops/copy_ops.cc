// Copy: output = a deep copy of the input tensor (any dtype). Its gradient is
// a Copy of the output gradient.
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class CopyOp final : public BasicOp {
 public:
  using BasicOp::BasicOp;
  void run(RunContext&) override {
    const Tensor& x = input(0);
    output(0).copyFrom(x);  // copying a tensor onto itself is a no-op
  }
};

GradientDefs copyGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  r.ops.push_back(makeOp("Copy", {g[0]}, {gradName(def.inputs[0])}));
  r.inputs = {denseGradient(gradName(def.inputs[0]))};
  return r;
}

}  // namespace

HW_REGISTER_OP(Copy, CopyOp).inputs(1).outputs(1).gradientMaker(copyGradient).describe("Output = a copy of the input.");

}  // namespace hogwild
