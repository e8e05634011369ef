#pragma once
// State shared by every thread of one plan run (executor internals): the
// cancel token, the pool, the report sink, and the first error.
#include <mutex>
#include <optional>
#include <string>

#include "executor.h"
#include "thread_pool.h"

namespace hogwild {
namespace exec_detail {

// Thrown to unwind a thread once the run is cancelled; never recorded as an error.
struct Stopped {};

// What every thread of one run shares.
class RunState {
 public:
  RunState(const CompiledPlan& plan, CancelToken& token, ThreadPool& pool, const ReportSink& sink)
      : plan(plan), token(token), pool(pool), sink(sink) {}

  bool stopped() const { return token.isCancelled(); }
  void checkStop() const {
    if (stopped()) throw Stopped{};
  }

  // Records the exception in flight (call inside a catch block) and cancels the
  // rest of the run. A real failure beats ABORTED: ops that notice the
  // cancellation a failure caused report ABORTED after it.
  void failCurrent() {
    try {
      throw;
    } catch (const Stopped&) {
      return;
    } catch (const Error& e) {
      record(e);
    } catch (const std::bad_alloc&) {
      record(Error(codes::kOutOfMemory, "Plan '" + plan.def().name + "': out of memory"));
    } catch (const std::exception& e) {
      record(Error(codes::kInternal, std::string("Plan '") + plan.def().name + "': " + e.what()));
    } catch (...) {
      record(Error(codes::kInternal, "Plan '" + plan.def().name + "': unknown native error"));
    }
    token.cancel();
  }

  // On the calling thread once every helper has finished.
  void throwResult() {
    if (_first) throw *_first;
    if (_abort) throw *_abort;
    if (stopped()) throw Error(codes::kAborted, "Plan '" + plan.def().name + "' was aborted");
  }

  const CompiledPlan& plan;
  CancelToken& token;
  ThreadPool& pool;
  const ReportSink& sink;

 private:
  void record(const Error& e) {
    std::lock_guard<std::mutex> lock(_mu);
    bool aborted = std::string(e.code()) == codes::kAborted;
    auto& slot = aborted ? _abort : _first;
    if (!slot) slot.emplace(e);
  }

  std::mutex _mu;
  std::optional<Error> _first;
  std::optional<Error> _abort;
};

}  // namespace exec_detail
}  // namespace hogwild
