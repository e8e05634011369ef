// Bounded queue blob and queue ops (docs/caffe2.md §9): FIFO order, blocking at
// capacity, the close protocol, num_records concatenation, many producers and
// consumers, and cancellation of waits.
#include <atomic>
#include <chrono>
#include <thread>

#include "../data/queue.h"
#include "../exec/net.h"
#include "check.h"

using namespace hogwild;
using data::BlobsQueue;

namespace {

Tensor scalarI64(int64_t v) {
  Tensor t(DType::Int64, {1});
  t.data<int64_t>()[0] = v;
  return t;
}

void runNet(Workspace& ws, std::vector<OperatorDef> ops, RunContext* ctx = nullptr) {
  NetDef def;
  def.name = "test";
  def.ops = std::move(ops);
  Net net(def, ws);
  RunContext local;
  net.run(ctx ? *ctx : local);
}

bool boolBlob(Workspace& ws, const std::string& name) {
  return static_cast<const uint8_t*>(ws.getBlob(name).tensor(name).raw())[0] != 0;
}

}  // namespace

TEST(queue_fifo_and_close_protocol) {
  BlobsQueue q("q", 3, 1, {"x"});
  for (int64_t i = 0; i < 3; ++i) {
    Tensor t = scalarI64(i);
    CHECK(q.enqueue({&t}, nullptr));
  }
  Tensor extra = scalarI64(99);
  CHECK(q.tryEnqueue({&extra}) == BlobsQueue::Push::Full);
  q.close();
  CHECK(!q.enqueue({&extra}, nullptr));  // closed: dropped
  CHECK(q.tryEnqueue({&extra}) == BlobsQueue::Push::Closed);
  Tensor out;
  std::vector<Tensor*> outs{&out};
  for (int64_t i = 0; i < 3; ++i) {  // readers drain what is left
    CHECK(q.dequeue(outs, nullptr));
    CHECK(out.data<int64_t>()[0] == i);
  }
  CHECK(!q.dequeue(outs, nullptr));  // closed and empty
}

