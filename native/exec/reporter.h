#pragma once
// Report steps (runEveryMs): each runs on a pool thread every period while its
// parent step runs, and once more when the parent ends (Caffe2's Reporter),
// unless the run failed or was cancelled. Executor internals.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "run_state.h"

namespace hogwild {
namespace exec_detail {

class Reporter {
 public:
  struct Task {
    int64_t everyMs;
    std::function<void()> run;  // runs the report step; throws like any step
  };
  // Starts one pool task per report step; failures are recorded in `st`.
  Reporter(std::vector<Task> tasks, RunState& st);
  // Joins the report tasks; `finalRun`: each runs once more first.
  void stop(bool finalRun);

 private:
  void loop(const Task& task);

  std::vector<Task> _tasks;
  RunState& _st;
  std::mutex _mu;
  std::condition_variable _cv;
  bool _done = false;
  bool _finalRun = false;
  WaitGroup _wg;
};

}  // namespace exec_detail
}  // namespace hogwild
