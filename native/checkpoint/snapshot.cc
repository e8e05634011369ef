#include "snapshot.h"

#include "errors.h"
#include "format.h"
#include "staging.h"

namespace hogwild::ckpt {

void SnapshotArena::snapshot(std::vector<SaveItem>& items) {
  HW_CHECK(!_busy.load(), codes::kBusy, "Expected the previous asynchronous checkpoint save to have finished before the next snapshot");
  // One region for every tensor, each at a 64-byte aligned offset.
  std::vector<uint64_t> offsets(items.size(), 0);
  uint64_t total = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].kind != kTensorKind) continue;
    offsets[i] = total;
    total += (static_cast<uint64_t>(items[i].tensor.nbytes()) + 63) / 64 * 64;
  }
  if (total > _capacity || !_memory) {
    _memory.reset();  // free the old region before mapping the larger one
    _capacity = 0;
    _memory = allocateStaging(static_cast<size_t>(total ? total : 64));
    _capacity = total;
  }
  _busy.store(true);
  for (size_t i = 0; i < items.size(); ++i) {
    SaveItem& item = items[i];
    if (item.kind != kTensorKind) continue;
    uint8_t* at = _memory.get() + offsets[i];
    parallelCopy(at, item.tensor.raw(), item.tensor.nbytes());
    // Aliasing pointer: the write holds the arena memory even if the arena goes first.
    item.tensor = Tensor::fromExternal(item.tensor.dtype(), item.tensor.shape(), std::shared_ptr<uint8_t>(_memory, at));
  }
}

}  // namespace hogwild::ckpt
