// setCollectiveBackend(external | null): installs the process group that the
// optional multi-node module lends to the collective ops (see
// ops/collective_backend.h). The external is kept referenced while installed.
#include <napi.h>

#include <memory>

#include "../ops/collective_backend.h"
#include "errors.h"
#include "registrations.h"

namespace hogwild::napi {

namespace {
std::unique_ptr<Napi::Reference<Napi::Value>> gHeld;

Napi::Value setBackend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || info[0].IsNull() || info[0].IsUndefined()) {
    hogwild::setCollectiveBackend(nullptr);
    gHeld.reset();
    return env.Undefined();
  }
  if (info[0].Type() != napi_external) throw jsError(env, codes::kInvalidArgument, "Expected a collective backend (an external from hogwild_gloo.node) or null");
  auto* b = static_cast<const HogwildCollectiveV1*>(info[0].As<Napi::External<void>>().Data());
  if (!b || b->magic != kHogwildCollectiveMagic || b->version != 1)
    throw jsError(env, codes::kInvalidArgument, "Expected a version-1 collective backend but received another external");
  gHeld = std::make_unique<Napi::Reference<Napi::Value>>(Napi::Persistent(info[0]));
  hogwild::setCollectiveBackend(b);
  return env.Undefined();
}
}  // namespace

void registerCollective(Napi::Env env, Napi::Object exports) {
  exports.Set("setCollectiveBackend", Napi::Function::New(env, setBackend, "setCollectiveBackend"));
}

}  // namespace hogwild::napi
