#include "averager.h"

#include <algorithm>
#include <cstring>

#include "dist_error.h"

namespace hogwild::dist {

Averager::Averager(std::shared_ptr<Group> group, std::vector<ParamSpan> params, AveragerOptions options)
    : group_(std::move(group)), params_(std::move(params)), options_(options) {
  if (options_.everyBatches == 0 && options_.everyMs.count() <= 0)
    throw DistError(codes::kInvalidArgument, "Expected everyBatches > 0 or everyMs > 0 for model averaging");
  for (const auto& p : params_) total_ += p.count;
  // One extra slot carries the stop vote, so every rank leaves after the same round.
  snapshot_.resize(total_);
  staging_.resize(total_ + 1);
  thread_ = std::thread([this] { loop(); });
}

Averager::~Averager() {
  {
    // Dropped without stop() (process exit): leave without a last round.
    std::lock_guard<std::mutex> lock(mu_);
    abandoned_ = true;
    stopRequested_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Averager::tick(uint64_t batches) {
  if (options_.everyBatches == 0 || finished_.load()) return;
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ += batches;
    wake = pending_ >= options_.everyBatches;
  }
  if (wake) cv_.notify_all();
}

void Averager::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopRequested_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string Averager::errorCode() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errorCode_;
}

std::string Averager::errorMessage() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errorMessage_;
}

void Averager::loop() {
  auto last = std::chrono::steady_clock::now();
  for (;;) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto due = [&] {
        if (stopRequested_) return true;
        if (options_.everyBatches > 0 && pending_ >= options_.everyBatches) return true;
        return options_.everyMs.count() > 0 && std::chrono::steady_clock::now() - last >= options_.everyMs;
      };
      if (options_.everyMs.count() > 0) {
        while (!due()) cv_.wait_until(lock, last + options_.everyMs);
      } else {
        cv_.wait(lock, due);
      }
      if (abandoned_) break;
      stopping = stopRequested_;
      pending_ = 0;
    }
    bool allStop;
    try {
      allStop = round(stopping);
    } catch (...) {
      auto c = classifyCurrent(Phase::Collective, "Model averaging round " + std::to_string(rounds_.load() + 1));
      std::lock_guard<std::mutex> lock(mu_);
      errorCode_ = c.code;
      errorMessage_ = c.message;
      break;
    }
    rounds_.fetch_add(1);
    last = std::chrono::steady_clock::now();
    // A rank that asked to stop keeps joining its peers' rounds (back to back:
    // it no longer waits for a trigger) until every rank has asked, so the last
    // round's snapshots hold every rank's last update and the replicas end equal.
    if (allStop) break;
  }
  finished_.store(true);
}

bool Averager::round(bool stopping) {
  size_t at = 0;
  for (const auto& p : params_) {
    std::memcpy(snapshot_.data() + at, p.data, p.count * sizeof(float));
    at += p.count;
  }
  std::memcpy(staging_.data(), snapshot_.data(), total_ * sizeof(float));
  staging_[total_] = stopping ? 1.0f : 0.0f;
  group_->allreduce(staging_.data(), staging_.size(), ReduceOp::Sum, kAveragerTag);
  const float inv = 1.0f / static_cast<float>(group_->size());
  at = 0;
  for (const auto& p : params_) {
    for (size_t i = 0; i < p.count; ++i) p.data[i] += staging_[at + i] * inv - snapshot_[at + i];
    at += p.count;
  }
  return staging_[total_] >= static_cast<float>(group_->size());
}

}  // namespace hogwild::dist
