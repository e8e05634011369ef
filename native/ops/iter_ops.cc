// Iteration counters (Caffe2 iter_op.h): an int64 tensor of one element,
// created as 0 when its blob is still empty, then incremented on every run
// (so the first run leaves 1). AtomicIter(mutex, iter) is the form threads
// share: Caffe2 locks the mutex blob; we check input 0 is a mutex and lock a
// lock striped by the iter blob, so the increment is atomic whichever mutex
// blob each caller passes.
#include <limits>
#include <mutex>

#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

std::mutex& stripeFor(const Blob* blob) {
  static std::mutex stripes[64];
  return stripes[(reinterpret_cast<uintptr_t>(blob) >> 6) % 64];
}

class IterBase : public BasicOp {
 public:
  IterBase(const OperatorDef& def, Workspace& ws, size_t iterInput) : BasicOp(def, ws), _iterInput(iterInput) {
    if (numInputs() > iterInput && !outputIsInput(0, iterInput)) {
      fail(codes::kInvalidArgument, "Expected output 0 '" + outputName(0) + "' to be input " +
                                        std::to_string(iterInput) + " '" + inputName(iterInput) + "' (it counts in place)");
    }
    checkNotObject();
    if (const Tensor* t = outputBlob(0).tensorOrNull()) checkIter(*t);
  }

 protected:
  void increment() {
    checkNotObject();
    Tensor& t = output(0);
    if (!t.initialized()) {
      t.resize(DType::Int64, {1});
      t.data<int64_t>()[0] = 0;
    }
    checkIter(t);
    int64_t& v = t.data<int64_t>()[0];
    if (v < 0) fail(codes::kInvalidArgument, "Expected a non-negative iteration count in '" + outputName(0) + "' but it is " + std::to_string(v));
    if (v == std::numeric_limits<int64_t>::max())
      fail(codes::kInvalidArgument, "Iteration count in '" + outputName(0) + "' would overflow");
    ++v;
  }

 private:
  // Writing the count would silently replace a counter or cursor held there.
  void checkNotObject() const {
    const Blob& b = outputBlob(0);
    if (!b.isEmpty() && !b.isTensor())
      fail(codes::kBlobKind, "Expected an int64 tensor in '" + outputName(0) + "' but it holds " + b.kindName());
  }

  void checkIter(const Tensor& t) const {
    if (t.dtype() != DType::Int64 || t.numel() != 1) {
      fail(codes::kDtypeMismatch, "Expected an int64 tensor with 1 element in '" + outputName(0) + "' but received " +
                                      dtypeName(t.dtype()) + " " + shapeString(t.shape()));
    }
  }

  size_t _iterInput;
};

class IterOp final : public IterBase {
 public:
  IterOp(const OperatorDef& def, Workspace& ws) : IterBase(def, ws, 0) {}
  void run(RunContext&) override { increment(); }
};

class AtomicIterOp final : public IterBase {
 public:
  AtomicIterOp(const OperatorDef& def, Workspace& ws) : IterBase(def, ws, 1) {
    if (!inputBlob(0).isEmpty()) checkMutex();
  }
  void run(RunContext&) override {
    checkMutex();
    std::lock_guard<std::mutex> lock(stripeFor(&outputBlob(0)));
    increment();
  }

 private:
  void checkMutex() const {
    if (std::string(inputBlob(0).kindName()) != "mutex") {
      fail(codes::kBlobKind, std::string("Expected input 0 '") + inputName(0) + "' to hold a mutex but it holds " +
                                 inputBlob(0).kindName());
    }
  }
};

}  // namespace

HW_REGISTER_OP(Iter, IterOp)
    .inputs(0, 1).outputs(1)
    .describe("Increments an int64 [1] counter in place, creating it as 0 first when empty.");
HW_REGISTER_OP(AtomicIter, AtomicIterOp)
    .inputs(2).outputs(1)
    .describe("(mutex, iter) -> iter: Iter done atomically, for counters shared by threads.");

}  // namespace hogwild
