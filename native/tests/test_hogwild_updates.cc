// Hogwild! on shared rows: threads, each with its own child workspace (as Executor instances
// have), read rows with SparseLengthsSum and update them with SparseAdagrad / Adagrad /
// ScatterWeightedSum, without locks. The races are intended (kernels/hogwild_updates.h).
//
// Under ThreadSanitizer (cmake -DHOGWILD_SANITIZE=thread):
//   plain build:   reports races unless TSAN_OPTIONS=suppressions=native/tests/tsan.supp;
//                  with it, clean (every report has a frame in kernels::<isa>::racy)
//   relaxed build: -DHOGWILD_RELAXED_UPDATES=ON, clean with no suppressions at all.
#include <atomic>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "../kernels/hogwild_updates.h"
#include "check.h"
#include "sparse_test_util.h"

using namespace hogwild;
using namespace sparsetest;

namespace {

constexpr int kThreads = 4;
constexpr int64_t kRows = 24, kDim = 16, kBatch = 6;

float target(int64_t r, int64_t j) { return std::sin(static_cast<float>(r * kDim + j)); }

// Runs body(threadIndex, startGate) on kThreads threads; the body calls startGate() once its
// setup is done, so the update loops overlap. Returns the first error message ("" if none).
template <class F> std::string onThreads(F body) {
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  std::atomic<int> ready{0};
  auto startGate = [&ready] {
    ready.fetch_add(1);
    while (ready.load() < kThreads) std::this_thread::yield();
  };
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      bool gated = false;
      try {
        body(t, [&] {
          gated = true;
          startGate();
        });
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(t)] = e.what();
        if (!gated) ready.fetch_add(1);  // never leave the others waiting at the gate
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors)
    if (!e.empty()) return e;
  return "";
}

}  // namespace

TEST(threads_fit_shared_rows_with_sparse_adagrad) {
  Workspace parent;
  feedF(parent, "w", {kRows, kDim}, std::vector<float>(static_cast<size_t>(kRows * kDim), 0.f));
  feedF(parent, "h", {kRows, kDim}, std::vector<float>(static_cast<size_t>(kRows * kDim), 0.f));
  const int iters = 4000;
  const std::string err = onThreads([&](int t, auto startGate) {
    Workspace ws(&parent);
    std::mt19937 rng(100 + static_cast<unsigned>(t));
    std::uniform_int_distribution<int> pick(0, kRows - 1);
    feed<int32_t>(ws, "ids", {kBatch}, std::vector<int32_t>(kBatch, 0));
    feed<int32_t>(ws, "len", {kBatch}, std::vector<int32_t>(kBatch, 1));
    feedF(ws, "g", {kBatch, kDim}, std::vector<float>(static_cast<size_t>(kBatch * kDim), 0.f));
    feedScalar(ws, "lr", -0.5f);
    auto read = create(ws, makeOp("SparseLengthsSum", {"w", "ids", "len"}, {"rows"}));
    auto update = create(ws, makeOp("SparseAdagrad", {"w", "h", "ids", "g", "lr"}, {"w", "h"}));
    RunContext ctx;
    int32_t* ids = ws.getBlob("ids").mutableTensor().data<int32_t>();
    float* g = ws.getBlob("g").mutableTensor().data<float>();
    startGate();
    for (int it = 0; it < iters; ++it) {
      for (int64_t k = 0; k < kBatch; ++k) ids[k] = pick(rng);
      read->run(ctx);  // rows = w[ids] (a read of shared rows)
      const float* rows = ws.getBlob("rows").tensor("rows").data<float>();
      for (int64_t k = 0; k < kBatch; ++k)  // gradient of 0.5 * |w[r] - target[r]|^2
        for (int64_t j = 0; j < kDim; ++j) g[k * kDim + j] = rows[k * kDim + j] - target(ids[k], j);
      update->run(ctx);
    }
  });
  CHECK(err.empty());
  if (!err.empty()) std::fprintf(stderr, "  %s\n", err.c_str());
  const std::vector<float> w = fetch(parent, "w");
  double worst = 0;
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t j = 0; j < kDim; ++j) worst = std::max(worst, std::fabs(static_cast<double>(w[static_cast<size_t>(r * kDim + j)]) - target(r, j)));
  std::fprintf(stderr, "  %d threads x %d steps: max |w - target| = %.2e (%s updates)\n", kThreads, iters, worst,
               kernels::kRelaxedUpdates ? "relaxed" : "plain");
  CHECK(worst < 1e-2);
  for (float x : fetch(parent, "h")) CHECK(std::isfinite(x) && x >= 0);
}

TEST(threads_share_a_dense_parameter_and_scatter_rows) {
  Workspace parent;
  feedF(parent, "b", {kDim}, std::vector<float>(kDim, 1.f));
  feedF(parent, "hb", {kDim}, std::vector<float>(kDim, 0.f));
  feedF(parent, "table", {kRows, kDim}, std::vector<float>(static_cast<size_t>(kRows * kDim), 0.f));
  feedScalar(parent, "one", 1.f);
  std::atomic<int> steps{0};
  const std::string err = onThreads([&](int t, auto startGate) {
    Workspace ws(&parent);
    std::mt19937 rng(7 + static_cast<unsigned>(t));
    feedF(ws, "gb", {kDim}, randomFloats(rng, kDim));
    feedScalar(ws, "lr", -0.01f);
    feed<int64_t>(ws, "ids", {kBatch}, {0, 1, 2, 0, 1, 2});  // every thread hits rows 0..2, duplicates too
    feedF(ws, "x", {kBatch, kDim}, std::vector<float>(static_cast<size_t>(kBatch * kDim), 0.001f));
    auto adagrad = create(ws, makeOp("Adagrad", {"b", "hb", "gb", "lr"}, {"b", "hb"}));
    auto scatter = create(ws, makeOp("ScatterWeightedSum", {"table", "one", "ids", "x", "lr"}, {"table"}));
    RunContext ctx;
    startGate();
    for (int it = 0; it < 500; ++it) {
      adagrad->run(ctx);
      scatter->run(ctx);
      steps.fetch_add(1, std::memory_order_relaxed);
    }
  });
  CHECK(err.empty());
  CHECK(steps.load() == kThreads * 500);
  for (float x : fetch(parent, "b")) CHECK(std::isfinite(x));
  const std::vector<float> table = fetch(parent, "table");
  // Each of rows 0..2 got up to 2 * 500 * 4 additions of -1e-5; lost updates make it less.
  for (int64_t j = 0; j < 3 * kDim; ++j) CHECK(table[static_cast<size_t>(j)] < 0 && table[static_cast<size_t>(j)] >= -0.0401f);
  for (size_t j = 3 * kDim; j < table.size(); ++j) CHECK(table[j] == 0.f);
}

HWTEST_MAIN()
