// Placeholder: filled in by the checkpoint binding work.
#include "registrations.h"

namespace hogwild::napi {

void registerCheckpoint(Napi::Env, Napi::Object) {}

}  // namespace hogwild::napi
