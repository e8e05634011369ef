// Placeholder: filled in by the kernels binding work.
#include "registrations.h"

namespace hogwild::napi {

void registerKernels(Napi::Env, Napi::Object) {}

}  // namespace hogwild::napi
