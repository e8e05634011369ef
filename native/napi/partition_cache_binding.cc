// The partitioned reader's cache in the binding: partitions decoded by DuckDB
// are copied once into native memory (cachePartition), and later passes feed
// their batches into the job's queue from a libuv worker thread
// (feedCachedPartition), with no JS per batch. queueFeeder() takes the queue
// out of a workspace blob once (before the run); its dequeued count gives
// the reader its exact cursor between epochs.
#include <memory>
#include <string>

#include "../data/partition_cache.h"
#include "../data/queue.h"
#include "errors.h"
#include "js_convert.h"
#include "registrations.h"
#include "tensor_convert.h"
#include "workspace_wrap.h"

namespace hogwild::napi {

namespace {

using data::BlobsQueue;
using data::CachedPartition;
using PartitionRef = std::shared_ptr<const CachedPartition>;
using QueueRef = std::shared_ptr<BlobsQueue>;

constexpr napi_type_tag kPartitionTag = {0x5c1e7a2b9d3f4e61ULL, 0x8b7a6c5d4e3f2a17ULL};
constexpr napi_type_tag kFeederTag = {0x5c1e7a2b9d3f4e62ULL, 0x8b7a6c5d4e3f2a18ULL};

template <typename T>
std::shared_ptr<T> unwrap(const Napi::Value& v, const napi_type_tag* tag, const char* what, const char* arg) {
  if (!v.IsExternal() || !v.As<Napi::Object>().CheckTypeTag(tag)) throwExpected(what, arg, v);
  return *v.As<Napi::External<std::shared_ptr<T>>>().Data();
}

template <typename T>
Napi::Value wrap(Napi::Env env, std::shared_ptr<T> p, const napi_type_tag* tag) {
  auto ext = Napi::External<std::shared_ptr<T>>::New(env, new std::shared_ptr<T>(std::move(p)),
                                                     [](Napi::Env, std::shared_ptr<T>* r) { delete r; });
  ext.TypeTag(tag);
  return ext;
}

// cachePartition(rows, columns, names): columns[i] is { data } (a scalar
// column, [rows, ...shape]) or { lengths, values } (a list column), each a
// { dtype, shape, data } copied in. -> { handle, bytes }.
Napi::Value CachePartition(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    const int64_t rows = toInt(info[0], "rows", 0, int64_t{1} << 40);
    Napi::Array cols = toArray(info[1], "columns");
    std::vector<std::string> names = toStrings(info[2], "names");
    std::vector<data::CachedColumn> columns(cols.Length());
    for (uint32_t i = 0; i < cols.Length(); ++i) {
      const std::string at = "columns[" + std::to_string(i) + "]";
      Napi::Object c = toObject(cols.Get(i), at);
      if (isMissing(c.Get("lengths"))) {
        tensorFromJs(c.Get("data"), &columns[i].data, at + ".data");
      } else {
        columns[i].list = true;
        tensorFromJs(c.Get("lengths"), &columns[i].lengths, at + ".lengths");
        tensorFromJs(c.Get("values"), &columns[i].data, at + ".values");
      }
    }
    auto part = std::make_shared<const CachedPartition>(rows, std::move(columns), names);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("bytes", static_cast<double>(part->bytes()));
    o.Set("handle", wrap(info.Env(), part, &kPartitionTag));
    return o;
  });
}

// queueFeeder(ws, blob): the queue in that blob, held for feeding (no plan may run).
Napi::Value QueueFeeder(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    auto h = unwrapWorkspaceHandle(info[0], "workspace");
    std::string blob = toStr(info[1], "blob", false);
    HW_CHECK(*h->treeRuns == 0, codes::kBusy, "Expected no plan running on the workspace for queueFeeder()");
    Blob& b = h->ws.getBlob(blob);
    auto q = std::dynamic_pointer_cast<BlobsQueue>(b.objectPtr());
    HW_CHECK(q != nullptr, codes::kBlobKind, "Expected blob '" << blob << "' to hold a queue but it holds " << b.kindName());
    return wrap(info.Env(), q, &kFeederTag);
  });
}

// queueDequeued(feeder): records dequeued from the queue so far.
Napi::Value QueueDequeued(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    auto q = unwrap<BlobsQueue>(info[0], &kFeederTag, "a queue feeder (from queueFeeder())", "feeder");
    return Napi::Number::New(info.Env(), static_cast<double>(q->dequeued()));
  });
}

class FeedWorker final : public Napi::AsyncWorker {
 public:
  FeedWorker(Napi::Env env, QueueRef q, PartitionRef part, int64_t from, int64_t batchSize)
      : Napi::AsyncWorker(env, "hogwildFeedCachedPartition"), _deferred(Napi::Promise::Deferred::New(env)),
        _q(std::move(q)), _part(std::move(part)), _from(from), _batchSize(batchSize) {}
  Napi::Promise promise() { return _deferred.Promise(); }

  void Execute() override {
    try {
      _fed = data::feedCachedPartition(*_q, *_part, _from, _batchSize);
    } catch (const Error& e) {
      _code = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      _code = codes::kOutOfMemory;
      SetError("Out of memory while feeding a cached partition");
    } catch (const std::exception& e) {
      _code = codes::kInternal;
      SetError(e.what());
    }
  }
  void OnOK() override { _deferred.Resolve(Napi::Number::New(Env(), static_cast<double>(_fed))); }
  void OnError(const Napi::Error& e) override { _deferred.Reject(jsError(Env(), _code, e.Message()).Value()); }

 private:
  Napi::Promise::Deferred _deferred;
  QueueRef _q;
  PartitionRef _part;
  int64_t _from, _batchSize, _fed = 0;
  const char* _code = codes::kInternal;
};

// feedCachedPartition(feeder, partition, fromRow, batchSize) -> Promise<batches
// enqueued> (fewer when the queue closes). Blocks a worker thread while the queue is full.
Napi::Value FeedCachedPartition(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    auto q = unwrap<BlobsQueue>(info[0], &kFeederTag, "a queue feeder (from queueFeeder())", "feeder");
    auto part = unwrap<const CachedPartition>(info[1], &kPartitionTag, "a cached partition (from cachePartition())", "partition");
    const int64_t from = toInt(info[2], "fromRow", 0, part->rows());
    const int64_t batchSize = toInt(info[3], "batchSize", 1, int64_t{1} << 30);
    auto* w = new FeedWorker(info.Env(), std::move(q), std::move(part), from, batchSize);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  });
}

}  // namespace

void registerPartitionCache(Napi::Env env, Napi::Object exports) {
  exports.Set("cachePartition", Napi::Function::New<CachePartition>(env, "cachePartition"));
  exports.Set("queueFeeder", Napi::Function::New<QueueFeeder>(env, "queueFeeder"));
  exports.Set("queueDequeued", Napi::Function::New<QueueDequeued>(env, "queueDequeued"));
  exports.Set("feedCachedPartition", Napi::Function::New<FeedCachedPartition>(env, "feedCachedPartition"));
}

}  // namespace hogwild::napi
