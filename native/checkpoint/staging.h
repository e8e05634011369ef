#pragma once
// Memory the checkpoint code fills in bulk: staging for loaded tensors that
// get memory of their own, and the snapshot buffers of asynchronous saves.
//
// Touching fresh pages is what bulk copies into new memory cost most on a VM
// (a first memset of 1 GiB: ~0.4 GB/s with 4 KiB pages, ~1 GB/s with 2 MiB
// ones, 25 GB/s on the second pass), so large buffers are huge-page mappings
// (core/memory.h) mapped up front with MADV_POPULATE_WRITE. Also: a memcpy
// split across threads.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace hogwild::ckpt {

// At least `bytes` bytes, 64-byte aligned, freed when the last reference
// goes. Throws HOGWILD_OUT_OF_MEMORY.
std::shared_ptr<uint8_t> allocateStaging(size_t bytes);

// Threads for bulk work on `bytes` bytes: 1 below 64 MiB, else up to the
// number of CPUs (at most 8).
unsigned bulkThreads(uint64_t bytes);

// memcpy split into pieces across bulkThreads(n) threads (the caller's
// thread takes part). Never throws once the threads started; a thread that
// cannot start leaves its pieces to the others.
void parallelCopy(void* dst, const void* src, size_t n);

// Runs fn(i) for i in [0, count) on up to `threads` threads (the caller's
// included), handing out indexes in order. fn must not throw.
template <typename Fn> void parallelFor(size_t count, unsigned threads, Fn&& fn);

namespace detail {
void runParallel(size_t count, unsigned threads, void (*call)(void*, size_t), void* ctx);
}

template <typename Fn> void parallelFor(size_t count, unsigned threads, Fn&& fn) {
  detail::runParallel(count, threads, [](void* ctx, size_t i) { (*static_cast<Fn*>(ctx))(i); }, &fn);
}

}  // namespace hogwild::ckpt
