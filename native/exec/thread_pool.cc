#include "thread_pool.h"

#include <system_error>

#include "../core/error.h"

namespace hogwild {

ThreadPool::ThreadPool(std::chrono::milliseconds keepAlive) : _keepAlive(keepAlive) {}

void ThreadPool::reapExitedLocked(std::vector<std::thread>* out) {
  for (size_t id : _exited) {
    auto it = _threads.find(id);
    if (it == _threads.end()) continue;
    out->push_back(std::move(it->second));
    _threads.erase(it);
  }
  _exited.clear();
}

void ThreadPool::submit(std::function<void()> task) {
  std::vector<std::thread> finished;
  {
    std::lock_guard<std::mutex> lock(_mu);
    HW_CHECK(!_stopping, codes::kAborted, "The native thread pool is shut down");
    reapExitedLocked(&finished);
    _queue.push_back(std::move(task));
    if (_queue.size() <= _idle) {
      _cv.notify_one();
    } else {
      size_t id = _nextId++;
      try {
        _threads.emplace(id, std::thread([this, id] { workerLoop(id); }));
      } catch (const std::system_error& e) {
        _queue.pop_back();
        HW_THROW(codes::kInternal, "Could not start a native thread: " << e.what());
      }
    }
  }
  // Threads that timed out have left workerLoop; joining them is quick.
  for (auto& t : finished) t.join();
}

void ThreadPool::workerLoop(size_t id) {
  std::unique_lock<std::mutex> lock(_mu);
  for (;;) {
    if (!_queue.empty()) {
      std::function<void()> task = std::move(_queue.front());
      _queue.pop_front();
      lock.unlock();
      try {
        task();
      } catch (...) {
        // Tasks report their own errors; nothing may escape a thread (docs/reliability.md §5).
      }
      task = nullptr;  // destroy captures before taking the lock again
      lock.lock();
      continue;
    }
    if (_stopping) break;
    ++_idle;
    bool woke = _cv.wait_for(lock, _keepAlive, [&] { return !_queue.empty() || _stopping; });
    --_idle;
    if (!woke) break;  // idle for the keep-alive: give the thread back
  }
  _exited.push_back(id);
}

void ThreadPool::shutdown() {
  std::vector<std::thread> all;
  {
    std::lock_guard<std::mutex> lock(_mu);
    _stopping = true;
    _cv.notify_all();
    for (auto& kv : _threads) all.push_back(std::move(kv.second));
    _threads.clear();
    _exited.clear();
  }
  for (auto& t : all) {
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();  // misuse guard: a thread cannot join itself
    } else if (t.joinable()) {
      t.join();
    }
  }
}

size_t ThreadPool::threadCount() const {
  std::lock_guard<std::mutex> lock(_mu);
  size_t exited = 0;
  for (size_t id : _exited) exited += _threads.count(id);
  return _threads.size() - exited;
}

size_t ThreadPool::idleCount() const {
  std::lock_guard<std::mutex> lock(_mu);
  return _idle;
}

}  // namespace hogwild
