// The plan executor and its thread pool (docs/caffe2.md §1.3), with test-only ops.
// Runs clean under ThreadSanitizer with no suppressions: test ops share state
// only through atomics, and each tensor blob is written by one thread.
#include <atomic>
#include <chrono>
#include <climits>
#include <mutex>
#include <thread>

#include "../exec/executor.h"
#include "../exec/thread_pool.h"
#include "../ops/registry.h"
#include "check.h"

using namespace hogwild;
using Clock = std::chrono::steady_clock;

namespace {

// Slots the test ops count in; reset by each test.
std::atomic<int64_t> g_slot[16];
void resetSlots() {
  for (auto& s : g_slot) s.store(0);
}
int64_t slot(int i) { return g_slot[i].load(); }

// ---- Test ops ----

// Output 0 (an int64 scalar, created at 0) += 1.
class IncrOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override {
    Tensor& t = output(0);
    if (t.dtype() != DType::Int64 || t.numel() != 1) {
      t.resize(DType::Int64, {});
      *t.data<int64_t>() = 0;
    }
    ++*t.data<int64_t>();
  }
};
HW_REGISTER_OP(TestIncr, IncrOp).outputs(1);

// g_slot[slot] += 1; with `max`, g_slot[max] = max(g_slot[max], value of input 0).
class BumpOp final : public Operator {
 public:
  BumpOp(const OperatorDef& d, Workspace& ws) : Operator(d, ws), _slot(argInt("slot", 0)), _max(argInt("max", -1)) {}
  void run(RunContext&) override {
    g_slot[_slot].fetch_add(1);
    if (_max >= 0) {
      int64_t v = *input(0).data<int64_t>();
      int64_t cur = g_slot[_max].load();
      while (v > cur && !g_slot[_max].compare_exchange_weak(cur, v)) {
      }
    }
  }

 private:
  int64_t _slot, _max;
};
HW_REGISTER_OP(TestBump, BumpOp).inputs(0, 1).argList({"slot", "max"});

// Output 0 (bool scalar) = this op object has run `after` times.
class StopAfterOp final : public Operator {
 public:
  StopAfterOp(const OperatorDef& d, Workspace& ws) : Operator(d, ws), _after(argInt("after", 1)) {}
  void run(RunContext&) override {
    Tensor& t = output(0);
    t.resize(DType::Bool, {});
    *t.data<bool>() = ++_runs >= _after;
  }

 private:
  int64_t _after, _runs = 0;
};
HW_REGISTER_OP(TestStopAfter, StopAfterOp).outputs(1).arg("after");

class FailOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override { fail(codes::kOpFailed, argString("message", "boom")); }
};
HW_REGISTER_OP(TestFail, FailOp).arg("message");

class ThrowStdOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override { throw std::runtime_error("plain std exception"); }
};
HW_REGISTER_OP(TestThrowStd, ThrowStdOp);

// Waits until `parties` ops have arrived at g_slot[slot]: passes only if they overlap.
class RendezvousOp final : public Operator {
 public:
  RendezvousOp(const OperatorDef& d, Workspace& ws)
      : Operator(d, ws), _slot(argInt("slot", 0)), _parties(argInt("parties", 2)) {}
  void run(RunContext& ctx) override {
    g_slot[_slot].fetch_add(1);
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (g_slot[_slot].load() < _parties) {
      if (ctx.isCancelled()) fail(codes::kAborted, "aborted");
      if (Clock::now() > deadline) fail(codes::kOpFailed, "peers never arrived: substeps did not overlap");
      std::this_thread::yield();
    }
  }

 private:
  int64_t _slot, _parties;
};
HW_REGISTER_OP(TestRendezvous, RendezvousOp).argList({"slot", "parties"});

// Sets bit (ctx.instance) of g_slot[slot]; with an input, bit (value of input 0) instead.
class InstanceBitOp final : public Operator {
 public:
  InstanceBitOp(const OperatorDef& d, Workspace& ws) : Operator(d, ws), _slot(argInt("slot", 0)) {}
  void run(RunContext& ctx) override {
    int64_t bit = numInputs() ? *input(0).data<int64_t>() : ctx.instance;
    g_slot[_slot].fetch_or(int64_t{1} << bit);
  }

