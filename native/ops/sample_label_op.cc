// SampleLabel(lengths, values) -> label: one label per example, drawn
// uniformly from that example's labels (values[offset .. offset + length)).
// fastText trains a multi-label line with softmax, hs or ns on one of its
// labels picked at random on every pass; this op is that pick, so a batch of
// label sets feeds any single-label loss.
//
// Deterministic: the draw for example e on the r-th run of this op instance is
// a hash of (seed, instance, r, e), so each thread of a Hogwild trainer has its
// own stream and a given seed reproduces it.
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class SampleLabelOp final : public BasicOp {
 public:
  SampleLabelOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws), _seed(static_cast<uint64_t>(argInt("seed", 0))) {}

  void run(RunContext& ctx) override {
    const Tensor& lengths = input(0);
    const Tensor& values = input(1);
    for (size_t i : {size_t{0}, size_t{1}}) {
      const Tensor& t = i == 0 ? lengths : values;
      if (t.dtype() != DType::Int32 || t.shape().size() != 1)
        fail(codes::kInvalidArgument, std::string("Expected input ") + std::to_string(i) + " '" + inputName(i) +
                                          "' to be a 1-D int32 tensor (" + (i == 0 ? "labels per example" : "the labels") + ")");
    }
    const int64_t n = lengths.numel();
    const int32_t* len = lengths.data<int32_t>();
    int64_t total = 0;
    for (int64_t e = 0; e < n; ++e) {
      if (len[e] < 1) fail(codes::kInvalidArgument, "Expected every example to have at least one label but example " + std::to_string(e) + " has " + std::to_string(len[e]));
      total += len[e];
    }
    if (total != values.numel())
      fail(codes::kShapeMismatch, "Expected the label lengths to sum to the number of labels (" + std::to_string(values.numel()) + ") but they sum to " + std::to_string(total));
    const int32_t* val = values.data<int32_t>();
    Tensor& out = output(0);
    out.resize(DType::Int32, {n});
    int32_t* o = out.data<int32_t>();
    const uint64_t stream = runStream(_seed, static_cast<uint64_t>(ctx.instance), _runs++);
    int64_t offset = 0;
    for (int64_t e = 0; e < n; ++e) {
      const uint64_t r = elementDraw(stream, static_cast<uint64_t>(e));
      // A multiply-shift keeps the draw uniform enough for a handful of labels without a division.
      const int64_t pick = len[e] == 1 ? 0 : static_cast<int64_t>(((r >> 32) * static_cast<uint64_t>(len[e])) >> 32);
      o[e] = val[offset + pick];
      offset += len[e];
    }
  }

 private:
  uint64_t _seed;
  uint64_t _runs = 0;
};

}  // namespace

HW_REGISTER_OP(SampleLabel, SampleLabelOp)
    .inputs(2)
    .outputs(1)
    .arg("seed")
    .describe("(lengths, values) -> one label per example drawn uniformly from its labels (multi-label lines as fastText trains them); seeded, per-thread streams");

}  // namespace hogwild
