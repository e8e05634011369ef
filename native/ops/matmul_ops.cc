// MatMul and MatMulGradient. Y = op(A) · op(B) with op = transpose when
// trans_a / trans_b is 1. Both inputs are 2-D, or batched: the dims before
// the last two are batch dims, equal on both sides, or absent on one side
// (that operand is shared by every batch; its gradient sums over batches).
//   MatMulGradient(A, B, dY) -> (dA, dB), shapes of A and B.
#include "dense_op.h"

namespace hogwild {
namespace {

struct MmDims {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  bool batchA = false, batchB = false;  // operand has its own matrix per batch
  Shape batchShape;
};

class MatMulBase : public DenseOp {
 public:
  MatMulBase(const OperatorDef& def, Workspace& ws) : DenseOp(def, ws) {
    _ta = argFlag("trans_a", false);
    _tb = argFlag("trans_b", false);
    forbidInPlace();
  }

 protected:
  MmDims dims(const Tensor& a, const Tensor& b) const {
    expectF32(0, a);
    expectF32(1, b);
    expectMinRank(0, a, 2);
    expectMinRank(1, b, 2);
    MmDims d;
    const Shape ba(a.shape().begin(), a.shape().end() - 2), bb(b.shape().begin(), b.shape().end() - 2);
    if (!ba.empty() && !bb.empty() && ba != bb)
      fail(codes::kShapeMismatch, "Expected equal batch dims for A '" + inputName(0) + "' " + shapeString(a.shape()) +
                                      " and B '" + inputName(1) + "' but received " + shapeString(b.shape()));
    d.batchA = !ba.empty();
    d.batchB = !bb.empty();
    d.batchShape = ba.empty() ? bb : ba;
    d.batch = checkedNumel(d.batchShape);
    const int64_t ar = a.dim(-2), ac = a.dim(-1), br = b.dim(-2), bc = b.dim(-1);
    d.m = _ta ? ac : ar;
    d.k = _ta ? ar : ac;
    d.n = _tb ? br : bc;
    const int64_t kb = _tb ? bc : br;
    if (kb != d.k)
      fail(codes::kShapeMismatch, "Expected the inner dims to match: A '" + inputName(0) + "' " + shapeString(a.shape()) +
                                      (_ta ? " (transposed)" : "") + " has " + std::to_string(d.k) + ", B '" +
                                      inputName(1) + "' " + shapeString(b.shape()) + (_tb ? " (transposed)" : "") +
                                      " has " + std::to_string(kb));
    return d;
  }
  Shape outShape(const MmDims& d) const {
    Shape s = d.batchShape;
    s.push_back(d.m);
    s.push_back(d.n);
    return s;
  }