 private:
  int64_t _slot;
};
HW_REGISTER_OP(TestInstanceBit, InstanceBitOp).inputs(0, 1).arg("slot");

// Output 0 = ctx.instance (int64 scalar).
class WriteInstanceOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext& ctx) override {
    Tensor& t = output(0);
    t.resize(DType::Int64, {});
    *t.data<int64_t>() = ctx.instance;
  }
};
HW_REGISTER_OP(TestWriteInstance, WriteInstanceOp).outputs(1);

// A blob object with an atomic count, shared by instances through the parent workspace.
class SharedCount final : public BlobObject {
 public:
  static constexpr const char* kKind = "testSharedCount";
  const char* kind() const override { return kKind; }
  std::atomic<int64_t> n{0};
};
class SharedBumpOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override { inputBlob(0).object<SharedCount>(inputName(0)).n.fetch_add(1); }
};
HW_REGISTER_OP(TestSharedBump, SharedBumpOp).inputs(1);

// Blocks until the run is cancelled.
class BlockOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext& ctx) override {
    g_slot[15].fetch_add(1);
    while (!ctx.isCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    fail(codes::kAborted, "aborted");
  }
};
HW_REGISTER_OP(TestBlock, BlockOp);

// ---- Plan building helpers ----

OperatorDef op(std::string type, std::vector<std::string> in, std::vector<std::string> out,
               std::map<std::string, Argument> args = {}) {
  return makeOp(std::move(type), std::move(in), std::move(out), std::move(args));
}
NetDef net(std::string name, std::vector<OperatorDef> ops) { return NetDef{std::move(name), std::move(ops)}; }
StepDef netStep(std::string name, std::vector<std::string> nets, int64_t numIter = -1) {
  StepDef s;
  s.name = std::move(name);
  s.nets = std::move(nets);
  s.numIter = numIter;
  return s;
}
StepDef parent(std::string name, std::vector<StepDef> subs) {
  StepDef s;
  s.name = std::move(name);
  s.substeps = std::move(subs);
  return s;
}
Argument I(int64_t v) { return Argument::ofInt(v); }

int64_t scalar(const Workspace& ws, const std::string& name) { return *ws.getBlob(name).tensor(name).data<int64_t>(); }

struct Run {
  std::vector<Report> reports;
  std::mutex mu;
  ReportSink sink() {
    return [this](const Report& r) {
      std::lock_guard<std::mutex> lock(mu);
      reports.push_back(r);
    };
  }
};

void run(PlanDef def, Workspace& ws, ThreadPool* pool = nullptr, ReportSink sink = nullptr) {
  CompiledPlan plan(std::move(def));
  CancelToken token;
  runPlan(plan, ws, token, sink, pool);
}

std::string errorMessage(const std::function<void()>& f, std::string* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

}  // namespace

// ---- Iterations and stop blobs ----

TEST(iteration_counts) {
  Workspace ws;
  PlanDef p{"p", {net("inc_a", {op("TestIncr", {}, {"a"})}), net("inc_b", {op("TestIncr", {}, {"b"})}),
                  net("inc_c", {op("TestIncr", {}, {"c"})})},
            {}};
  p.steps.push_back(netStep("five", {"inc_a"}, 5));
  StepDef outer = parent("outer", {netStep("twice", {"inc_b"}, 2), netStep("once", {"inc_c"})});
  outer.numIter = 3;
  p.steps.push_back(outer);
  p.steps.push_back(netStep("zero", {"inc_a"}, 0));
  run(p, ws);
  CHECK(scalar(ws, "a") == 5);
  CHECK(scalar(ws, "b") == 6);
  CHECK(scalar(ws, "c") == 3);
}

TEST(zero_iterations_still_instantiate_nets) {
  Workspace ws;
  run(PlanDef{"p", {net("n", {op("TestIncr", {}, {"made"})})}, {netStep("s", {"n"}, 0)}}, ws);
  CHECK(ws.hasBlob("made"));
  CHECK(ws.getBlob("made").tensorOrNull() == nullptr);
}

