// Bool logic (And, Or, Xor, Not) and comparisons (EQ, NE, LT, LE, GT, GE)
// with a bool output (docs/caffe2.md §11). Binary forms broadcast like Add. Logic
// ops take bool inputs; comparisons take two inputs of any one dtype. Bool
// tensors are read as bytes where any nonzero byte counts as true.
#include "binary_op.h"
#include "registry.h"

namespace hogwild {
namespace {

enum class Logic { And, Or, Xor, EQ, NE, LT, LE, GT, GE };

constexpr bool isComparison(Logic k) { return k != Logic::And && k != Logic::Or && k != Logic::Xor; }

template <Logic K> struct LogicFn {
  template <typename T> uint8_t operator()(T x, T y) const {
    if constexpr (K == Logic::And) return (x != 0) & (y != 0);
    if constexpr (K == Logic::Or) return (x != 0) | (y != 0);
    if constexpr (K == Logic::Xor) return (x != 0) ^ (y != 0);
    if constexpr (K == Logic::EQ) return x == y;
    if constexpr (K == Logic::NE) return x != y;
    if constexpr (K == Logic::LT) return x < y;
    if constexpr (K == Logic::LE) return x <= y;
    if constexpr (K == Logic::GT) return x > y;
    if constexpr (K == Logic::GE) return x >= y;
  }
};

// Bytes compare as booleans, not as raw values, so a stray 2 still equals 1.
template <Logic K> struct BoolCompareFn {
  uint8_t operator()(uint8_t x, uint8_t y) const { return LogicFn<K>{}(static_cast<uint8_t>(x != 0), static_cast<uint8_t>(y != 0)); }
};

template <Logic K> class LogicOp final : public BroadcastBinaryOp {
 public:
  LogicOp(const OperatorDef& def, Workspace& ws) : BroadcastBinaryOp(def, ws) {
    const Tensor* a = inputIfReady(0);
    const Tensor* b = inputIfReady(1);
    if (a) checkDtype(0, *a);
    if (b) checkDtype(1, *b);
    Shape bShape;
    if (a && b) check(*a, *b, &bShape);
  }

  void run(RunContext&) override {
    const Tensor& a = input(0);
    const Tensor& b = input(1);
    Shape bShape;
    const Shape outShape = check(a, b, &bShape);
    const BroadcastPlan& p = plan(0, a.shape(), bShape, outShape);
    Tensor& out = output(0);
    out.resize(DType::Bool, outShape);
    uint8_t* po = elems<uint8_t>(out);
    if (a.dtype() == DType::Bool) {
      broadcastBinary(p, elems<uint8_t>(a), elems<uint8_t>(b), po, BoolCompareFn<K>{});
      return;
    }
    visitDtype(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      broadcastBinary(p, elems<T>(a), elems<T>(b), po, LogicFn<K>{});
    });
  }

 private:
  void checkDtype(size_t i, const Tensor& t) const {
    if (!isComparison(K)) expectDtype(i, t, DType::Bool);
  }

  Shape check(const Tensor& a, const Tensor& b, Shape* bShape) const {
    checkDtype(0, a);
    expectSameDtype(0, a, 1, b);
    // Writing bytes over a wider input would clobber elements not yet read.
    for (size_t i = 0; i < 2; ++i) {
      const Tensor& t = i == 0 ? a : b;
      if (outputIsInput(0, i) && t.dtype() != DType::Bool)
        fail(codes::kInvalidArgument, "Expected a bool input " + std::to_string(i) + " '" + inputName(i) +
                                          "' for in-place use but received " + dtypeName(t.dtype()));
    }
    Shape out = resultShape(0, a, 1, b, bShape);
    checkInPlaceShape(0, 0, out);
    checkInPlaceShape(0, 1, out);
    return out;
  }
};

class NotOp final : public BasicOp {
 public:
  NotOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    if (const Tensor* x = inputIfReady(0)) expectDtype(0, *x, DType::Bool);
  }

  void run(RunContext&) override {
    const Tensor& x = input(0);
    expectDtype(0, x, DType::Bool);
    Tensor& y = output(0);
    y.resize(DType::Bool, x.shape());
    const uint8_t* px = elems<uint8_t>(x);
    uint8_t* py = elems<uint8_t>(y);
    for (int64_t i = 0; i < x.numel(); ++i) py[i] = px[i] == 0;
  }
};

}  // namespace

#define HW_LOGIC_OP(Name, doc) \
  HW_REGISTER_OP(Name, LogicOp<Logic::Name>).inputs(2).outputs(1).argList({"broadcast", "axis"}).describe(doc)
HW_LOGIC_OP(And, "Elementwise logical and of two bool tensors (broadcasting).");
HW_LOGIC_OP(Or, "Elementwise logical or of two bool tensors (broadcasting).");
HW_LOGIC_OP(Xor, "Elementwise logical xor of two bool tensors (broadcasting).");
HW_LOGIC_OP(EQ, "A == B elementwise, bool output (broadcasting; any one dtype).");
HW_LOGIC_OP(NE, "A != B elementwise, bool output (broadcasting; any one dtype).");
HW_LOGIC_OP(LT, "A < B elementwise, bool output (broadcasting; any one dtype).");
HW_LOGIC_OP(LE, "A <= B elementwise, bool output (broadcasting; any one dtype).");
HW_LOGIC_OP(GT, "A > B elementwise, bool output (broadcasting; any one dtype).");
HW_LOGIC_OP(GE, "A >= B elementwise, bool output (broadcasting; any one dtype).");
#undef HW_LOGIC_OP

HW_REGISTER_OP(Not, NotOp).inputs(1).outputs(1).describe("Elementwise logical not of a bool tensor; in place allowed.");

}  // namespace hogwild
