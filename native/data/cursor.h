#pragma once
// Dataset cursors (docs/caffe2.md §10–§11): a thread-safe position in a nested
// dataset whose fields follow Caffe2's naming, where a field "x:lengths" opens
// a nested level and fields named "x:…" after it live on that level
// ("label", "tokens:lengths", "tokens:values").
//
// A cursor is a blob kind ("treeCursor"), shared by every thread that reads
// through it and saved in checkpoints as its offsets, its field names and its
// shuffle pass (serialize/deserialize below).
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "../core/blob.h"

namespace hogwild::data {

// Caffe2's TreeIterator: which level each field lives on.
class TreeLayout {
 public:
  TreeLayout() = default;  // no fields: a cursor waiting for deserialize()
  explicit TreeLayout(std::vector<std::string> fields);
  const std::vector<std::string>& fields() const { return _fields; }
  size_t numFields() const { return _fields.size(); }
  // Number of levels (1 + number of "…:lengths" fields).
  size_t numLevels() const { return _lengthFields.size() + 1; }
  // Level of field i (0 = top level).
  size_t levelOf(size_t field) const { return _levelOf[field]; }
  // The field holding the lengths that define level `level` (>= 1).
  size_t lengthFieldOf(size_t level) const { return _lengthFields[level - 1]; }

 private:
  std::vector<std::string> _fields;
  std::vector<size_t> _lengthFields;
  std::vector<size_t> _levelOf;
};

// Read-only view of a dataset's field tensors, in field order.
struct FieldViews {
  std::vector<const Tensor*> tensors;
};

// How many items of each level a batch covers, and where it starts.
struct BatchRange {
  std::vector<int64_t> offsets;  // start per level
  std::vector<int64_t> sizes;    // items per level
};

class TreeCursor : public BlobObject {
 public:
  static constexpr const char* kKind = "treeCursor";
  // An empty cursor for checkpoint loaders; deserialize() gives it its fields.
  TreeCursor() = default;
  explicit TreeCursor(std::vector<std::string> fields) : _layout(std::move(fields)) {}
  const char* kind() const override { return kKind; }
  bool serialize(Tensor* out) const override;
  // Restores offsets and pass. An empty cursor takes the record's fields; a
  // cursor with fields requires the same ones.
  void deserialize(const Tensor& in) override;
  // Builds a cursor from its serialized form (checkpoint load).
  static std::shared_ptr<TreeCursor> fromTensor(const Tensor& in);

  const TreeLayout& layout() const { return _layout; }

  // Checks the field tensors against the layout: lengths fields are 1-D
  // int32/int64 and non-negative, every level's fields agree on their first
  // dim, and the lengths of a level sum to the size of the level below.
  // Throws HOGWILD_DATA / HOGWILD_SHAPE_MISMATCH naming the field.
  void checkConsistency(const FieldViews& data) const;

  // Sequential read: claims the next `batchSize` top-level entries (fewer at
  // the end; none once exhausted; none when `enforceBatchSize` and fewer
  // remain). Thread-safe.
  BatchRange advance(const FieldViews& data, int64_t batchSize, bool enforceBatchSize);

  // Shuffled read: claims the next `batchSize` positions of a permutation of
  // the top-level entries. The permutation is a pure function of (seed, pass);
  // the pass grows on reset() and, with `loopOver`, each time the end is
  // reached. Returns the chosen entries (empty once exhausted).
  std::vector<int64_t> advanceShuffled(const FieldViews& data, int64_t batchSize, bool enforceBatchSize,
                                       uint64_t seed, bool loopOver, int64_t* passOut);
  // Per-level start offsets of every top-level entry (numLevels × (n+1)),
  // cached while the lengths fields keep their buffers and sizes. Thread-safe;
  // the snapshot stays valid after the cache moves on.
  using EntryOffsets = std::vector<std::vector<int64_t>>;
  std::shared_ptr<const EntryOffsets> entryOffsets(const FieldViews& data);

  void reset();
  // Top-level offset (GetCursorOffset).
  int64_t topOffset() const;
  int64_t pass() const;

 private:
  int64_t limitOf(const FieldViews& data, size_t level) const;

  TreeLayout _layout;
  mutable std::mutex _mu;
  std::vector<int64_t> _offsets;  // per level; empty until the first read
  int64_t _pass = 0;
  // Shuffle state (rebuilt from seed and pass).
  std::vector<int64_t> _perm;
  int64_t _permPass = -1;
  uint64_t _permSeed = 0;
  // entryOffsets cache, keyed by the lengths fields' sizes and buffers.
  std::shared_ptr<const EntryOffsets> _entryOffsets;
  std::vector<std::pair<const void*, int64_t>> _entryKey;
};

// Random permutation of 0..n-1, identical on every platform for a given seed.
std::vector<int64_t> seededPermutation(int64_t n, uint64_t seed);

// Guards AtomicAppend. Saved as an empty record so a dataset writer's init
// state can be checkpointed; restoring gives a fresh, unlocked mutex.
class MutexBlob : public BlobObject {
 public:
  static constexpr const char* kKind = "mutex";
  const char* kind() const override { return kKind; }
  bool serialize(Tensor* out) const override {
    out->resize(DType::Uint8, {0});
    return true;
  }
  void deserialize(const Tensor&) override {}
  std::mutex mu;
};

}  // namespace hogwild::data
