#pragma once
// The C interface through which the optional multi-node module
// (hogwild_gloo.node) lends its process group to this addon's collective ops
// (Allreduce, Broadcast, Barrier). Plain C function pointers: the two modules
// share no C++ symbols, only this layout.
#include <cstddef>
#include <cstdint>

extern "C" {
struct HogwildCollectiveV1 {
  uint32_t magic;    // kHogwildCollectiveMagic
  uint32_t version;  // 1
  void* ctx;
  int rank;
  int size;
  // Each returns 0 on success; otherwise writes "CODE\tmessage" (NUL-terminated,
  // at most errLen bytes) into err. op: 0 sum, 1 mean, 2 max, 3 min.
  int (*allreduce)(void* ctx, float* data, size_t count, int op, uint32_t tag, char* err, size_t errLen);
  int (*broadcast)(void* ctx, float* data, size_t count, int root, uint32_t tag, char* err, size_t errLen);
  int (*barrier)(void* ctx, uint32_t tag, char* err, size_t errLen);
};
}

inline constexpr uint32_t kHogwildCollectiveMagic = 0x48574331;  // "HWC1"

namespace hogwild {
// Installs the backend the collective ops use (nullptr: none). The caller keeps it alive.
void setCollectiveBackend(const HogwildCollectiveV1* backend);
const HogwildCollectiveV1* collectiveBackend();
}  // namespace hogwild