TEST(queue_blocks_at_capacity_until_dequeue) {
  BlobsQueue q("q", 2, 1, {});
  std::atomic<int> written{0};
  std::thread producer([&] {
    for (int64_t i = 0; i < 5; ++i) {
      Tensor t = scalarI64(i);
      q.enqueue({&t}, nullptr);
      written.fetch_add(1);
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(written.load() == 2);  // blocked on the third
  Tensor out;
  std::vector<Tensor*> outs{&out};
  for (int64_t i = 0; i < 5; ++i) {
    CHECK(q.dequeue(outs, nullptr));
    CHECK(out.data<int64_t>()[0] == i);
  }
  producer.join();
  CHECK(written.load() == 5);
}

TEST(queue_close_releases_blocked_writers_and_readers) {
  BlobsQueue full("full", 1, 1, {});
  Tensor t = scalarI64(1);
  full.enqueue({&t}, nullptr);
  BlobsQueue empty("empty", 1, 1, {});
  std::atomic<int> results{0};
  std::thread w([&] { if (!full.enqueue({&t}, nullptr)) results.fetch_add(1); });
  std::thread r([&] {
    Tensor o;
    std::vector<Tensor*> os{&o};
    if (!empty.dequeue(os, nullptr)) results.fetch_add(10);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  full.close();
  empty.close();
  w.join();
  r.join();
  CHECK(results.load() == 11);
}

TEST(queue_wait_is_cancellable) {
  BlobsQueue q("q", 1, 1, {});
  Tensor t = scalarI64(1);
  q.enqueue({&t}, nullptr);
  std::atomic<bool> cancelled{false};
  RunContext ctx;
  ctx.cancelled = &cancelled;
  std::atomic<bool> aborted{false};
  auto start = std::chrono::steady_clock::now();
  std::thread w([&] {
    try {
      q.enqueue({&t}, &ctx);
    } catch (const Error& e) {
      aborted = std::string(e.code()) == codes::kAborted;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  cancelled = true;
  w.join();
  CHECK(aborted.load());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

TEST(queue_many_producers_many_consumers) {
  BlobsQueue q("q", 4, 2, {"a", "b"});
  constexpr int kProducers = 4, kPerProducer = 2000, kConsumers = 3;
  std::atomic<int64_t> sum{0}, count{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        Tensor a = scalarI64(p * kPerProducer + i), b(DType::Float32, {3});
        for (int k = 0; k < 3; ++k) b.data<float>()[k] = float(k);
        q.enqueue({&a, &b}, nullptr);
      }
    });
  }
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.emplace_back([&] {
      Tensor a, b;
      std::vector<Tensor*> outs{&a, &b};
      while (q.dequeue(outs, nullptr)) {
        sum.fetch_add(a.data<int64_t>()[0]);
        count.fetch_add(1);
        if (b.numel() != 3 || b.data<float>()[2] != 2.f) count.fetch_add(1000000);
      }
    });
  }
  for (auto& t : threads) t.join();
  q.close();
  for (auto& t : consumers) t.join();
  const int64_t n = int64_t{kProducers} * kPerProducer;
  CHECK(count.load() == n);
  CHECK(sum.load() == n * (n - 1) / 2);
}

TEST(queue_ops_safe_enqueue_dequeue_and_status) {
  Workspace ws;
  runNet(ws, {makeOp("CreateBlobsQueue", {}, {"q"}, {{"capacity", Argument::ofInt(4)}, {"num_blobs", Argument::ofInt(1)}})});
  CHECK(std::string(ws.getBlob("q").kindName()) == "queue");
  for (int64_t i = 0; i < 3; ++i) {
    ws.createBlob("x").mutableTensor() = scalarI64(i);
    runNet(ws, {makeOp("SafeEnqueueBlobs", {"q", "x"}, {"x", "enq_status"})});
    CHECK(!boolBlob(ws, "enq_status"));
  }
  // num_records = 2 concatenates records along dim 0.
  runNet(ws, {makeOp("SafeDequeueBlobs", {"q"}, {"y", "deq_status"}, {{"num_records", Argument::ofInt(2)}})});
  const Tensor& y = ws.getBlob("y").tensor("y");
  CHECK(!boolBlob(ws, "deq_status"));
  CHECK(y.numel() == 2 && y.data<int64_t>()[0] == 0 && y.data<int64_t>()[1] == 1);
  runNet(ws, {makeOp("CloseBlobsQueue", {"q"}, {})});
  runNet(ws, {makeOp("SafeEnqueueBlobs", {"q", "x"}, {"x", "enq_status"})});
  CHECK(boolBlob(ws, "enq_status"));  // closed
  // A partial batch still succeeds; then the closed, empty queue reports true.
  runNet(ws, {makeOp("SafeDequeueBlobs", {"q"}, {"y", "deq_status"}, {{"num_records", Argument::ofInt(2)}})});
  CHECK(!boolBlob(ws, "deq_status"));
  CHECK(ws.getBlob("y").tensor("y").numel() == 1 && ws.getBlob("y").tensor("y").data<int64_t>()[0] == 2);
  runNet(ws, {makeOp("SafeDequeueBlobs", {"q"}, {"y", "deq_status"})});
  CHECK(boolBlob(ws, "deq_status"));
  CHECK_THROWS_CODE(runNet(ws, {makeOp("DequeueBlobs", {"q"}, {"y"})}), codes::kOpFailed);
}

TEST(queue_ops_validate) {
  Workspace ws;
  CHECK_THROWS_CODE(runNet(ws, {makeOp("CreateBlobsQueue", {}, {"q"}, {{"capacity", Argument::ofInt(0)}})}),
                    codes::kInvalidArgument);
  runNet(ws, {makeOp("CreateBlobsQueue", {}, {"q"}, {{"num_blobs", Argument::ofInt(2)}})});
  ws.createBlob("x").mutableTensor() = scalarI64(1);
  CHECK_THROWS_CODE(runNet(ws, {makeOp("SafeEnqueueBlobs", {"q", "x"}, {"x", "s"})}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(runNet(ws, {makeOp("SafeDequeueBlobs", {"x"}, {"y", "s"})}), codes::kBlobKind);
}

HWTEST_MAIN()
