#include "handle_wraps.h"

#include "addon_data.h"
#include "errors.h"
#include "js_convert.h"

namespace hogwild::napi {

namespace {

constexpr napi_type_tag kPlanTag = {0x8d3f1c2a6b7e4f01ULL, 0x9a2b3c4d5e6f7081ULL};
constexpr napi_type_tag kCancelTag = {0x8d3f1c2a6b7e4f02ULL, 0x9a2b3c4d5e6f7082ULL};

class PlanWrap : public Napi::ObjectWrap<PlanWrap> {
 public:
  explicit PlanWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PlanWrap>(info) {
    info.This().As<Napi::Object>().TypeTag(&kPlanTag);
  }
  Napi::Value Name(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), plan ? plan->def().name : std::string());
  }
  std::shared_ptr<const CompiledPlan> plan;
};

// One JS cancel may serve many runs (an AbortSignal shared by a whole job);
// each run gets its own token, because a failing run sets its token to stop
// its other threads.
class CancelWrap : public Napi::ObjectWrap<CancelWrap> {
 public:
  explicit CancelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelWrap>(info) {
    info.This().As<Napi::Object>().TypeTag(&kCancelTag);
  }
  void Cancel(const Napi::CallbackInfo&) {
    _cancelled = true;
    for (auto& weak : _tokens)
      if (auto t = weak.lock()) t->cancel();
    _tokens.clear();
  }
  Napi::Value Cancelled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), _cancelled); }

  std::shared_ptr<CancelToken> newToken() {
    auto token = std::make_shared<CancelToken>();
    if (_cancelled) {
      token->cancel();
      return token;
    }
    // Forget tokens of finished runs so a long-lived cancel does not grow.
    std::vector<std::weak_ptr<CancelToken>> live;
    for (auto& weak : _tokens)
      if (!weak.expired()) live.push_back(weak);
    live.push_back(token);
    _tokens.swap(live);
    return token;
  }

 private:
  bool _cancelled = false;
  std::vector<std::weak_ptr<CancelToken>> _tokens;  // JS thread only
};

template <typename T> T* unwrapTagged(const Napi::Value& value, const napi_type_tag* tag, const char* what, const char* argName) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(tag)) throwExpected(what, argName, value);
  return Napi::ObjectWrap<T>::Unwrap(value.As<Napi::Object>());
}

}  // namespace

Napi::Function definePlanClass(Napi::Env env) {
  return PlanWrap::DefineClass(env, "NativePlan", {PlanWrap::InstanceAccessor<&PlanWrap::Name>("name")});
}

Napi::Function defineCancelClass(Napi::Env env) {
  return CancelWrap::DefineClass(env, "NativeCancel",
                                 {CancelWrap::InstanceMethod<&CancelWrap::Cancel>("cancel"),
                                  CancelWrap::InstanceAccessor<&CancelWrap::Cancelled>("cancelled")});
}

Napi::Object newPlan(Napi::Env env, std::shared_ptr<const CompiledPlan> plan) {
  Napi::Object obj = AddonData::of(env).planClass.New({});
  PlanWrap::Unwrap(obj)->plan = std::move(plan);
  return obj;
}

Napi::Object newCancel(Napi::Env env) { return AddonData::of(env).cancelClass.New({}); }

std::shared_ptr<const CompiledPlan> unwrapPlan(const Napi::Value& value, const char* argName) {
  PlanWrap* w = unwrapTagged<PlanWrap>(value, &kPlanTag, "a plan from compilePlan()", argName);
  if (!w->plan) throwExpected("a plan from compilePlan()", argName, value);
  return w->plan;
}

std::shared_ptr<CancelToken> tokenFor(const Napi::Value& cancel, const char* argName) {
  return unwrapTagged<CancelWrap>(cancel, &kCancelTag, "a cancel from createCancel()", argName)->newToken();
}

}  // namespace hogwild::napi
