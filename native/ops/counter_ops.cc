// Counter ops (docs/caffe2.md §11, Caffe2 counter_ops.h). The counter is shared by
// every thread that names its blob; each op is one atomic step on it. Scalar
// outputs are 0-D, as in Caffe2.
#include "../core/objects.h"
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

// Base of the ops that read a counter from input 0.
class CounterOp : public BasicOp {
 public:
  CounterOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    // A blob that already holds something else is a wiring mistake; an empty
    // one is filled by a CreateCounter that runs first.
    const Blob& b = inputBlob(0);
    if (!b.isEmpty() && !dynamic_cast<Counter*>(b.objectPtr().get())) counter();
  }

 protected:
  // Held for the run, so a concurrent CreateCounter replacing the blob cannot free it under us.
  std::shared_ptr<Counter> counter() const {
    auto p = std::dynamic_pointer_cast<Counter>(inputBlob(0).objectPtr());
    if (!p) {
      fail(codes::kBlobKind, std::string("Expected input 0 '") + inputName(0) + "' to hold a counter but it holds " +
                                 inputBlob(0).kindName());
    }
    return p;
  }

  int64_t initCountArg() const {
    const int64_t v = argInt("init_count", 0);
    if (v < 0) fail(codes::kInvalidArgument, "Expected init_count >= 0 but received " + std::to_string(v));
    return v;
  }
};

class CreateCounterOp final : public BasicOp {
 public:
  CreateCounterOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws), _init(argInt("init_count", 0)) {
    if (_init < 0) fail(codes::kInvalidArgument, "Expected init_count >= 0 but received " + std::to_string(_init));
  }
  // A new counter every run, as in Caffe2: re-running an init net restarts the count.
  void run(RunContext&) override { outputBlob(0).setObject(std::make_shared<Counter>(_init)); }

 private:
  int64_t _init;
};

class ResetCounterOp final : public CounterOp {
 public:
  ResetCounterOp(const OperatorDef& def, Workspace& ws) : CounterOp(def, ws), _init(initCountArg()) {}
  void run(RunContext&) override {
    const int64_t previous = counter()->reset(_init);
    if (numOutputs() == 1) setScalar<int64_t>(0, previous);
  }

 private:
  int64_t _init;
};

class CountDownOp final : public CounterOp {
 public:
  using CounterOp::CounterOp;
  void run(RunContext&) override { setBoolScalar(0, counter()->countDown()); }
};

class CheckCounterDoneOp final : public CounterOp {
 public:
  using CounterOp::CounterOp;
  void run(RunContext&) override { setBoolScalar(0, counter()->done()); }
};

class CountUpOp final : public CounterOp {
 public:
  using CounterOp::CounterOp;
  void run(RunContext&) override { setScalar<int64_t>(0, counter()->countUp()); }
};

class RetrieveCountOp final : public CounterOp {
 public:
  using CounterOp::CounterOp;
  void run(RunContext&) override { setScalar<int64_t>(0, counter()->count()); }
};

}  // namespace

HW_REGISTER_OP(CreateCounter, CreateCounterOp)
    .inputs(0).outputs(1).argList({"init_count"})
    .describe("A new counter set to init_count (>= 0, default 0).");
HW_REGISTER_OP(ResetCounter, ResetCounterOp)
    .inputs(1).outputs(0, 1).argList({"init_count"})
    .describe("Sets the counter to init_count (>= 0); the optional output is the previous count.");
HW_REGISTER_OP(CountDown, CountDownOp)
    .inputs(1).outputs(1)
    .describe("Atomically: false if count > 0, else true; decrements either way (the count may go negative).");
HW_REGISTER_OP(CheckCounterDone, CheckCounterDoneOp)
    .inputs(1).outputs(1).describe("True iff count <= 0.");
HW_REGISTER_OP(CountUp, CountUpOp)
    .inputs(1).outputs(1).describe("Atomically increments; outputs the previous count (int64).");
HW_REGISTER_OP(RetrieveCount, RetrieveCountOp)
    .inputs(1).outputs(1).describe("The current count (int64).");

}  // namespace hogwild
