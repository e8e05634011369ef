#include "queue.h"

#include <chrono>

namespace hogwild::data {

namespace {
// How often a blocked wait wakes to check for cancellation.
constexpr auto kPollInterval = std::chrono::milliseconds(5);
}  // namespace

BlobsQueue::BlobsQueue(std::string name, int64_t capacity, int64_t numBlobs, std::vector<std::string> fieldNames)
    : _name(std::move(name)), _capacity(capacity), _numBlobs(numBlobs), _fieldNames(std::move(fieldNames)) {
  HW_CHECK(capacity > 0, codes::kInvalidArgument,
           "Expected a positive capacity for queue '" << _name << "' but received " << capacity);
  HW_CHECK(numBlobs > 0, codes::kInvalidArgument,
           "Expected a positive num_blobs for queue '" << _name << "' but received " << numBlobs);
  HW_CHECK(_fieldNames.empty() || static_cast<int64_t>(_fieldNames.size()) == numBlobs, codes::kInvalidArgument,
           "Expected " << numBlobs << " field names for queue '" << _name << "' but received " << _fieldNames.size());
}

void BlobsQueue::checkFields(size_t n) const {
  HW_CHECK(static_cast<int64_t>(n) == _numBlobs, codes::kInvalidArgument,
           "Expected " << _numBlobs << " blobs for queue '" << _name << "' but received " << n);
}

template <typename Pred>
void BlobsQueue::waitFor(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Pred ready,
                         const RunContext* ctx) {
  while (!ready()) {
    if (ctx && ctx->isCancelled()) {
      HW_THROW(codes::kAborted, "Cancelled while waiting on queue '" << _name << "'");
    }
    cv.wait_for(lock, kPollInterval);
  }
}

Record BlobsQueue::takeSpare() {
  if (_spare.empty()) return Record(static_cast<size_t>(_numBlobs));
  Record r = std::move(_spare.back());
  _spare.pop_back();
  return r;
}

bool BlobsQueue::enqueue(const std::vector<const Tensor*>& fields, const RunContext* ctx) {
  checkFields(fields.size());
  Record rec;
  {
    std::unique_lock<std::mutex> lock(_mu);
    waitFor(lock, _notFull,
            [&] { return _closed || static_cast<int64_t>(_records.size()) + _reserved < _capacity; }, ctx);
    if (_closed) return false;
    ++_reserved;
    rec = takeSpare();
  }
  // Copy outside the lock: the slot is reserved, so capacity still holds.
  try {
    for (size_t i = 0; i < fields.size(); ++i) rec[i].copyFrom(*fields[i]);
  } catch (...) {
    std::lock_guard<std::mutex> lock(_mu);
    --_reserved;
    _notFull.notify_one();
    _notEmpty.notify_all();
    throw;
  }
  {
    std::lock_guard<std::mutex> lock(_mu);
    --_reserved;
    _records.push_back(std::move(rec));
  }
  _notEmpty.notify_one();
  return true;
}

BlobsQueue::Push BlobsQueue::tryEnqueue(const std::vector<const Tensor*>& fields) {
  checkFields(fields.size());
  std::unique_lock<std::mutex> lock(_mu);
  if (_closed) return Push::Closed;
  if (static_cast<int64_t>(_records.size()) + _reserved >= _capacity) return Push::Full;
  Record rec = takeSpare();
  for (size_t i = 0; i < fields.size(); ++i) rec[i].copyFrom(*fields[i]);
  _records.push_back(std::move(rec));
  lock.unlock();
  _notEmpty.notify_one();
  return Push::Ok;
}

bool BlobsQueue::dequeue(std::vector<Tensor*>& out, const RunContext* ctx) {
  checkFields(out.size());
  {
    std::unique_lock<std::mutex> lock(_mu);
    waitFor(lock, _notEmpty, [&] { return _failCode || !_records.empty() || (_closed && _reserved == 0); }, ctx);
    if (_failCode) throw Error(_failCode, _failMessage);
    if (_records.empty()) return false;
    Record rec = std::move(_records.front());
    _records.pop_front();
    ++_dequeued;
    for (size_t i = 0; i < out.size(); ++i) std::swap(*out[i], rec[i]);
    _spare.push_back(std::move(rec));
  }
  _notFull.notify_one();
  notifyListeners();
  return true;
}

void BlobsQueue::close() {
  {
    std::lock_guard<std::mutex> lock(_mu);
    if (_closed) return;
    _closed = true;
  }
  _notFull.notify_all();
  _notEmpty.notify_all();
  notifyListeners();
}

void BlobsQueue::fail(const char* code, std::string message) {
  {
    std::lock_guard<std::mutex> lock(_mu);
    if (!_failCode) {
      _failCode = code;
      _failMessage = std::move(message);
    }
    _closed = true;
  }
  _notFull.notify_all();
  _notEmpty.notify_all();
  notifyListeners();
}

bool BlobsQueue::closed() const {
  std::lock_guard<std::mutex> lock(_mu);
  return _closed;
}

int64_t BlobsQueue::size() const {
  std::lock_guard<std::mutex> lock(_mu);
  return static_cast<int64_t>(_records.size());
}

int64_t BlobsQueue::dequeued() const {
  std::lock_guard<std::mutex> lock(_mu);
  return _dequeued;
}

int64_t BlobsQueue::addListener(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(_listenersMu);
  int64_t id = _nextListener++;
  _listeners.emplace_back(id, std::move(fn));
  return id;
}

void BlobsQueue::removeListener(int64_t id) {
  std::lock_guard<std::mutex> lock(_listenersMu);
  for (auto it = _listeners.begin(); it != _listeners.end(); ++it) {
    if (it->first == id) {
      _listeners.erase(it);
      return;
    }
  }
}

void BlobsQueue::notifyListeners() {
  std::lock_guard<std::mutex> lock(_listenersMu);
  for (auto& l : _listeners) l.second();
}

}  // namespace hogwild::data
