// Placeholder: filled in by the data binding work.
#include "registrations.h"

namespace hogwild::napi {

void registerData(Napi::Env, Napi::Object) {}

}  // namespace hogwild::napi
