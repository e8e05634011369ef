#pragma once
// Two small wrapped handles: a compiled plan (NativePlan) and a cancel switch
// (NativeCancel). Both are type-tagged, so a forged object is refused.
#include <napi.h>

#include <memory>
#include <vector>

#include "../exec/executor.h"

namespace hogwild::napi {

Napi::Function definePlanClass(Napi::Env env);
Napi::Function defineCancelClass(Napi::Env env);

Napi::Object newPlan(Napi::Env env, std::shared_ptr<const CompiledPlan> plan);
Napi::Object newCancel(Napi::Env env);

// Throws HOGWILD_INVALID_ARGUMENT when `value` is not what it should be.
std::shared_ptr<const CompiledPlan> unwrapPlan(const Napi::Value& value, const char* argName);
// A fresh token for one run, cancelled whenever the JS cancel is (already, or later).
std::shared_ptr<CancelToken> tokenFor(const Napi::Value& cancel, const char* argName);

}  // namespace hogwild::napi
