#pragma once
// Plain description of a plan: Caffe2's execution-step tree (docs/caffe2.md §1.3).
// The binding builds it from JS plan data; C++ tests build it directly.
#include <cstdint>
#include <string>
#include <vector>

#include "../ops/operator_def.h"

namespace hogwild {

struct StepDef {
  std::string name;
  // Exactly one of `nets` (names from PlanDef::nets) and `substeps` is non-empty
  // (both empty: the step does nothing).
  std::vector<std::string> nets;
  std::vector<StepDef> substeps;
  // < 0: unset (1 without a stop blob, unbounded with one).
  int64_t numIter = -1;
  // Checked after every net / substep; true stops the step successfully.
  std::string shouldStopBlob;
  bool onlyOnce = false;
  bool concurrentSubsteps = false;
  int64_t numConcurrentInstances = 1;
  // A fresh child workspace per execution of this step.
  bool createWorkspace = false;
  // > 0: a report step, run every runEveryMs while its parent runs and once at the end.
  int64_t runEveryMs = 0;
  // Scalar blobs whose values are sent to JS after each run of this (report) step.
  std::vector<std::string> reportBlobs;
};

struct PlanDef {
  std::string name;
  std::vector<NetDef> nets;
  std::vector<StepDef> steps;
};

}  // namespace hogwild
