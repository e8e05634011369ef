#pragma once
// Runs a plan's step tree against a workspace on our own threads (never libuv's
// pool). A compiled plan is validated once (nets known, names unique, step
// shapes legal) and can run many times, e.g. once per epoch.
#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../core/workspace.h"
#include "plan.h"

namespace hogwild {

// One report: the step that produced it and the values of its reportBlobs
// (NaN for a blob that is missing or not a numeric scalar).
struct Report {
  std::string step;
  std::vector<std::string> names;
  std::vector<double> values;
};
using ReportSink = std::function<void(const Report&)>;

// Cancellation shared between the caller and a running plan. The executor also
// sets it when the run fails, so the run's other threads stop: give each run
// its own token (the binding does).
struct CancelToken {
  std::atomic<bool> cancelled{false};
  // Release: whoever sees the flag also sees what was recorded before it (the first error).
  void cancel() { cancelled.store(true, std::memory_order_release); }
  bool isCancelled() const { return cancelled.load(std::memory_order_acquire); }
};

class ThreadPool;

class CompiledPlan {
 public:
  // Throws HOGWILD_INVALID_PLAN (or op errors) when the plan is malformed.
  explicit CompiledPlan(PlanDef def);
  const PlanDef& def() const { return _def; }
  const NetDef* findNet(const std::string& name) const;
  // Every blob some op of the plan writes: ops check only the other inputs at
  // instantiation, since these may still hold a previous run's shapes.
  const std::set<std::string>& producedBlobs() const { return _produced; }

 private:
  PlanDef _def;
  std::set<std::string> _produced;
};

// Runs the plan to completion on the calling thread, with helpers from `pool`
// (a private pool joined before returning when null) for concurrent substeps,
// instances and report steps. Throws the first error (the op's message);
// throws HOGWILD_ABORTED when `cancel` was set. Never leaves a task running.
// `onReport` may be called from any of the run's threads, concurrently.
//
// Semantics follow Caffe2's plan executor (docs/caffe2.md §1.3), with these choices:
// - nets are instantiated when their step is compiled (just before a top-level
//   step runs, per execution for createWorkspace steps), once per thread that
//   runs them: concurrent instances never share an op object;
// - numIter and shouldStopBlob may both be set: numIter bounds the loop;
// - a failing report step fails the run (Caffe2 only logged it), and the
//   final report run is skipped when the parent failed or was cancelled.
void runPlan(const CompiledPlan& plan, Workspace& ws, CancelToken& cancel, const ReportSink& onReport,
             ThreadPool* pool = nullptr);

// Limits checked when a plan is compiled (sizes from JS are untrusted).
inline constexpr int kMaxStepDepth = 64;
inline constexpr int64_t kMaxConcurrentThreads = 1024;  // substeps x instances of one step
inline constexpr int64_t kMaxRunEveryMs = int64_t{1} << 31;

}  // namespace hogwild