  bool _ta, _tb;
};

class MatMulOp final : public MatMulBase {
 public:
  MatMulOp(const OperatorDef& def, Workspace& ws) : MatMulBase(def, ws) {
    const Tensor *a = inputIfReady(0), *b = inputIfReady(1);
    if (a && b) dims(*a, *b);
    if (a) expectF32(0, *a);
    if (b) expectF32(1, *b);
  }
  void run(RunContext&) override {
    const Tensor &a = input(0), &b = input(1);
    const MmDims d = dims(a, b);
    Tensor& y = output(0);
    y.resize(DType::Float32, outShape(d));
    const float *ap = a.data<float>(), *bp = b.data<float>();
    float* yp = y.data<float>();
    const int64_t lda = a.dim(-1), ldb = b.dim(-1);
    for (int64_t i = 0; i < d.batch; ++i)
      kern().sgemm(_ta, _tb, d.m, d.n, d.k, 1.f, ap + (d.batchA ? i * d.m * d.k : 0), lda,
                   bp + (d.batchB ? i * d.k * d.n : 0), ldb, 0.f, yp + i * d.m * d.n, d.n);
  }
};

class MatMulGradientOp final : public MatMulBase {
 public:
  MatMulGradientOp(const OperatorDef& def, Workspace& ws) : MatMulBase(def, ws) {
    const Tensor *a = inputIfReady(0), *b = inputIfReady(1), *dy = inputIfReady(2);
    if (a && b) {
      const MmDims d = dims(*a, *b);
      if (dy) checkDy(*dy, d);
    }
    if (dy) expectF32(2, *dy);
  }
  void run(RunContext&) override {
    const Tensor &a = input(0), &b = input(1), &dy = input(2);
    const MmDims d = dims(a, b);
    checkDy(dy, d);
    Tensor& da = output(0);
    Tensor& db = output(1);
    da.resize(DType::Float32, a.shape());
    db.resize(DType::Float32, b.shape());
    const auto& K = kern();
    const int64_t m = d.m, n = d.n, k = d.k, lda = a.dim(-1), ldb = b.dim(-1);
    const float *ap = a.data<float>(), *bp = b.data<float>(), *g = dy.data<float>();
    float *dap = da.data<float>(), *dbp = db.data<float>();
    if (d.batch == 0) {  // shared operands get a zero gradient
      da.zero();
      db.zero();
    }
    for (int64_t i = 0; i < d.batch; ++i) {
      const float* Ai = ap + (d.batchA ? i * m * k : 0);
      const float* Bi = bp + (d.batchB ? i * k * n : 0);
      const float* Gi = g + i * m * n;
      float* dAi = dap + (d.batchA ? i * m * k : 0);
      float* dBi = dbp + (d.batchB ? i * k * n : 0);
      // A shared across batches accumulates (beta 1 after the first).
      const float betaA = d.batchA || i == 0 ? 0.f : 1.f, betaB = d.batchB || i == 0 ? 0.f : 1.f;
      if (!_ta)  // dA (m×k) = dY · op(B)ᵀ
        K.sgemm(false, !_tb, m, k, n, 1.f, Gi, n, Bi, ldb, betaA, dAi, k);
      else  // dA (k×m) = op(B) · dYᵀ
        K.sgemm(_tb, true, k, m, n, 1.f, Bi, ldb, Gi, n, betaA, dAi, m);
      if (!_tb)  // dB (k×n) = op(A)ᵀ · dY
        K.sgemm(!_ta, false, k, n, m, 1.f, Ai, lda, Gi, n, betaB, dBi, n);
      else  // dB (n×k) = dYᵀ · op(A)
        K.sgemm(true, _ta, n, k, m, 1.f, Gi, n, Ai, lda, betaB, dBi, k);
    }
  }

 private:
  void checkDy(const Tensor& dy, const MmDims& d) const {
    expectF32(2, dy);
    if (dy.shape() != outShape(d))
      fail(codes::kShapeMismatch, "Expected dY '" + inputName(2) + "' of shape " + shapeString(outShape(d)) +
                                      " but received " + shapeString(dy.shape()));
  }
};

GradientDefs matmulGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs out;
  if (g[0].empty()) return out;
  OperatorDef op = makeOp("MatMulGradient", {def.inputs[0], def.inputs[1], g[0]},
                          {gradName(def.inputs[0]), gradName(def.inputs[1])});
  for (const char* a : {"trans_a", "trans_b"})
    if (def.args.count(a)) op.args[a] = def.args.at(a);
  out.ops.push_back(op);
  out.inputs = {denseGradSpec(gradName(def.inputs[0])), denseGradSpec(gradName(def.inputs[1]))};
  return out;
}

}  // namespace

HW_REGISTER_OP(MatMul, MatMulOp)
    .inputs(2)
    .outputs(1)
    .argList({"trans_a", "trans_b"})
    .describe("(A, B) -> Y = op(A)·op(B); 2-D or batched over leading dims (one side may be 2-D and shared)")
    .gradientMaker(matmulGradient);
HW_REGISTER_OP(MatMulGradient, MatMulGradientOp)
    .inputs(3)
    .outputs(2)
    .argList({"trans_a", "trans_b"})
    .describe("(A, B, dY) -> (dA, dB) of MatMul with the same trans_a / trans_b");

}  // namespace hogwild
