#pragma once
// Runs a plan's step tree against a workspace on our own threads (never libuv's
// pool). A compiled plan is validated once (nets known, names unique, step
// shapes legal) and can run many times, e.g. once per epoch.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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

// Cancellation shared between the caller and a running plan.
struct CancelToken {
  std::atomic<bool> cancelled{false};
  void cancel() { cancelled.store(true, std::memory_order_relaxed); }
};

class CompiledPlan {
 public:
  // Throws HOGWILD_INVALID_PLAN (or op errors) when the plan is malformed.
  explicit CompiledPlan(PlanDef def);
  const PlanDef& def() const { return _def; }
  const NetDef* findNet(const std::string& name) const;

 private:
  PlanDef _def;
};

// Runs the plan to completion on the calling thread (spawning helpers for
// concurrent substeps/instances/report steps). Throws the first error; throws
// HOGWILD_ABORTED when `cancel` was set. Never leaves a thread running.
void runPlan(const CompiledPlan& plan, Workspace& ws, CancelToken& cancel, const ReportSink& onReport);

}  // namespace hogwild
