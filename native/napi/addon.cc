// Addon entry: each binding area registers its own exports.
#include <napi.h>

#include "registrations.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  hogwild::napi::registerCore(env, exports);
  hogwild::napi::registerKernels(env, exports);
  hogwild::napi::registerData(env, exports);
  hogwild::napi::registerCheckpoint(env, exports);
  hogwild::napi::registerPredict(env, exports);
  hogwild::napi::registerCollective(env, exports);
  hogwild::napi::registerPartitionCache(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(hogwild, Init)
