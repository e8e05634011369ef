// Placeholder: filled in by the core binding work.
#include "registrations.h"

namespace hogwild::napi {

void registerCore(Napi::Env, Napi::Object) {}

}  // namespace hogwild::napi
