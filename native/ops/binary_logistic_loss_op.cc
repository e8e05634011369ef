// fastText's binary logistic losses as one op with a sparse gradient, so any Job can train
// hierarchical softmax (hs), negative sampling (ns) or one-vs-all (ova) heads:
//
//   BinaryLogisticLoss(H [B, D], W [R, D], ROWS int32|int64 [B, K], TARGETS float32 [B, K]) -> LOSS [B]
//     LOSS[b] = Σ_k −(t·log σ(z) + (1 − t)·log(1 − σ(z))),  z = H[b]·W[ROWS[b, k]],  t = TARGETS[b, k],
//     summed over the k with ROWS[b, k] >= 0 (−1 pads examples with fewer rows), computed as
//     max(z, 0) − z·t + log(1 + e^−|z|) (no log(0)).
//     hs: ROWS = the inner nodes on the label's Huffman path, TARGETS = its code bits;
//     ns: ROWS = the label then sampled negatives, TARGETS = 1, 0, …, 0, with skip_repeats = 1:
//         a later row equal to the example's first row counts as padding (fastText redraws such a
//         negative; skipping it keeps the label from being pushed both ways);
//     ova: ROWS = every label, TARGETS = the example's labels as 0/1.
//   BinaryLogisticLossGradient(H, W, ROWS, TARGETS, dLOSS) -> (dH [B, D], dW_indices [N], dW_values [N, D])
//     g = (σ(z) − t)·dLOSS[b]; dH[b] = Σ_k g·W[row]; one dW entry g·H[b] per used entry of ROWS, in
//     order (N = the entries that are not padding or skipped repeats). W's gradient is SPARSE and
//     holds only the rows the batch used, so an optimizer touches nothing else, as fastText does
//     (hs pads every path to the deepest one: padding costs neither work nor writes).
// Every row index is checked against R before any arithmetic (HOGWILD_INDEX_OUT_OF_RANGE), targets
// must lie in [0, 1], and the gradient op checks dLOSS's shape.
#include <cmath>
#include <string>
#include <vector>

#include "dense_op.h"
#include "sparse_common.h"

namespace hogwild {
namespace {

class BinaryLogisticBase : public DenseOp {
 public:
  BinaryLogisticBase(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws), _skipRepeats(argFlag("skip_repeats", false)) {
    forbidInPlace();
  }

