#pragma once
// A cached pool of our own threads (never libuv's). submit() hands a task to an
// idle thread or spawns a new one, so a task blocked in an op (a queue wait)
// never starves the others and nested waits cannot deadlock. Idle threads exit
// after a keep-alive. One pool per N-API environment; shutdown() joins them all.
//
// Tasks must not throw (the pool swallows what escapes, as a last resort) and
// must end soon after their run is cancelled: shutdown() waits for them.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace hogwild {

class ThreadPool {
 public:
  explicit ThreadPool(std::chrono::milliseconds keepAlive = std::chrono::seconds(10));
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() { shutdown(); }

  // Runs `task` on a pool thread. Throws hogwild::Error (HOGWILD_ABORTED after
  // shutdown, HOGWILD_INTERNAL when no thread can be created).
  void submit(std::function<void()> task);
  // Runs every queued task, then joins every thread; later submits throw.
  // Idempotent. Must not be called from a pool thread.
  void shutdown();

  size_t threadCount() const;
  size_t idleCount() const;

 private:
  void workerLoop(size_t id);
  void reapExitedLocked(std::vector<std::thread>* out);

  const std::chrono::milliseconds _keepAlive;
  mutable std::mutex _mu;
  std::condition_variable _cv;
  std::deque<std::function<void()>> _queue;
  std::map<size_t, std::thread> _threads;
  std::vector<size_t> _exited;  // ids of threads that left workerLoop, still to join
  size_t _nextId = 0;
  size_t _idle = 0;
  bool _stopping = false;
};

// Waits for a fixed number of tasks. done() is the last thing a task does with
// it, so the waiter may destroy it as soon as wait() returns.
class WaitGroup {
 public:
  explicit WaitGroup(size_t count) : _pending(count) {}
  void done() {
    std::lock_guard<std::mutex> lock(_mu);
    if (--_pending == 0) _cv.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(_mu);
    _cv.wait(lock, [&] { return _pending == 0; });
  }

 private:
  std::mutex _mu;
  std::condition_variable _cv;
  size_t _pending;
};

}  // namespace hogwild
