// Accuracy(predictions, labels) -> 0-D float32: the fraction of rows whose
// label is among the top_k scores (Caffe2 semantics: ties go to the lower
// index). Predictions are N×D float32, labels int32/int64 with N elements in
// [0, D). A NaN score never beats a number: a row whose label score is NaN
// counts as wrong (whatever top_k), and NaN scores elsewhere rank below the
// label's. No gradient.
#include <cmath>

#include "dense_op.h"

namespace hogwild {
namespace {

class AccuracyOp final : public DenseOp {
 public:
  AccuracyOp(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    _topK = argInt("top_k", 1);
    if (_topK < 1) fail(codes::kInvalidArgument, "Expected argument 'top_k' >= 1 but received " + std::to_string(_topK));
    forbidInPlace();
    const Tensor *p = inputIfReady(0), *l = inputIfReady(1);
    if (p && l) check(*p, *l);
  }
  void run(RunContext&) override {
    const Tensor &p = input(0), &l = input(1);
    check(p, l);
    const int64_t n = p.dim(0), d = p.dim(1);
    const float* x = p.data<float>();
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t label = labelAt(l, i);
      if (label < 0 || label >= d)
        fail(codes::kIndexOutOfRange, "Expected labels in [0, " + std::to_string(d) + ") for '" + inputName(1) +
                                          "' but received " + std::to_string(label) + " at " + std::to_string(i));
      const float* row = x + i * d;
      const float lp = row[label];
      if (std::isnan(lp)) continue;  // a NaN label score ranks below every number: never in the top k
      int64_t rank = 1;  // 1 + number of classes ranked above the label (NaN compares false: never above)
      for (int64_t j = 0; j < d && rank <= _topK; ++j)
        if (row[j] > lp || (row[j] == lp && j < label)) ++rank;
      correct += rank <= _topK;
    }
    setScalarF32(0, n == 0 ? 0.f : static_cast<float>(correct) / static_cast<float>(n));
  }

 private:
  void check(const Tensor& p, const Tensor& l) const {
    expectF32(0, p);
    expectNdim(0, p, 2);
    expectIndexDtype(1, l);
    if (l.numel() != p.dim(0) || l.ndim() > 2 || (l.ndim() == 2 && l.dim(1) != 1))
      fail(codes::kShapeMismatch, "Expected labels '" + inputName(1) + "' of shape [" + std::to_string(p.dim(0)) +
                                      "] but received " + shapeString(l.shape()));
  }
  int64_t _topK;
};

}  // namespace

HW_REGISTER_OP(Accuracy, AccuracyOp)
    .inputs(2)
    .outputs(1)
    .arg("top_k")
    .describe("(predictions N×D, labels N) -> fraction of rows whose label is in the top_k scores");

}  // namespace hogwild