TEST(stop_blob_checked_after_every_net) {
  Workspace ws;
  PlanDef p{"p", {net("n1", {op("TestIncr", {}, {"a"}), op("TestStopAfter", {}, {"stop"}, {{"after", I(3)}})}),
                  net("n2", {op("TestIncr", {}, {"b"})})},
            {}};
  StepDef s = netStep("loop", {"n1", "n2"});
  s.shouldStopBlob = "stop";
  p.steps.push_back(s);
  run(p, ws);
  CHECK(scalar(ws, "a") == 3);
  CHECK(scalar(ws, "b") == 2);  // the third n2 never ran: the check follows n1
}

TEST(stop_blob_with_substeps_and_bounds) {
  Workspace ws;
  PlanDef p{"p", {net("inc", {op("TestIncr", {}, {"a"})}), net("stop", {op("TestStopAfter", {}, {"stop"}, {{"after", I(4)}})}),
                  net("inc2", {op("TestIncr", {}, {"b"})}), net("never", {op("TestStopAfter", {}, {"never"}, {{"after", I(1000)}})})},
            {}};
  StepDef seq = parent("seq", {netStep("i", {"inc"}), netStep("s", {"stop"})});
  seq.shouldStopBlob = "stop";
  p.steps.push_back(seq);
  StepDef bounded = netStep("bounded", {"inc2", "never"}, 7);  // numIter bounds a stop-blob loop
  bounded.shouldStopBlob = "never";
  p.steps.push_back(bounded);
  StepDef once = netStep("once", {"inc2", "never"});
  once.shouldStopBlob = "never";
  once.onlyOnce = true;
  p.steps.push_back(once);
  run(p, ws);
  CHECK(scalar(ws, "a") == 4);
  CHECK(scalar(ws, "b") == 8);
}

TEST(stop_blob_errors) {
  Workspace ws;
  std::string code;
  StepDef s = netStep("s", {"n"});
  s.shouldStopBlob = "nowhere";
  std::string msg = errorMessage([&] { run(PlanDef{"p", {net("n", {op("TestIncr", {}, {"a"})})}, {s}}, ws); }, &code);
  CHECK(code == std::string(codes::kMissingBlob));
  CHECK(msg.find("nowhere") != std::string::npos);
  s.shouldStopBlob = "a";  // int64, not bool
  msg = errorMessage([&] { run(PlanDef{"p", {net("n", {op("TestIncr", {}, {"a"})})}, {s}}, ws); }, &code);
  CHECK(code == std::string(codes::kDtypeMismatch));
}

// ---- Concurrency ----

TEST(concurrent_substeps_overlap) {
  resetSlots();
  Workspace ws;
  PlanDef p{"p", {net("r", {op("TestRendezvous", {}, {}, {{"slot", I(0)}, {"parties", I(3)}})})}, {}};
  StepDef c = parent("c", {netStep("a", {"r"}), netStep("b", {"r"}), netStep("c", {"r"})});
  c.concurrentSubsteps = true;
  p.steps.push_back(c);
  run(p, ws);
  CHECK(slot(0) == 3);
}

TEST(concurrent_instances_overlap_and_are_numbered) {
  resetSlots();
  Workspace ws;
  PlanDef p{"p", {net("r", {op("TestRendezvous", {}, {}, {{"slot", I(0)}, {"parties", I(8)}}),
                            op("TestInstanceBit", {}, {}, {{"slot", I(1)}})})},
            {}};
  StepDef c = parent("c", {netStep("w", {"r"})});
  c.numConcurrentInstances = 8;
  p.steps.push_back(c);
  ThreadPool pool;
  run(p, ws, &pool);
  CHECK(slot(0) == 8);
  CHECK(slot(1) == 0xff);
}

