// Sleep(ms): waits, waking every millisecond to honour cancellation (then it
// throws HOGWILD_ABORTED). For tests of timing (overlap, report periods) and
// for users throttling a loop. Its inputs, if any, only order it after them.
#include <chrono>
#include <climits>
#include <thread>

#include "registry.h"

namespace hogwild {
namespace {

class SleepOp final : public Operator {
 public:
  SleepOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws), _ms(argFloat("ms", 0)) {
    if (!(_ms >= 0 && _ms <= 86400000.0))
      fail(codes::kInvalidArgument, "Expected ms in [0, 86400000] but received " + std::to_string(_ms));
  }

  void run(RunContext& ctx) override {
    using clock = std::chrono::steady_clock;
    const auto end = clock::now() + std::chrono::microseconds(static_cast<int64_t>(_ms * 1000.0));
    for (;;) {
      if (ctx.isCancelled()) fail(codes::kAborted, "aborted");
      const auto now = clock::now();
      if (now >= end) return;
      std::this_thread::sleep_for(std::min<clock::duration>(end - now, std::chrono::milliseconds(1)));
    }
  }

 private:
  double _ms;
};

HW_REGISTER_OP(Sleep, SleepOp)
    .inputs(0, INT_MAX)
    .outputs(0)
    .arg("ms")
    .describe("Sleeps `ms` milliseconds (a number), polling cancellation every millisecond.");

}  // namespace
}  // namespace hogwild
