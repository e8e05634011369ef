#include "reporter.h"

#include <chrono>

namespace hogwild {
namespace exec_detail {

Reporter::Reporter(std::vector<Task> tasks, RunState& st) : _tasks(std::move(tasks)), _st(st), _wg(_tasks.size()) {
  for (const Task& task : _tasks) {
    try {
      st.pool.submit([this, &task] { loop(task); });
    } catch (...) {
      st.failCurrent();
      _wg.done();
    }
  }
}

void Reporter::stop(bool finalRun) {
  {
    std::lock_guard<std::mutex> lock(_mu);
    _done = true;
    _finalRun = finalRun;
    _cv.notify_all();
  }
  _wg.wait();
}

void Reporter::loop(const Task& task) {
  const auto period = std::chrono::milliseconds(task.everyMs);
  std::unique_lock<std::mutex> lock(_mu);
  for (;;) {
    _cv.wait_for(lock, period, [&] { return _done; });
    const bool last = _done;
    if (last && !_finalRun) break;
    lock.unlock();
    if (!_st.stopped()) {
      try {
        task.run();
      } catch (...) {
        _st.failCurrent();
      }
    }
    lock.lock();
    if (last) break;
  }
  lock.unlock();
  _wg.done();  // last touch of *this: stop() may return and destroy it
}

}  // namespace exec_detail
}  // namespace hogwild
