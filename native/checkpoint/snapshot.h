#pragma once
// Staging memory for asynchronous saves. At the epoch boundary the tensors to
// save are copied (memcpy, in parallel when large) into buffers this arena
// keeps from one save to the next, so the workspace is free again at once and
// a background thread writes the copy. A model of the same size reuses the
// same memory every epoch: after the first save no fresh page is touched.
// Large buffers get huge pages where the kernel allows (staging.h).
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "writer.h"

namespace hogwild::ckpt {

class SnapshotArena {
 public:
  // Replaces each tensor item's tensor (which shares blob memory) with a copy
  // in arena memory. Object and empty items are encoded copies already.
  // Throws HOGWILD_BUSY while the previous snapshot is still being written,
  // HOGWILD_OUT_OF_MEMORY when the arena cannot grow (nothing changed then).
  void snapshot(std::vector<SaveItem>& items);
  // Marks the arena free again (the write of the last snapshot ended).
  void release() { _busy.store(false); }
  bool busy() const { return _busy.load(); }
  // Bytes held (for tests: reuse keeps this constant).
  uint64_t capacity() const { return _capacity; }
  const void* base() const { return _memory.get(); }

 private:
  std::shared_ptr<uint8_t> _memory;
  uint64_t _capacity = 0;
  std::atomic<bool> _busy{false};
};

}  // namespace hogwild::ckpt
