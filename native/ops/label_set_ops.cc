// Ops over label sets (a list field: `lengths` labels per example, then the
// labels of every example in `values`), the targets of multi-label lines:
//   SampleLabel(lengths, values) -> label [B]: one label per example, drawn
//     uniformly from its set. fastText trains a multi-label line with softmax,
//     hs or ns on one of its labels picked at random on every pass.
//     Deterministic: the draw for example e on the r-th run of this op
//     instance is a hash of (seed, instance, r, e), so each thread of a
//     Hogwild trainer has its own stream and a given seed reproduces it.
//   MultiHot(lengths, values) -> targets [B, num_labels] float32: 1 for every
//     label of the example (a repeated label once), 0 elsewhere: the targets
//     of fastText's one-vs-all loss, without a num_labels² table.
#include <algorithm>

#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

// Inputs 0 (lengths) and 1 (values) of a label-set op, checked: 1-D int32,
// lengths >= minLength that sum to the number of values.
class LabelSetOp : public BasicOp {
 public:
  using BasicOp::BasicOp;

 protected:
  void checkLabelSet(int32_t minLength) const {
    for (size_t i : {size_t{0}, size_t{1}}) {
      const Tensor& t = input(i);
      if (t.dtype() != DType::Int32 || t.shape().size() != 1)
        fail(codes::kInvalidArgument, std::string("Expected input ") + std::to_string(i) + " '" + inputName(i) +
                                          "' to be a 1-D int32 tensor (" + (i == 0 ? "labels per example" : "the labels") + ")");
    }
    const Tensor& lengths = input(0);
    const int32_t* len = lengths.data<int32_t>();
    int64_t total = 0;
    for (int64_t e = 0; e < lengths.numel(); ++e) {
      if (len[e] < minLength)
        fail(codes::kInvalidArgument, "Expected every example to have at least " + std::to_string(minLength) + " label(s) but example " +
                                          std::to_string(e) + " has " + std::to_string(len[e]));
      total += len[e];
    }
    if (total != input(1).numel())
      fail(codes::kShapeMismatch, "Expected the label lengths to sum to the number of labels (" + std::to_string(input(1).numel()) +
                                      ") but they sum to " + std::to_string(total));
  }
};

class SampleLabelOp final : public LabelSetOp {
 public:
  SampleLabelOp(const OperatorDef& def, Workspace& ws) : LabelSetOp(def, ws), _seed(static_cast<uint64_t>(argInt("seed", 0))) {}

  void run(RunContext& ctx) override {
    checkLabelSet(1);
    const Tensor& lengths = input(0);
    const int64_t n = lengths.numel();
    const int32_t* len = lengths.data<int32_t>();
    const int32_t* val = input(1).data<int32_t>();
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

class MultiHotOp final : public LabelSetOp {
 public:
  MultiHotOp(const OperatorDef& def, Workspace& ws) : LabelSetOp(def, ws), _labels(argInt("num_labels", 0)) {
    if (_labels < 1 || _labels > (int64_t{1} << 30)) fail(codes::kInvalidArgument, "Expected num_labels in [1, 2^30] but received " + std::to_string(_labels));
  }

  void run(RunContext&) override {
    checkLabelSet(0);
    const int64_t n = input(0).numel();
    const int32_t* len = input(0).data<int32_t>();
    const int32_t* val = input(1).data<int32_t>();
    Tensor& out = output(0);
    out.resize(DType::Float32, {n, _labels});
    float* t = out.data<float>();
    std::fill(t, t + n * _labels, 0.f);
    int64_t offset = 0;
    for (int64_t e = 0; e < n; ++e) {
      for (int32_t j = 0; j < len[e]; ++j) {
        const int32_t label = val[offset + j];
        if (label < 0 || label >= _labels)
          fail(codes::kIndexOutOfRange, "Expected labels in [0, " + std::to_string(_labels) + ") but example " + std::to_string(e) + " has " + std::to_string(label));
        t[e * _labels + label] = 1.f;
      }
      offset += len[e];
    }
  }

 private:
  int64_t _labels;
};

}  // namespace

HW_REGISTER_OP(MultiHot, MultiHotOp)
    .inputs(2)
    .outputs(1)
    .arg("num_labels")
    .describe("(lengths, values) -> [B, num_labels] float32: 1 for every label of each example, 0 elsewhere (one-vs-all targets)");
HW_REGISTER_OP(SampleLabel, SampleLabelOp)
    .inputs(2)
    .outputs(1)
    .arg("seed")
    .describe("(lengths, values) -> one label per example drawn uniformly from its labels (multi-label lines as fastText trains them); seeded, per-thread streams");

}  // namespace hogwild
