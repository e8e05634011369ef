// Gradient kernels of Add/Sub/Mul/Div, and SumReduceLike. A broadcast input's
// gradient is the output gradient summed over the dims it was broadcast along.
//   AddGradient(dC, A, B) -> dA, dB          dA = sum(dC),     dB = sum(dC)
//   SubGradient(dC, A, B) -> dA, dB          dA = sum(dC),     dB = -sum(dC)
//   MulGradient(dC, A, B) -> dA, dB          dA = sum(dC*B),   dB = sum(dC*A)
//   DivGradient(dC, A, B, C) -> dA, dB       dA = sum(dC/B),   dB = -sum(dC*C/B)
// A and B lend their shapes (and Mul's their values); float32/float64 only.
#include <algorithm>
#include <utility>

#include "binary_op.h"
#include "registry.h"

namespace hogwild {
namespace {

enum class Grad { Add, Sub, Mul, Div };

struct MulFn {
  template <typename T> T operator()(T x, T y) const { return x * y; }
};
struct DivFn {
  template <typename T> T operator()(T x, T y) const { return x / y; }
};
struct NegDivFn {
  template <typename T> T operator()(T x, T y) const { return -x / y; }
};

template <Grad K> class ArithGradientOp final : public BroadcastBinaryOp {
 public:
  ArithGradientOp(const OperatorDef& def, Workspace& ws) : BroadcastBinaryOp(def, ws) {
    if (const Tensor* dc = inputIfReady(0)) expectFloat(0, *dc);
  }

  void run(RunContext&) override {
    const Tensor& dc = input(0);
    const Tensor& a = input(1);
    const Tensor& b = input(2);
    expectFloat(0, dc);
    expectSameDtype(0, dc, 1, a);
    expectSameDtype(0, dc, 2, b);
    Shape bShape;
    const Shape out = resultShape(1, a, 2, b, &bShape);
    expectShape(0, dc, out);
    const Tensor* c = nullptr;
    if constexpr (K == Grad::Div) {
      c = &input(3);
      expectSameDtype(0, dc, 3, *c);
      expectShape(3, *c, out);
    }
    // An output that is also an input is written to scratch and swapped in last.
    const bool aliasA = outputIsAnyInput(0), aliasB = outputIsAnyInput(1);
    Tensor& da = aliasA ? _scratchA : output(0);
    Tensor& db = aliasB ? _scratchB : output(1);
    da.resize(dc.dtype(), a.shape());
    db.resize(dc.dtype(), b.shape());
    visitFloat(dc.dtype(), [&](auto tag) {
      using T = decltype(tag);
      compute<T>(dc, a, b, c, out, bShape, da, db);
    });
    if (aliasA) std::swap(output(0), _scratchA);
    if (aliasB) std::swap(output(1), _scratchB);
  }

 private:
  // into = reduce(full) to `shape`, or a plain copy when nothing was broadcast.
  template <typename T> static void reduceInto(const T* full, const Shape& out, T* into, const Shape& shape) {
    if (shape == out) {
      std::copy(full, full + checkedNumel(out), into);
    } else {
      sumToShape(full, out, into, shape);
    }
  }

  template <typename T>
  void compute(const Tensor& dc, const Tensor& a, const Tensor& b, const Tensor* c, const Shape& out,
               const Shape& bShape, Tensor& da, Tensor& db) {
    const T* g = elems<T>(dc);
    T* pa = elems<T>(da);
    T* pb = elems<T>(db);
    const int64_t n = checkedNumel(out);
    if constexpr (K == Grad::Add || K == Grad::Sub) {
      reduceInto(g, out, pa, a.shape());
      reduceInto(g, out, pb, bShape);
      if constexpr (K == Grad::Sub) {
        for (int64_t i = 0; i < db.numel(); ++i) pb[i] = -pb[i];
      }
    } else {
      // Full-size products go to the gradient itself when it has the output's shape.
      const bool fullA = a.shape() == out, fullB = bShape == out;
      T* ta = fullA ? pa : tmp<T>(out);
      if constexpr (K == Grad::Mul) {
        broadcastBinary(plan(0, out, bShape, out), g, elems<T>(b), ta, MulFn{});
      } else {
        broadcastBinary(plan(0, out, bShape, out), g, elems<T>(b), ta, DivFn{});
      }
      if (!fullA) sumToShape(ta, out, pa, a.shape());
      T* tb = fullB ? pb : tmp<T>(out);
      if constexpr (K == Grad::Mul) {
        broadcastBinary(plan(1, out, a.shape(), out), g, elems<T>(a), tb, MulFn{});
      } else {
        const T* pc = elems<T>(*c);
        for (int64_t i = 0; i < n; ++i) tb[i] = g[i] * pc[i];
        broadcastBinary(plan(1, out, bShape, out), tb, elems<T>(b), tb, NegDivFn{});
      }
      if (!fullB) sumToShape(tb, out, pb, bShape);
    }
  }

  template <typename T> T* tmp(const Shape& shape) {
    _tmp.resize(DTypeOf<T>::value, shape);
    return elems<T>(_tmp);
  }

  Tensor _scratchA, _scratchB, _tmp;
};

// C = A summed down to B's shape (B must broadcast to A). Caffe2 uses it to
// hand-write broadcast gradients; the legacy broadcast/axis args place B.
class SumReduceLikeOp final : public BroadcastBinaryOp {
 public:
  SumReduceLikeOp(const OperatorDef& def, Workspace& ws) : BroadcastBinaryOp(def, ws) {
    forbidInPlace(0);
    forbidInPlace(1);
    const Tensor* a = inputIfReady(0);
    const Tensor* b = inputIfReady(1);
    if (a) expectFloat(0, *a);
    Shape bShape;
    if (a && b) check(*a, *b, &bShape);
  }

