#pragma once
// A bounded blocking queue of records (one tensor per field), the blob kind
// behind CreateBlobsQueue / SafeEnqueueBlobs / SafeDequeueBlobs (docs/caffe2.md §9).
//
// Contract:
// - enqueue blocks while the queue is full, dequeue while it is empty, until
//   the queue is closed. After close, enqueue drops the record and reports
//   "closed"; dequeue keeps draining and reports "closed" once empty.
// - Waits never block an executor thread for good: they wake every few
//   milliseconds to poll RunContext::isCancelled() and throw HOGWILD_ABORTED,
//   so an aborted job ends even while a thread waits on a full or empty queue.
// - Record storage is recycled: a dequeued record's old output tensors go back
//   to a free list that the next enqueue copies into, so a steady pipe does not
//   allocate per batch.
// - JS producers use the non-blocking tryEnqueue and a state-change listener
//   (see data_binding.cc); nothing here knows about N-API.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "../core/blob.h"
#include "../ops/operator.h"

namespace hogwild::data {

using Record = std::vector<Tensor>;

class BlobsQueue : public BlobObject {
 public:
  static constexpr const char* kKind = "queue";
  enum class Push { Ok, Full, Closed };

  // `fieldNames` may be empty (then fields are unnamed) or have `numBlobs` entries.
  BlobsQueue(std::string name, int64_t capacity, int64_t numBlobs, std::vector<std::string> fieldNames);
  const char* kind() const override { return kKind; }

  const std::string& name() const { return _name; }
  int64_t capacity() const { return _capacity; }
  int64_t numBlobs() const { return _numBlobs; }
  const std::vector<std::string>& fieldNames() const { return _fieldNames; }

  // Copies `fields` (numBlobs tensors) in as one record, blocking while full.
  // Returns false when the queue is (or gets) closed. Throws HOGWILD_ABORTED
  // when `ctx` is cancelled while waiting.
  bool enqueue(const std::vector<const Tensor*>& fields, const RunContext* ctx);
  // Non-blocking enqueue for producers that must not block (the JS thread).
  Push tryEnqueue(const std::vector<const Tensor*>& fields);
  // Moves the oldest record into `out` (numBlobs tensors, swapped so their old
  // buffers are recycled). Blocks while empty and open. Returns false when the
  // queue is closed and empty.
  bool dequeue(std::vector<Tensor*>& out, const RunContext* ctx);

  void close();
  // Closes the queue with an error (a JS producer threw): every dequeue from
  // now on throws Error(code, message), so the run fails with it.
  void fail(const char* code, std::string message);
  bool closed() const;
  int64_t size() const;
  // Records dequeued since the queue was made (a producer's exact count of
  // what was consumed, whatever it enqueued since).
  int64_t dequeued() const;

  // Called (outside the lock) after a dequeue frees a slot or on close. Used to
  // wake JS producers waiting for room; returns an id for removeListener.
  int64_t addListener(std::function<void()> fn);
  void removeListener(int64_t id);

 private:
  void checkFields(size_t n) const;
  // Waits on `cv` until `ready()` or cancellation; `lock` is held on return.
  template <typename Pred>
  void waitFor(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Pred ready, const RunContext* ctx);
  Record takeSpare();
  void notifyListeners();

  const std::string _name;
  const int64_t _capacity;
  const int64_t _numBlobs;
  const std::vector<std::string> _fieldNames;

  mutable std::mutex _mu;
  std::condition_variable _notFull, _notEmpty;
  std::deque<Record> _records;
  std::vector<Record> _spare;
  // Slots reserved by enqueuers that copy outside the lock.
  int64_t _reserved = 0;
  bool _closed = false;
  int64_t _dequeued = 0;
  const char* _failCode = nullptr;
  std::string _failMessage;

  std::mutex _listenersMu;
  std::vector<std::pair<int64_t, std::function<void()>>> _listeners;
  int64_t _nextListener = 1;
};

}  // namespace hogwild::data