 protected:
  struct Dims {
    int64_t b, d, r, k;
  };
  // Shapes and dtypes (instantiation and run); index and target values (run only, `values`).
  Dims check(const Tensor& h, const Tensor& w, const Tensor& rows, const Tensor& t, bool values) const {
    expectF32(0, h);
    expectF32(1, w);
    expectF32(3, t);
    if (h.ndim() != 2 || w.ndim() != 2 || h.dim(1) != w.dim(1))
      fail(codes::kShapeMismatch, "Expected H [B, D] and W [R, D] with the same D but received " + shapeString(h.shape()) +
                                      " for '" + inputName(0) + "' and " + shapeString(w.shape()) + " for '" + inputName(1) + "'");
    if (rows.dtype() != DType::Int32 && rows.dtype() != DType::Int64)
      fail(codes::kDtypeMismatch, "Expected int32 or int64 ROWS for input 2 '" + inputName(2) + "' but received " +
                                      dtypeName(rows.dtype()));
    if (rows.ndim() != 2 || rows.dim(0) != h.dim(0))
      fail(codes::kShapeMismatch, "Expected ROWS '" + inputName(2) + "' of shape [" + std::to_string(h.dim(0)) +
                                      ", K] but received " + shapeString(rows.shape()));
    expectSameShape(2, rows, 3, t);
    Dims d{h.dim(0), h.dim(1), w.dim(0), rows.dim(1)};
    if (!values) return d;
    const float* tp = t.data<float>();
    for (int64_t i = 0; i < d.b * d.k; ++i) {
      const int64_t r = rowAt(rows, i);
      if (r < -1 || r >= d.r)
        fail(codes::kIndexOutOfRange, "Expected ROWS in [-1, " + std::to_string(d.r) + ") for '" + inputName(2) +
                                          "' (rows of W '" + inputName(1) + "'; -1 pads) but received " +
                                          std::to_string(r) + " at " + std::to_string(i));
      if (!(tp[i] >= 0.f && tp[i] <= 1.f))
        fail(codes::kInvalidArgument, "Expected TARGETS in [0, 1] for '" + inputName(3) + "' but received " +
                                          std::to_string(tp[i]) + " at " + std::to_string(i));
    }
    return d;
  }
  static int64_t rowAt(const Tensor& rows, int64_t i) {
    return rows.dtype() == DType::Int32 ? rows.data<int32_t>()[i] : rows.data<int64_t>()[i];
  }
  // The row of entry k of example b, or -1 when it is padding (or a skipped repeat of the first).
  int64_t usedRow(const Tensor& rows, int64_t b, int64_t k, int64_t kk) const {
    const int64_t r = rowAt(rows, b * kk + k);
    return _skipRepeats && k > 0 && r == rowAt(rows, b * kk) ? -1 : r;
  }
  bool _skipRepeats;
  // float32 with four partial sums (the compiler vectorizes it; fastText's dot is float32 too).
  static float dot(const float* a, const float* b, int64_t n) {
    float s[4] = {0.f, 0.f, 0.f, 0.f};
    int64_t j = 0;
    for (; j + 4 <= n; j += 4)
      for (int q = 0; q < 4; ++q) s[q] += a[j + q] * b[j + q];
    for (; j < n; ++j) s[0] += a[j] * b[j];
    return (s[0] + s[1]) + (s[2] + s[3]);
  }
};

class BinaryLogisticLossOp final : public BinaryLogisticBase {
 public:
  BinaryLogisticLossOp(const OperatorDef& def, Workspace& ws) : BinaryLogisticBase(def, ws) {
    const Tensor *h = inputIfReady(0), *w = inputIfReady(1), *r = inputIfReady(2), *t = inputIfReady(3);
    if (h && w && r && t) check(*h, *w, *r, *t, false);
  }
  void run(RunContext&) override {
    const Tensor &h = input(0), &w = input(1), &rows = input(2), &t = input(3);
    const Dims d = check(h, w, rows, t, true);
    Tensor& out = output(0);
    out.resize(DType::Float32, {d.b});
    const float *hp = h.data<float>(), *wp = w.data<float>(), *tp = t.data<float>();
    float* o = out.data<float>();
    for (int64_t b = 0; b < d.b; ++b) {
      double loss = 0;
      for (int64_t k = 0; k < d.k; ++k) {
        const int64_t r = usedRow(rows, b, k, d.k);
        if (r < 0) continue;
        const float z = dot(hp + b * d.d, wp + r * d.d, d.d), tv = tp[b * d.k + k];
        loss += std::max(z, 0.f) - z * tv + std::log1p(std::exp(-std::fabs(z)));
      }
      o[b] = static_cast<float>(loss);
    }
  }
};

class BinaryLogisticLossGradientOp final : public BinaryLogisticBase {
 public:
  BinaryLogisticLossGradientOp(const OperatorDef& def, Workspace& ws) : BinaryLogisticBase(def, ws) {
    const Tensor *h = inputIfReady(0), *w = inputIfReady(1), *r = inputIfReady(2), *t = inputIfReady(3);
    if (h && w && r && t) check(*h, *w, *r, *t, false);
  }
  void run(RunContext&) override {
    const Tensor &h = input(0), &w = input(1), &rows = input(2), &t = input(3), &g = input(4);
    const Dims d = check(h, w, rows, t, true);
    expectF32(4, g);
    if (g.ndim() != 1 || g.dim(0) != d.b)
      fail(codes::kShapeMismatch, "Expected the loss gradient '" + inputName(4) + "' of shape [" + std::to_string(d.b) +
                                      "] but received " + shapeString(g.shape()));
    int64_t used = 0;
    for (int64_t b = 0; b < d.b; ++b)
      for (int64_t k = 0; k < d.k; ++k) used += usedRow(rows, b, k, d.k) >= 0 ? 1 : 0;
    Tensor& dh = output(0);
    Tensor& di = output(1);
    Tensor& dv = output(2);
    dh.resize(DType::Float32, {d.b, d.d});
    di.resize(DType::Int64, {used});
    dv.resize(DType::Float32, {used, d.d});
    const float *hp = h.data<float>(), *wp = w.data<float>(), *tp = t.data<float>(), *gp = g.data<float>();
    float *dhp = dh.data<float>(), *dvp = dv.data<float>();
    int64_t* dip = di.data<int64_t>();
    std::fill(dhp, dhp + d.b * d.d, 0.f);
    int64_t n = 0;
    for (int64_t b = 0; b < d.b; ++b) {
      const float* hb = hp + b * d.d;
      for (int64_t k = 0; k < d.k; ++k) {
        const int64_t i = b * d.k + k, r = usedRow(rows, b, k, d.k);
        if (r < 0) continue;
        float* v = dvp + n * d.d;
        dip[n++] = r;
        const float* wr = wp + r * d.d;
        const float z = dot(hb, wr, d.d);
        const float s = (1.f / (1.f + std::exp(-z)) - tp[i]) * gp[b];
        for (int64_t j = 0; j < d.d; ++j) {
          dhp[b * d.d + j] += s * wr[j];
          v[j] = s * hb[j];
        }
      }
    }
  }
};

GradientDefs binaryLogisticGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  out.inputs.resize(4);
  if (g[0].empty()) return out;
  const std::string& h = def.inputs[0];
  const std::string& w = def.inputs[1];
  const std::string idx = gradName(w) + "_indices", vals = gradName(w) + "_values";
  out.ops.push_back(makeOp("BinaryLogisticLossGradient", {h, w, def.inputs[2], def.inputs[3], g[0]}, {gradName(h), idx, vals},
                           {{"skip_repeats", Argument::ofInt(defArgInt(def, "skip_repeats", 0))}}));
  out.inputs[0] = denseGradSpec(gradName(h));
  out.inputs[1] = sparseGradient(idx, vals);
  return out;
}

}  // namespace

HW_REGISTER_OP(BinaryLogisticLoss, BinaryLogisticLossOp)
    .inputs(4)
    .outputs(1)
    .arg("skip_repeats")
    .describe("(H [B, D], W [R, D], ROWS [B, K] (-1 pads), TARGETS [B, K]) -> LOSS [B] = Σ_k logistic loss of "
              "H[b]·W[ROWS[b, k]] against TARGETS[b, k] (fastText's hs, ns and ova); sparse gradient for W")
    .gradientMaker(binaryLogisticGradient);
HW_REGISTER_OP(BinaryLogisticLossGradient, BinaryLogisticLossGradientOp)
    .inputs(5)
    .outputs(3)
    .arg("skip_repeats")
    .describe("(H, W, ROWS, TARGETS, dLOSS) -> (dH, dW_indices, dW_values)");

}  // namespace hogwild
