// Bookkeeping ops: counters, timers, Iter/AtomicIter, GetAllBlobNames, IsEmpty,
// Print, Copy, and the object kinds behind them (docs/caffe2.md §11).
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "../core/objects.h"
#include "op_test_util.h"

using namespace hwtest;

namespace {
Argument I(int64_t v) { return Argument::ofInt(v); }
Counter& counterIn(Workspace& ws, const std::string& name) { return ws.getBlob(name).object<Counter>(name); }
}  // namespace

TEST(counter_count_down_goes_negative) {
  Workspace ws;
  run(ws, makeOp("CreateCounter", {}, {"c"}, {{"init_count", I(2)}}));
  auto net = build(ws, {makeOp("CountDown", {"c"}, {"done"})});
  RunContext ctx;
  std::vector<double> seen;
  for (int i = 0; i < 4; ++i) {
    net->run(ctx);
    seen.push_back(scalar(ws, "done"));
    CHECK(shapeOf(ws, "done").empty() && dtypeOf(ws, "done") == DType::Bool);
  }
  CHECK((seen == std::vector<double>{0, 0, 1, 1}));
  run(ws, makeOp("RetrieveCount", {"c"}, {"n"}));
  CHECK(scalar(ws, "n") == -2 && dtypeOf(ws, "n") == DType::Int64);
  run(ws, makeOp("CheckCounterDone", {"c"}, {"d"}));
  CHECK(scalar(ws, "d") == 1);
}

TEST(counter_count_up_reset_and_check) {
  Workspace ws;
  run(ws, {makeOp("CreateCounter", {}, {"c"}), makeOp("CheckCounterDone", {"c"}, {"d0"}), makeOp("CountUp", {"c"}, {"p0"}),
           makeOp("CountUp", {"c"}, {"p1"}), makeOp("CheckCounterDone", {"c"}, {"d1"}),
           makeOp("ResetCounter", {"c"}, {"prev"}, {{"init_count", I(5)}}), makeOp("RetrieveCount", {"c"}, {"n"}),
           makeOp("ResetCounter", {"c"}, {})});
  CHECK(scalar(ws, "d0") == 1 && scalar(ws, "d1") == 0);
  CHECK(scalar(ws, "p0") == 0 && scalar(ws, "p1") == 1);
  CHECK(scalar(ws, "prev") == 2 && scalar(ws, "n") == 5);
  CHECK(counterIn(ws, "c").count() == 0);
}