TEST(instance_workspaces_isolate_new_blobs_and_share_parent_blobs) {
  resetSlots();
  Workspace ws;
  auto shared = std::make_shared<SharedCount>();
  ws.createBlob("shared").setObject(shared);
  PlanDef p{"p", {net("w", {op("TestWriteInstance", {}, {"local"}), op("TestSharedBump", {"shared"}, {}),
                            op("TestInstanceBit", {"local"}, {}, {{"slot", I(0)}}),
                            op("TestRendezvous", {}, {}, {{"slot", I(1)}, {"parties", I(4)}}),
                            // After all wrote `local`: each still reads its own value.
                            op("TestInstanceBit", {"local"}, {}, {{"slot", I(2)}})})},
            {}};
  StepDef worker = netStep("worker", {"w"});
  worker.createWorkspace = true;
  StepDef c = parent("c", {worker});
  c.numConcurrentInstances = 4;
  c.numIter = 2;
  p.steps.push_back(c);
  run(p, ws);
  CHECK(!ws.hasBlob("local"));
  CHECK(shared->n.load() == 8);
  CHECK(slot(0) == 0xf);
  CHECK(slot(2) == 0xf);
}

TEST(create_workspace_is_fresh_per_execution) {
  resetSlots();
  Workspace ws;
  PlanDef p{"p", {net("n", {op("TestIncr", {}, {"tmp"}), op("TestBump", {"tmp"}, {}, {{"slot", I(0)}, {"max", I(1)}})})}, {}};
  StepDef inner = netStep("inner", {"n"});
  inner.createWorkspace = true;
  StepDef outer = parent("outer", {inner});
  outer.numIter = 3;
  p.steps.push_back(outer);
  run(p, ws);
  CHECK(slot(0) == 3);
  CHECK(slot(1) == 1);  // tmp never carried over
  CHECK(!ws.hasBlob("tmp"));
}

TEST(nested_concurrency) {
  resetSlots();
  Workspace ws;
  PlanDef p{"p", {net("r", {op("TestRendezvous", {}, {}, {{"slot", I(0)}, {"parties", I(4)}})})}, {}};
  StepDef inner = parent("inner", {netStep("x", {"r"}), netStep("y", {"r"})});
  inner.concurrentSubsteps = true;
  StepDef outer = parent("outer", {inner});
  outer.numConcurrentInstances = 2;
  p.steps.push_back(outer);
  run(p, ws);
  CHECK(slot(0) == 4);
}

// ---- Report steps ----

TEST(report_steps_run_periodically_and_once_at_the_end) {
  resetSlots();
  Workspace ws;
  PlanDef p{"p", {net("work", {op("Sleep", {}, {}, {{"ms", I(150)}}), op("TestBump", {}, {}, {{"slot", I(0)}})}),
                  net("rep", {op("TestIncr", {}, {"ticks"}), op("TestBump", {"ticks"}, {}, {{"slot", I(1)}, {"max", I(2)}})})},
            {}};
  StepDef report = netStep("report", {"rep"});
  report.runEveryMs = 20;
  report.reportBlobs = {"ticks", "missing"};
  p.steps.push_back(parent("main", {netStep("work", {"work"}), report}));
  Run r;
  run(p, ws, nullptr, r.sink());
  int64_t ticks = scalar(ws, "ticks");
  CHECK(ticks >= 3);  // ~7 periods in 150 ms; lenient for a loaded machine
  CHECK(static_cast<int64_t>(r.reports.size()) == ticks);
  CHECK(r.reports.back().step == "report");
  CHECK(r.reports.back().values.at(0) == static_cast<double>(ticks));
  CHECK(std::isnan(r.reports.back().values.at(1)));
  CHECK(slot(0) == 1);
}

TEST(report_step_final_run_sees_the_end) {
  resetSlots();
  Workspace ws;
  // The report period is far longer than the work: only the final run happens, after the work.
  PlanDef p{"p", {net("work", {op("TestIncr", {}, {"done"})}), net("rep", {op("TestBump", {"done"}, {}, {{"slot", I(0)}, {"max", I(1)}})})}, {}};
  StepDef report = netStep("report", {"rep"});
  report.runEveryMs = 100000;
  p.steps.push_back(parent("main", {netStep("work", {"work"}), report}));
  run(p, ws);
  CHECK(slot(0) == 1);
  CHECK(slot(1) == 1);
}

