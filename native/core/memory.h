#pragma once
// Memory of tensors and of the checkpoint code's bulk buffers.
//
// Blocks of 2 MiB and more come from their own anonymous mapping, aligned to
// 2 MiB, with MADV_HUGEPAGE (transparent huge pages are "madvise" on most
// distributions, so the heap never gets them). Two reasons, both measured on
// this project's VM: the first touch of fresh memory runs at ~0.4 GB/s with
// 4 KiB pages against ~1 GB/s with 2 MiB ones (a 128 MB n-gram table took
// 0.4 s to initialize), and the random rows a sparse update reads in a large
// embedding table miss the TLB far less. Smaller blocks come from the heap.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace hogwild {

// At least `bytes` bytes, 64-byte aligned, freed when the last reference goes.
// `populate`: map every page now (MADV_POPULATE_WRITE, Linux 5.14+) instead of
// on first touch. Throws HOGWILD_OUT_OF_MEMORY.
std::shared_ptr<uint8_t> allocateBytes(size_t bytes, bool populate = false);

}  // namespace hogwild