  void run(RunContext&) override {
    const Tensor& a = input(0);
    const Tensor& b = input(1);
    Shape bShape;
    check(a, b, &bShape);
    Tensor& out = output(0);
    out.resize(a.dtype(), b.shape());
    visitFloat(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      sumToShape(elems<T>(a), a.shape(), elems<T>(out), bShape);
    });
  }

 private:
  void check(const Tensor& a, const Tensor& b, Shape* bShape) const {
    expectFloat(0, a);
    Shape out = resultShape(0, a, 1, b, bShape);
    if (out != a.shape()) {
      fail(codes::kShapeMismatch, "Expected input 1 '" + inputName(1) + "' " + shapeString(b.shape()) +
                                      " to broadcast to the shape of input 0 '" + inputName(0) + "' " +
                                      shapeString(a.shape()));
    }
  }
};

}  // namespace

HW_REGISTER_OP(AddGradient, ArithGradientOp<Grad::Add>)
    .inputs(3).outputs(2).argList({"broadcast", "axis"})
    .describe("(dC, A, B) -> (dA, dB) of Add: dC summed over each input's broadcast dims.");
HW_REGISTER_OP(SubGradient, ArithGradientOp<Grad::Sub>)
    .inputs(3).outputs(2).argList({"broadcast", "axis"})
    .describe("(dC, A, B) -> (dA, dB) of Sub.");
HW_REGISTER_OP(MulGradient, ArithGradientOp<Grad::Mul>)
    .inputs(3).outputs(2).argList({"broadcast", "axis"})
    .describe("(dC, A, B) -> (dA, dB) of Mul: dA = sum(dC*B), dB = sum(dC*A).");
HW_REGISTER_OP(DivGradient, ArithGradientOp<Grad::Div>)
    .inputs(4).outputs(2).argList({"broadcast", "axis"})
    .describe("(dC, A, B, C) -> (dA, dB) of Div: dA = sum(dC/B), dB = -sum(dC*C/B).");
HW_REGISTER_OP(SumReduceLike, SumReduceLikeOp)
    .inputs(2).outputs(1).argList({"broadcast", "axis"})
    .describe("A summed over the dims along which B broadcasts to A; output has B's shape.");

}  // namespace hogwild