TEST(report_step_failure_fails_the_run) {
  Workspace ws;
  PlanDef p{"p", {net("work", {op("Sleep", {}, {}, {{"ms", I(2000)}})}), net("rep", {op("TestFail", {}, {}, {{"message", Argument::ofString("bad report")}})})}, {}};
  StepDef report = netStep("report", {"rep"});
  report.runEveryMs = 10;
  p.steps.push_back(parent("main", {netStep("work", {"work"}), report}));
  auto t0 = Clock::now();
  std::string code;
  std::string msg = errorMessage([&] { run(p, ws); }, &code);
  CHECK(code == std::string(codes::kOpFailed));
  CHECK(msg.find("bad report") != std::string::npos);
  CHECK(Clock::now() - t0 < std::chrono::milliseconds(1500));
}

// ---- Failures and cancellation ----

TEST(first_error_cancels_the_rest) {
  resetSlots();
  Workspace ws;
  PlanDef p{"p", {net("slow", {op("Sleep", {}, {}, {{"ms", I(5)}}), op("TestBump", {}, {}, {{"slot", I(0)}})}),
                  net("bad", {op("Sleep", {}, {}, {{"ms", I(30)}}), op("TestFail", {}, {}, {{"message", Argument::ofString("boom 42")}})}),
                  net("after", {op("TestBump", {}, {}, {{"slot", I(1)}})})},
            {}};
  StepDef c = parent("c", {netStep("slow", {"slow"}, 1000), netStep("bad", {"bad"})});
  c.concurrentSubsteps = true;
  p.steps.push_back(c);
  p.steps.push_back(netStep("after", {"after"}));
  auto t0 = Clock::now();
  std::string code;
  std::string msg = errorMessage([&] { run(p, ws); }, &code);
  CHECK(code == std::string(codes::kOpFailed));
  CHECK(msg.find("boom 42") != std::string::npos);
  CHECK(msg.find("Net 'bad'") != std::string::npos);
  CHECK(Clock::now() - t0 < std::chrono::seconds(2));  // 1000 x 5 ms would take 5 s
  CHECK(slot(0) < 900);
  CHECK(slot(1) == 0);
}

TEST(std_exceptions_become_errors) {
  Workspace ws;
  std::string code;
  std::string msg = errorMessage([&] { run(PlanDef{"p", {net("n", {op("TestThrowStd", {}, {})})}, {netStep("s", {"n"})}}, ws); }, &code);
  CHECK(code == std::string(codes::kOpFailed));
  CHECK(msg.find("plain std exception") != std::string::npos);
}

TEST(cancel_aborts_and_workspace_stays_usable) {
  resetSlots();
  Workspace ws;
  ThreadPool pool;
  PlanDef p{"p", {net("block", {op("TestBlock", {}, {})}), net("spin", {op("TestIncr", {}, {"spins"})})}, {}};
  StepDef spin = netStep("spin", {"spin"}, INT64_MAX / 2);
  spin.createWorkspace = true;  // each instance counts in its own blob
  StepDef c = parent("c", {netStep("b", {"block"}), spin});
  c.concurrentSubsteps = true;
  c.numConcurrentInstances = 2;
  p.steps.push_back(c);
  CompiledPlan plan(p);
  CancelToken token;
  std::thread canceller([&] {
    while (slot(15) < 2) std::this_thread::yield();
    token.cancel();
  });
  std::string code;
  errorMessage([&] { runPlan(plan, ws, token, nullptr, &pool); }, &code);
  canceller.join();
  CHECK(code == std::string(codes::kAborted));
  run(PlanDef{"again", {net("n", {op("TestIncr", {}, {"after"})})}, {netStep("s", {"n"})}}, ws, &pool);
  CHECK(scalar(ws, "after") == 1);
}

TEST(cancelled_before_start_runs_nothing) {
  Workspace ws;
  CompiledPlan plan(PlanDef{"p", {net("n", {op("TestIncr", {}, {"a"})})}, {netStep("s", {"n"})}});
  CancelToken token;
  token.cancel();
  CHECK_THROWS_CODE(runPlan(plan, ws, token, nullptr), codes::kAborted);
  CHECK(!ws.hasBlob("a"));
}

