#pragma once
// Model averaging across ranks for Hogwild training: a background thread that,
// every K batches or T ms, snapshots the live parameters, allreduces the
// snapshot in a staging buffer and applies w += mean - snapshot. The live
// buffers are never handed to Gloo: local Hogwild updates made during the
// round are kept, only the averaging correction is added.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "group.h"

namespace hogwild::dist {

struct ParamSpan {
  float* data;
  size_t count;
};

struct AveragerOptions {
  uint64_t everyBatches = 0;            // 0: not by batches
  std::chrono::milliseconds everyMs{0};  // 0: not by time
};

class Averager {
 public:
  Averager(std::shared_ptr<Group> group, std::vector<ParamSpan> params, AveragerOptions options);
  ~Averager();

  // Counts finished batches (any thread; cheap).
  void tick(uint64_t batches);
  // Votes to stop and joins the thread, which ends after the first round in
  // which every rank voted (until then it keeps joining its peers' rounds).
  // Blocks; call off the JS thread. Returns the error code ("" if none).
  void stop();

  uint64_t rounds() const { return rounds_.load(); }
  bool running() const { return !finished_.load(); }
  // Set once when a round failed; the thread then stops.
  std::string errorCode() const;
  std::string errorMessage() const;

 private:
  void loop();
  bool round(bool stopping);  // true: every rank voted to stop

  std::shared_ptr<Group> group_;
  std::vector<ParamSpan> params_;
  AveragerOptions options_;
  size_t total_ = 0;
  std::vector<float> snapshot_;
  std::vector<float> staging_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t pending_ = 0;
  bool stopRequested_ = false;
  bool abandoned_ = false;
  std::atomic<bool> finished_{false};
  std::atomic<uint64_t> rounds_{0};
  std::string errorCode_;
  std::string errorMessage_;
  std::thread thread_;
};

}  // namespace hogwild::dist
