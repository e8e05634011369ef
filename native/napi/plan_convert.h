#pragma once
// JS plan data (lib/native/coreTypes.ts PlanDef) -> PlanDef, checked field by
// field on the JS thread. CompiledPlan then checks the plan's structure.
#include <napi.h>

#include "../exec/plan.h"

namespace hogwild::napi {

PlanDef toPlanDef(const Napi::Value& v);

}  // namespace hogwild::napi
