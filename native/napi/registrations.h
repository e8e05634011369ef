#pragma once
// Each binding area registers its exports from its own file; addon.cc calls them.
#include <napi.h>

namespace hogwild::napi {

void registerCore(Napi::Env env, Napi::Object exports);        // workspaces, plans, ops (core_binding.cc)
void registerKernels(Napi::Env env, Napi::Object exports);     // simdInfo, kernel self-tests (kernels_binding.cc)
void registerData(Napi::Env env, Napi::Object exports);        // queues, readers, file formats (data_binding.cc)
void registerCheckpoint(Napi::Env env, Napi::Object exports);  // checkpoint files (checkpoint_binding.cc)
void registerPredict(Napi::Env env, Napi::Object exports);     // fastText batch prediction (predict_binding.cc)
void registerPartitionCache(Napi::Env env, Napi::Object exports);  // the partitioned reader's native cache (partition_cache_binding.cc)
void registerCollective(Napi::Env env, Napi::Object exports);  // collective ops' process group (collective_binding.cc)

}  // namespace hogwild::napi
