// Core exports (CoreBinding in lib/native/coreTypes.ts): workspaces, plans,
// cancels, op schemas and gradients, and shutdownSync.
#include "../ops/registry.h"
#include "addon_data.h"
#include "errors.h"
#include "handle_wraps.h"
#include "js_convert.h"
#include "plan_convert.h"
#include "registrations.h"
#include "workspace_wrap.h"

namespace hogwild::napi {

namespace {

Napi::Value CreateWorkspace(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value { return newWorkspace(info.Env()); });
}

Napi::Value CompilePlan(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    auto plan = std::make_shared<const CompiledPlan>(toPlanDef(info[0]));
    return newPlan(info.Env(), std::move(plan));
  });
}

Napi::Value CreateCancel(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value { return newCancel(info.Env()); });
}

const char* gradientKind(GradientSpec::Kind k) {
  switch (k) {
    case GradientSpec::Kind::Dense: return "dense";
    case GradientSpec::Kind::Sparse: return "sparse";
    default: return "none";
  }
}

Napi::Value GradientFor(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    OperatorDef op = toOpDef(info[0], "op");
    std::vector<std::string> outputGrads = toStrings(info[1], "outputGrads");
    std::vector<bool> wanted;
    if (info.Length() > 2 && !info[2].IsUndefined()) {
      HW_CHECK(info[2].IsArray(), codes::kInvalidArgument, "gradientFor: expected 'wanted' to be an array of booleans");
      Napi::Array a = info[2].As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value v = a.Get(i);
        HW_CHECK(v.IsBoolean(), codes::kInvalidArgument, "gradientFor: expected 'wanted[" << i << "]' to be a boolean");
        wanted.push_back(v.As<Napi::Boolean>().Value());
      }
    }
    GradientDefs g = OpRegistry::instance().gradient(op, outputGrads, wanted);
    Napi::Array ops = Napi::Array::New(env, g.ops.size());
    for (size_t i = 0; i < g.ops.size(); ++i) ops.Set(i, opDefToJs(env, g.ops[i]));
    Napi::Array inputs = Napi::Array::New(env, g.inputs.size());
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const GradientSpec& s = g.inputs[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("kind", gradientKind(s.kind));
      if (s.kind == GradientSpec::Kind::Dense) o.Set("dense", s.dense);
      if (s.kind == GradientSpec::Kind::Sparse) {
        o.Set("indices", s.indices);
        o.Set("values", s.values);
      }
      inputs.Set(i, o);
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("ops", ops);
    out.Set("inputs", inputs);
    return out;
  });
}

Napi::Value OpTypes(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    std::vector<std::string> types = OpRegistry::instance().types();
    Napi::Array out = Napi::Array::New(info.Env(), types.size());
    for (size_t i = 0; i < types.size(); ++i) out.Set(i, types[i]);
    return out;
  });
}

Napi::Value OpSchemaOf(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    const OpSchema* s = OpRegistry::instance().find(toStr(info[0], "type"));
    if (!s) return env.Null();
    Napi::Object o = Napi::Object::New(env);
    o.Set("type", s->type);
    o.Set("minInputs", s->minInputs);
    o.Set("maxInputs", static_cast<double>(s->maxInputs));
    o.Set("minOutputs", s->minOutputs);
    o.Set("maxOutputs", static_cast<double>(s->maxOutputs));
    Napi::Array args = Napi::Array::New(env, s->args.size());
    uint32_t i = 0;
    for (const auto& a : s->args) args.Set(i++, a);
    o.Set("args", args);
    o.Set("anyArgs", s->anyArgs);
    o.Set("hasGradient", static_cast<bool>(s->gradient));
    o.Set("doc", s->doc);
    return o;
  });
}

void ShutdownSync(const Napi::CallbackInfo& info) { AddonData::of(info.Env()).shutdown(); }

}  // namespace

void registerCore(Napi::Env env, Napi::Object exports) {
  AddonData& data = AddonData::of(env);
  data.workspaceClass = Napi::Persistent(defineWorkspaceClass(env));
  data.planClass = Napi::Persistent(definePlanClass(env));
  data.cancelClass = Napi::Persistent(defineCancelClass(env));
  exports.Set("createWorkspace", Napi::Function::New<CreateWorkspace>(env, "createWorkspace"));
  exports.Set("compilePlan", Napi::Function::New<CompilePlan>(env, "compilePlan"));
  exports.Set("createCancel", Napi::Function::New<CreateCancel>(env, "createCancel"));
  exports.Set("gradientFor", Napi::Function::New<GradientFor>(env, "gradientFor"));
  exports.Set("opTypes", Napi::Function::New<OpTypes>(env, "opTypes"));
  exports.Set("opSchema", Napi::Function::New<OpSchemaOf>(env, "opSchema"));
  exports.Set("shutdownSync", Napi::Function::New<ShutdownSync>(env, "shutdownSync"));
}

}  // namespace hogwild::napi
