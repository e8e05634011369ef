// CompiledPlan: validation of a plan's shape before anything runs, so a bad
// plan from JS fails at compilePlan() with the step or op named.
#include <climits>
#include <set>

#include "../ops/registry.h"
#include "executor.h"

namespace hogwild {

namespace {

std::string stepLabel(const std::string& path) { return "Step '" + path + "'"; }

// The registry's count and argument checks, without a workspace (OpRegistry::create repeats them).
void checkOpSchema(const NetDef& net, size_t index, const OperatorDef& op) {
  auto where = [&] { return "Net '" + net.name + "', op #" + std::to_string(index) + " (" + op.type + "): "; };
  const OpSchema* s = OpRegistry::instance().find(op.type);
  HW_CHECK(s, codes::kUnknownOp, where() << "Unknown operator '" << op.type << "'");
  int ni = static_cast<int>(op.inputs.size()), no = static_cast<int>(op.outputs.size());
  auto range = [](int lo, int hi) {
    if (lo == hi) return std::to_string(lo);
    if (hi == INT_MAX) return "at least " + std::to_string(lo);
    return std::to_string(lo) + " to " + std::to_string(hi);
  };
  HW_CHECK(ni >= s->minInputs && ni <= s->maxInputs, codes::kInvalidArgument,
           where() << "Expected " << range(s->minInputs, s->maxInputs) << " inputs but received " << ni);
  HW_CHECK(no >= s->minOutputs && no <= s->maxOutputs, codes::kInvalidArgument,
           where() << "Expected " << range(s->minOutputs, s->maxOutputs) << " outputs but received " << no);
  for (const auto& n : op.inputs) HW_CHECK(!n.empty(), codes::kInvalidArgument, where() << "Expected a non-empty input name");
  for (const auto& n : op.outputs) HW_CHECK(!n.empty(), codes::kInvalidArgument, where() << "Expected a non-empty output name");
  if (!s->anyArgs) {
    for (const auto& kv : op.args)
      HW_CHECK(s->args.count(kv.first), codes::kUnknownArgument, where() << "Unknown argument '" << kv.first << "'");
  }
}

void checkStep(const CompiledPlan& plan, const StepDef& step, const std::string& path, int depth) {
  HW_CHECK(depth <= kMaxStepDepth, codes::kInvalidPlan,
           stepLabel(path) << ": expected steps nested at most " << kMaxStepDepth << " deep");
  HW_CHECK(step.nets.empty() || step.substeps.empty(), codes::kInvalidPlan,
           stepLabel(path) << ": expected either nets or substeps but received both");
  for (const auto& name : step.nets)
    HW_CHECK(plan.findNet(name), codes::kInvalidPlan, stepLabel(path) << ": unknown net '" << name << "'");
  HW_CHECK(step.numIter >= -1, codes::kInvalidPlan,
           stepLabel(path) << ": expected numIter >= 0 but received " << step.numIter);
  HW_CHECK(step.numConcurrentInstances >= 1 && step.numConcurrentInstances <= kMaxConcurrentThreads, codes::kInvalidPlan,
           stepLabel(path) << ": expected numConcurrentInstances in [1, " << kMaxConcurrentThreads << "] but received "
                           << step.numConcurrentInstances);
  HW_CHECK(step.runEveryMs >= 0 && step.runEveryMs <= kMaxRunEveryMs, codes::kInvalidPlan,
           stepLabel(path) << ": expected runEveryMs in [0, " << kMaxRunEveryMs << "] but received " << step.runEveryMs);
  int64_t recurring = 0;
  for (const auto& sub : step.substeps) recurring += sub.runEveryMs > 0 ? 0 : 1;
  HW_CHECK(recurring * step.numConcurrentInstances <= kMaxConcurrentThreads, codes::kInvalidPlan,
           stepLabel(path) << ": expected at most " << kMaxConcurrentThreads << " concurrent threads but received "
                           << recurring << " substeps x " << step.numConcurrentInstances << " instances");
  for (const auto& b : step.reportBlobs)
    HW_CHECK(!b.empty(), codes::kInvalidPlan, stepLabel(path) << ": expected non-empty reportBlobs names");
  for (size_t i = 0; i < step.substeps.size(); ++i) {
    const StepDef& sub = step.substeps[i];
    checkStep(plan, sub, path + "/" + (sub.name.empty() ? "#" + std::to_string(i) : sub.name), depth + 1);
  }
}

}  // namespace

CompiledPlan::CompiledPlan(PlanDef def) : _def(std::move(def)) {
  std::set<std::string> names;
  for (const auto& net : _def.nets) {
    HW_CHECK(!net.name.empty(), codes::kInvalidPlan, "Plan '" << _def.name << "': expected every net to have a name");
    HW_CHECK(names.insert(net.name).second, codes::kInvalidPlan,
             "Plan '" << _def.name << "': duplicate net name '" << net.name << "'");
    for (size_t i = 0; i < net.ops.size(); ++i) checkOpSchema(net, i, net.ops[i]);
    for (const auto& op : net.ops) _produced.insert(op.outputs.begin(), op.outputs.end());
  }
  for (size_t i = 0; i < _def.steps.size(); ++i) {
    const StepDef& s = _def.steps[i];
    checkStep(*this, s, s.name.empty() ? "#" + std::to_string(i) : s.name, 1);
  }
}

const NetDef* CompiledPlan::findNet(const std::string& name) const {
  for (const auto& net : _def.nets)
    if (net.name == name) return &net;
  return nullptr;
}

}  // namespace hogwild