TEST(report_sink_exception_fails_the_run) {
  Workspace ws;
  StepDef s = netStep("s", {"n"});
  s.reportBlobs = {"a"};
  CompiledPlan plan(PlanDef{"p", {net("n", {op("TestIncr", {}, {"a"})})}, {s}});
  CancelToken token;
  ReportSink bad = [](const Report&) { throw std::runtime_error("sink broke"); };
  CHECK_THROWS_CODE(runPlan(plan, ws, token, bad), codes::kInternal);
}

// ---- Plan validation ----

TEST(compile_rejects_bad_plans) {
  auto step = [](std::vector<std::string> nets) { return netStep("s", std::move(nets)); };
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {net("n", {op("NoSuchOp", {}, {})})}, {}}), codes::kUnknownOp);
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {net("n", {op("TestIncr", {}, {"a"}, {{"bogus", I(1)}})})}, {}}), codes::kUnknownArgument);
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {net("n", {op("TestIncr", {}, {})})}, {}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {net("n", {}), net("n", {})}, {}}), codes::kInvalidPlan);
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {}, {step({"missing"})}}), codes::kInvalidPlan);
  StepDef both = parent("both", {step({})});
  both.nets = {"n"};
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {net("n", {})}, {both}}), codes::kInvalidPlan);
  StepDef many = parent("many", {step({}), step({})});
  many.numConcurrentInstances = kMaxConcurrentThreads;
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {}, {many}}), codes::kInvalidPlan);
  many.numConcurrentInstances = 0;
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {}, {many}}), codes::kInvalidPlan);
  StepDef deep = step({});
  for (int i = 0; i < kMaxStepDepth + 1; ++i) deep = parent("d", {deep});
  CHECK_THROWS_CODE(CompiledPlan(PlanDef{"p", {}, {deep}}), codes::kInvalidPlan);
}

TEST(op_instantiation_errors_name_the_net) {
  Workspace ws;
  std::string msg = errorMessage([&] {
    run(PlanDef{"p", {net("n", {op("Sleep", {}, {}, {{"ms", Argument::ofFloat(-1)}})})}, {netStep("s", {"n"})}}, ws);
  });
  CHECK(msg.find("Net 'n'") != std::string::npos);
}

// Many runs on one pool, cancelled at random points: no leaks, no hangs, no races.
TEST(stress_runs_with_cancellation) {
  ThreadPool pool;
  Workspace root;
  auto shared = std::make_shared<SharedCount>();
  root.createBlob("shared").setObject(shared);
  PlanDef p{"p", {net("w", {op("TestIncr", {}, {"local"}), op("TestSharedBump", {"shared"}, {}), op("Sleep", {}, {}, {{"ms", I(1)}})}),
                  net("rep", {op("TestIncr", {}, {"ticks"})})},
            {}};
  StepDef worker = netStep("worker", {"w"}, 20);
  worker.createWorkspace = true;
  StepDef report = netStep("report", {"rep"});
  report.runEveryMs = 3;
  report.reportBlobs = {"ticks"};
  StepDef c = parent("c", {worker, report});
  c.numConcurrentInstances = 3;
  c.createWorkspace = true;
  p.steps.push_back(c);
  CompiledPlan plan(p);
  for (int i = 0; i < 30; ++i) {
    CancelToken token;
    std::atomic<int> reports{0};
    std::thread canceller([&, i] {
      std::this_thread::sleep_for(std::chrono::milliseconds(i % 10 * 3));
      if (i % 3) token.cancel();
    });
    try {
      runPlan(plan, root, token, [&](const Report&) { reports.fetch_add(1); }, &pool);
    } catch (const Error& e) {
      CHECK(std::string(e.code()) == codes::kAborted);
    }
    canceller.join();
  }
  CHECK(root.localBlobNames().size() == 1);  // only `shared`: children kept theirs
}

HWTEST_MAIN()
