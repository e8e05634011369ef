// Wall-clock timers (Caffe2 stats_ops.cc). TimerBegin makes a new, started
// timer each run (Caffe2 restarts the op's own timer and fails if it was still
// running; a fresh one lets a failed step simply run again). Elapsed times are
// int64 nanoseconds in 0-D tensors (Caffe2's TimerGetAndEnd gives shape [1]).
#include "../core/objects.h"
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class TimerBeginOp final : public BasicOp {
 public:
  TimerBeginOp(const OperatorDef& def, Workspace& ws)
      : BasicOp(def, ws), _name(argString("counter_name", def.outputs.at(0))) {}
  void run(RunContext&) override { outputBlob(0).setObject(std::make_shared<Timer>(_name)); }

 private:
  std::string _name;
};

enum class TimerAction { End, Get, GetAndEnd };

template <TimerAction A> class TimerUseOp final : public BasicOp {
 public:
  TimerUseOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    const Blob& b = inputBlob(0);
    if (!b.isEmpty()) timer();
  }

  void run(RunContext&) override {
    std::shared_ptr<Timer> t = timer();
    int64_t ns = 0;
    const bool ok = A == TimerAction::Get ? t->elapsedNs(&ns) : t->end(&ns);
    if (!ok) {
      fail(codes::kOpFailed, "Expected timer '" + inputName(0) + "' to be running but it was stopped by an earlier TimerEnd");
    }
    if (A != TimerAction::End) setScalar<int64_t>(0, ns);
  }

 private:
  std::shared_ptr<Timer> timer() const {
    auto p = std::dynamic_pointer_cast<Timer>(inputBlob(0).objectPtr());
    if (!p) {
      fail(codes::kBlobKind, std::string("Expected input 0 '") + inputName(0) + "' to hold a timer but it holds " +
                                 inputBlob(0).kindName());
    }
    return p;
  }
};

}  // namespace

HW_REGISTER_OP(TimerBegin, TimerBeginOp)
    .inputs(0).outputs(1).argList({"counter_name"})
    .describe("A new started wall-clock timer, named counter_name (default: the output name).");
HW_REGISTER_OP(TimerEnd, TimerUseOp<TimerAction::End>)
    .inputs(1).outputs(0).describe("Stops the timer.");
HW_REGISTER_OP(TimerGet, TimerUseOp<TimerAction::Get>)
    .inputs(1).outputs(1).describe("Elapsed ns (int64) of a running timer, without stopping it.");
HW_REGISTER_OP(TimerGetAndEnd, TimerUseOp<TimerAction::GetAndEnd>)
    .inputs(1).outputs(1).describe("Elapsed ns (int64), and stops the timer.");

}  // namespace hogwild