TEST(counter_bad_input) {
  Workspace ws;
  CHECK_THROWS_CODE(run(ws, makeOp("CreateCounter", {}, {"c"}, {{"init_count", I(-1)}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("CreateCounter", {}, {"c"}, {{"init_count", Argument::ofFloat(1.5)}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("CreateCounter", {}, {"c"}, {{"count", I(1)}})), codes::kUnknownArgument);
  run(ws, makeOp("CreateCounter", {}, {"c"}));
  CHECK_THROWS_CODE(run(ws, makeOp("ResetCounter", {"c"}, {}, {{"init_count", I(-3)}})), codes::kInvalidArgument);
  feed(ws, "t", DType::Int64, {}, {1});
  // A tensor where a counter belongs fails at instantiation; an empty blob at run time.
  CHECK_THROWS_CODE(build(ws, {makeOp("CountDown", {"t"}, {"d"})}), codes::kBlobKind);
  auto net = build(ws, {makeOp("CountDown", {"later"}, {"d"})});
  RunContext ctx;
  CHECK_THROWS_CODE(net->run(ctx), codes::kBlobKind);
  CHECK_THROWS_CODE(run(ws, makeOp("CountDown", {"c"}, {})), codes::kInvalidArgument);
}

TEST(counter_is_atomic_across_threads) {
  Workspace ws;
  run(ws, makeOp("CreateCounter", {}, {"c"}, {{"init_count", I(1000)}}));
  std::atomic<int> notDone{0};
  // Nets are instantiated before the threads start, as the executor does.
  std::vector<std::unique_ptr<Workspace>> children;
  std::vector<std::unique_ptr<Net>> nets;
  for (int t = 0; t < 4; ++t) {
    children.push_back(std::make_unique<Workspace>(&ws));
    nets.push_back(build(*children.back(), {makeOp("CountDown", {"c"}, {"done"})}));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RunContext ctx;
      for (int i = 0; i < 400; ++i) {
        nets[t]->run(ctx);
        if (scalar(*children[t], "done") == 0) ++notDone;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(notDone.load() == 1000);
  CHECK(counterIn(ws, "c").count() == 1000 - 1600);
}

TEST(counter_and_string_list_serialize) {
  Counter c(42);
  Tensor t;
  CHECK(c.serialize(&t));
  CHECK(t.dtype() == DType::Int64 && t.shape() == Shape{1} && t.data<int64_t>()[0] == 42);
  auto restored = newObjectOfKind("counter");
  restored->deserialize(t);
  CHECK(dynamic_cast<Counter&>(*restored).count() == 42);
  CHECK_THROWS_CODE(restored->deserialize(Tensor(DType::Float32, {1})), codes::kCheckpointCorrupt);

  StringList s({"a", "", "blob/name"});
  CHECK(s.serialize(&t));
  CHECK(t.dtype() == DType::Uint8 && t.numel() == 4 + 3 * 4 + 10);
  CHECK(t.data<uint8_t>()[0] == 3 && t.data<uint8_t>()[4] == 1 && t.data<uint8_t>()[12] == 9);
  auto back = newObjectOfKind("stringList");
  back->deserialize(t);
  CHECK((dynamic_cast<StringList&>(*back).values() == std::vector<std::string>{"a", "", "blob/name"}));
  Tensor cut(DType::Uint8, {t.numel() - 1});
  std::memcpy(cut.raw(), t.raw(), static_cast<size_t>(cut.numel()));
  CHECK_THROWS_CODE(back->deserialize(cut), codes::kCheckpointCorrupt);
  Tensor huge = make(DType::Uint8, {8}, {255, 255, 255, 255, 0, 0, 0, 0});
  CHECK_THROWS_CODE(back->deserialize(huge), codes::kCheckpointCorrupt);
  CHECK(StringList().serialize(&t) && t.numel() == 4);
  CHECK_THROWS_CODE(newObjectOfKind("nope"), codes::kBlobKind);
  Timer timer("x");
  CHECK(!timer.serialize(&t));
}

TEST(timers) {
  Workspace ws;
  run(ws, makeOp("TimerBegin", {}, {"t"}, {{"counter_name", Argument::ofString("epoch")}}));
  CHECK(ws.getBlob("t").object<Timer>("t").name() == "epoch");
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  run(ws, makeOp("TimerGet", {"t"}, {"ns"}));
  CHECK(dtypeOf(ws, "ns") == DType::Int64 && shapeOf(ws, "ns").empty());
  CHECK(scalar(ws, "ns") >= 2e6);
  run(ws, makeOp("TimerGetAndEnd", {"t"}, {"ns2"}));
  CHECK(scalar(ws, "ns2") >= scalar(ws, "ns"));
  CHECK_THROWS_CODE(run(ws, makeOp("TimerGet", {"t"}, {"ns"})), codes::kOpFailed);
  CHECK_THROWS_CODE(run(ws, makeOp("TimerEnd", {"t"}, {})), codes::kOpFailed);
  run(ws, {makeOp("TimerBegin", {}, {"t"}), makeOp("TimerEnd", {"t"}, {})});
  CHECK(ws.getBlob("t").object<Timer>("t").name() == "t");
  feed(ws, "x", DType::Float32, {1}, {0});
  CHECK_THROWS_CODE(build(ws, {makeOp("TimerGet", {"x"}, {"ns"})}), codes::kBlobKind);
}

TEST(iter_created_as_zero_and_incremented) {
  Workspace ws;
  auto net = build(ws, {makeOp("Iter", {}, {"it"})});
  RunContext ctx;
  net->run(ctx);
  CHECK(dtypeOf(ws, "it") == DType::Int64 && shapeOf(ws, "it") == Shape{1});
  CHECK(scalar(ws, "it") == 1);
  net->run(ctx);
  run(ws, makeOp("Iter", {"it"}, {"it"}));
  CHECK(scalar(ws, "it") == 3);
  feed(ws, "f", DType::Float32, {1}, {0});
  CHECK_THROWS_CODE(build(ws, {makeOp("Iter", {}, {"f"})}), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Iter", {"it"}, {"other"})}), codes::kInvalidArgument);
  run(ws, makeOp("CreateCounter", {}, {"counter"}));
  CHECK_THROWS_CODE(build(ws, {makeOp("Iter", {}, {"counter"})}), codes::kBlobKind);
  feed(ws, "neg", DType::Int64, {1}, {-1});
  CHECK_THROWS_CODE(run(ws, makeOp("Iter", {}, {"neg"})), codes::kInvalidArgument);
}

namespace {
struct FakeMutex : BlobObject {
  const char* kind() const override { return "mutex"; }
};
}  // namespace

TEST(atomic_iter_counts_every_thread) {
  Workspace ws;
  ws.createBlob("mu").setObject(std::make_shared<FakeMutex>());
  ws.createBlob("iter");  // shared by the children; its first increment creates it
  std::vector<std::unique_ptr<Workspace>> children;
  std::vector<std::unique_ptr<Net>> nets;
  for (int t = 0; t < 4; ++t) {
    children.push_back(std::make_unique<Workspace>(&ws));
    nets.push_back(build(*children.back(), {makeOp("AtomicIter", {"mu", "iter"}, {"iter"})}));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RunContext ctx;
      for (int i = 0; i < 250; ++i) nets[t]->run(ctx);
    });
  }
  for (auto& th : threads) th.join();
  CHECK(scalar(ws, "iter") == 1000);
  feed(ws, "notMutex", DType::Float32, {1}, {0});
  CHECK_THROWS_CODE(build(ws, {makeOp("AtomicIter", {"notMutex", "iter"}, {"iter"})}), codes::kBlobKind);
  CHECK_THROWS_CODE(build(ws, {makeOp("AtomicIter", {"mu", "iter"}, {"other"})}), codes::kInvalidArgument);
}

TEST(get_all_blob_names_in_child_workspace) {
  Workspace parent;
  feed(parent, "w", DType::Float32, {1}, {0});
  Workspace child(&parent);
  feed(child, "local", DType::Float32, {1}, {0});
  run(child, {makeOp("GetAllBlobNames", {}, {"all"}),
              makeOp("GetAllBlobNames", {}, {"mine"}, {{"include_shared", I(0)}})});
  CHECK((child.getBlob("all").object<StringList>("all").values() ==
         std::vector<std::string>{"all", "local", "mine", "w"}));
  CHECK((child.getBlob("mine").object<StringList>("mine").values() == std::vector<std::string>{"all", "local", "mine"}));
  CHECK(!parent.hasBlob("all"));
  CHECK_THROWS_CODE(run(child, makeOp("GetAllBlobNames", {}, {"x"}, {{"include_shared", I(2)}})), codes::kInvalidArgument);
}

TEST(is_empty_print_and_copy) {
  Workspace ws;
  feed(ws, "empty", DType::Float32, {0, 3}, {});
  feed(ws, "x", DType::Int32, {2, 2}, {1, 2, 3, 4});
  run(ws, {makeOp("IsEmpty", {"empty"}, {"e1"}), makeOp("IsEmpty", {"x"}, {"e2"}), makeOp("Copy", {"x"}, {"y"}),
           makeOp("Print", {"x"}, {}, {{"limit", I(2)}}), makeOp("CreateCounter", {}, {"c"}), makeOp("Print", {"c"}, {}),
           makeOp("GetAllBlobNames", {}, {"names"}), makeOp("Print", {"names"}, {}, {{"every_n", I(2)}})});
  CHECK(scalar(ws, "e1") == 1 && scalar(ws, "e2") == 0 && dtypeOf(ws, "e1") == DType::Bool);
  CHECK(shapeOf(ws, "y") == (Shape{2, 2}) && dtypeOf(ws, "y") == DType::Int32);
  CHECK_VALUES(ws, "y", {1, 2, 3, 4});
  ws.getBlob("x").mutableTensor().data<int32_t>()[0] = 9;
  CHECK(read(ws, "y")[0] == 1);  // a deep copy
  run(ws, makeOp("Copy", {"x"}, {"x"}));
  CHECK(read(ws, "x")[0] == 9);
  CHECK_THROWS_CODE(run(ws, makeOp("Print", {"x"}, {}, {{"limit", I(-1)}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Copy", {"c"}, {"z"})), codes::kMissingBlob);
  CHECK_THROWS_CODE(run(ws, makeOp("IsEmpty", {"nothing"}, {"z"})), codes::kMissingBlob);
}

TEST(registry_rejects_bad_counts_and_args) {
  Workspace ws;
  CHECK_THROWS_CODE(run(ws, makeOp("Copy", {"a", "b"}, {"c"})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Copy", {"a"}, {"c"}, {{"bogus", I(1)}})), codes::kUnknownArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("NoSuchOp", {}, {})), codes::kUnknownOp);
}

HWTEST_MAIN()
