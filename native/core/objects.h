#pragma once
// Object blob kinds of the core (docs/architecture.md, "Native core"): counters, timers, string lists.
// Each has a stable `kKind` (what Blob::kindName reports and what checkpoints
// store in `__metadata__`), and newObjectOfKind() makes an empty one of a kind
// so a loader can deserialize into it. Other areas (cursors, queues) register
// their kinds the same way with HW_REGISTER_OBJECT_KIND.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "blob.h"

namespace hogwild {

// Caffe2's Counter (counter_ops.h). Every operation is one atomic
// read-modify-write, so many threads counting down one counter each see a
// distinct value and exactly `init` of them see "not done".
class Counter final : public BlobObject {
 public:
  static constexpr const char* kKind = "counter";
  explicit Counter(int64_t init = 0) : _count(init) {}
  const char* kind() const override { return kKind; }

  // Returns the value before the increment.
  int64_t countUp() { return _count.fetch_add(1); }
  // True when the count was already <= 0. Decrements either way, so the count
  // goes negative once done (Caffe2 does the same; RetrieveCount shows it).
  bool countDown() { return _count.fetch_sub(1) <= 0; }
  bool done() const { return _count.load() <= 0; }
  int64_t count() const { return _count.load(); }
  // Sets the count; returns the previous one.
  int64_t reset(int64_t init) { return _count.exchange(init); }

  // int64 tensor of shape [1] holding the count.
  bool serialize(Tensor* out) const override;
  void deserialize(const Tensor& in) override;

 private:
  // Signed atomic arithmetic wraps (two's complement), so there is no UB at the ends.
  std::atomic<int64_t> _count;
};

// A wall-clock (steady) timer, started on creation. Not checkpointed: a
// restored run would measure the gap between processes.
class Timer final : public BlobObject {
 public:
  static constexpr const char* kKind = "timer";
  explicit Timer(std::string name = "");
  const char* kind() const override { return kKind; }

  const std::string& name() const { return _name; }
  bool running() const;
  // Restarts it from now.
  void begin();
  // Elapsed ns since begin; false (and *ns untouched) when stopped.
  bool elapsedNs(int64_t* ns) const;
  // Stops it; returns the elapsed ns through *ns. False when already stopped.
  bool end(int64_t* ns = nullptr);

 private:
  const std::string _name;
  mutable std::mutex _mu;  // TimerGet and TimerEnd may race from report threads
  std::chrono::steady_clock::time_point _start;
  bool _running = false;
};

// An immutable list of strings (GetAllBlobNames, GivenTensorStringFill). Ops
// replace the whole object rather than editing it, so readers need no lock.
//
// Serialized form, a 1-D uint8 tensor, all integers little-endian u32:
//   [count][length of string 0]...[length of string count-1][bytes of all strings, concatenated]
// An empty list is the 4 bytes of count 0. Strings are stored byte for byte (UTF-8 by convention).
class StringList final : public BlobObject {
 public:
  static constexpr const char* kKind = "stringList";
  StringList() = default;
  explicit StringList(std::vector<std::string> values) : _values(std::move(values)) {}
  const char* kind() const override { return kKind; }

  const std::vector<std::string>& values() const { return _values; }
  size_t size() const { return _values.size(); }

  bool serialize(Tensor* out) const override;
  // Throws HOGWILD_CHECKPOINT_CORRUPT when the bytes are not a valid encoding.
  void deserialize(const Tensor& in) override;

 private:
  std::vector<std::string> _values;
};

// ---- Object kinds by name (for loaders) ----

using ObjectFactory = std::shared_ptr<BlobObject> (*)();
// Called by static registrars only; a kind registered twice keeps the first factory.
bool registerObjectKind(const char* kind, ObjectFactory factory);
// A fresh object of `kind`; throws HOGWILD_BLOB_KIND for an unknown kind.
std::shared_ptr<BlobObject> newObjectOfKind(const std::string& kind);
std::vector<std::string> objectKinds();

#define HW_REGISTER_OBJECT_KIND(Class)                                                  \
  static const bool HW_OBJ_CONCAT(hw_object_kind_, __LINE__) [[maybe_unused]] =       \
      ::hogwild::registerObjectKind(Class::kKind, []() -> std::shared_ptr<::hogwild::BlobObject> { \
        return std::make_shared<Class>();                                              \
      })
#define HW_OBJ_CONCAT_INNER(a, b) a##b
#define HW_OBJ_CONCAT(a, b) HW_OBJ_CONCAT_INNER(a, b)

}  // namespace hogwild
