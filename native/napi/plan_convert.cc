#include "plan_convert.h"

#include "../exec/executor.h"
#include "js_convert.h"

namespace hogwild::napi {

namespace {

constexpr int64_t kMaxSafe = 9007199254740991;

StepDef toStepDef(const Napi::Value& v, const std::string& name, int depth) {
  // Plans are untrusted data: a self-referencing substep list must not recurse forever.
  if (depth > kMaxStepDepth) throwExpected("steps nested at most " + std::to_string(kMaxStepDepth) + " deep", name, v, codes::kInvalidPlan);
  Napi::Object o = toObject(v, name);
  StepDef s;
  auto field = [&](const char* key) { return o.Get(key); };
  auto path = [&](const char* key) { return name + "." + key; };
  Napi::Value x;
  if (!isMissing(x = field("name"))) s.name = toStr(x, path("name"));
  if (!isMissing(x = field("nets"))) s.nets = toStrings(x, path("nets"));
  if (!isMissing(x = field("substeps"))) {
    Napi::Array subs = toArray(x, path("substeps"));
    for (uint32_t i = 0; i < subs.Length(); ++i)
      s.substeps.push_back(toStepDef(subs.Get(i), path("substeps") + "[" + std::to_string(i) + "]", depth + 1));
  }
  if (!isMissing(x = field("numIter"))) s.numIter = toInt(x, path("numIter"), 0, kMaxSafe);
  if (!isMissing(x = field("shouldStopBlob"))) s.shouldStopBlob = toStr(x, path("shouldStopBlob"), false);
  if (!isMissing(x = field("onlyOnce"))) s.onlyOnce = toBool(x, path("onlyOnce"));
  if (!isMissing(x = field("concurrentSubsteps"))) s.concurrentSubsteps = toBool(x, path("concurrentSubsteps"));
  if (!isMissing(x = field("numConcurrentInstances")))
    s.numConcurrentInstances = toInt(x, path("numConcurrentInstances"), 1, kMaxConcurrentThreads);
  if (!isMissing(x = field("createWorkspace"))) s.createWorkspace = toBool(x, path("createWorkspace"));
  if (!isMissing(x = field("runEveryMs"))) s.runEveryMs = toInt(x, path("runEveryMs"), 0, kMaxRunEveryMs);
  if (!isMissing(x = field("reportBlobs"))) s.reportBlobs = toStrings(x, path("reportBlobs"));
  return s;
}

}  // namespace

PlanDef toPlanDef(const Napi::Value& v) {
  Napi::Object o = toObject(v, "plan");
  PlanDef p;
  p.name = toStr(o.Get("name"), "plan.name");
  Napi::Array nets = toArray(o.Get("nets"), "plan.nets");
  for (uint32_t i = 0; i < nets.Length(); ++i) {
    std::string np = "plan.nets[" + std::to_string(i) + "]";
    Napi::Object n = toObject(nets.Get(i), np);
    NetDef net;
    net.name = toStr(n.Get("name"), np + ".name", false);
    Napi::Array ops = toArray(n.Get("ops"), np + ".ops");
    for (uint32_t j = 0; j < ops.Length(); ++j) net.ops.push_back(toOpDef(ops.Get(j), np + ".ops[" + std::to_string(j) + "]"));
    p.nets.push_back(std::move(net));
  }
  Napi::Array steps = toArray(o.Get("steps"), "plan.steps");
  for (uint32_t i = 0; i < steps.Length(); ++i) p.steps.push_back(toStepDef(steps.Get(i), "plan.steps[" + std::to_string(i) + "]", 1));
  return p;
}

}  // namespace hogwild::napi
