// The data part of the binding: fastText dictionary scans (for building a
// model of the right size before any plan runs), and queue handles through
// which a JS producer (an async iterable) feeds a native queue while a plan
// drains it.
//
// Lifetimes: a QueueHandle holds the queue (shared with the workspace blob) and
// one thread-safe function, unreferenced unless a waitWritable() promise is
// pending, so an idle handle never keeps the process alive. Native threads
// reach JS only through that function; the handle removes its queue listener
// before releasing it, and the function's finalizer owns the shared state.
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>

#include "../data/fasttext.h"
#include "../data/fasttext_retained.h"
#include "../data/queue.h"
#include "errors.h"
#include "js_convert.h"
#include "registrations.h"
#include "workspace_wrap.h"

namespace hogwild::napi {

namespace {

using data::BlobsQueue;

// ---- fastText scan ------------------------------------------------------------

data::FastTextOptions toFastTextOptions(const Napi::Value& v) {
  data::FastTextOptions o;
  if (isMissing(v)) return o;
  Napi::Object obj = toObject(v, "options");
  auto num = [&](const char* key, int64_t* out, int64_t lo, int64_t hi) {
    Napi::Value x = obj.Get(key);
    if (!isMissing(x)) *out = toInt(x, std::string("options.") + key, lo, hi);
  };
  if (!isMissing(obj.Get("labelPrefix"))) o.labelPrefix = toStr(obj.Get("labelPrefix"), "options.labelPrefix", false);
  num("minCount", &o.minCount, 1, INT64_MAX);
  num("minCountLabel", &o.minCountLabel, 0, INT64_MAX);
  num("wordNgrams", &o.wordNgrams, 1, 64);
  num("bucket", &o.bucket, 0, int64_t{1} << 30);
  num("minn", &o.minn, 0, 64);
  num("maxn", &o.maxn, 0, 64);
  num("maxLineBytes", &o.maxLineBytes, 1, int64_t{1} << 40);
  if (!isMissing(obj.Get("skipInvalid"))) o.skipInvalid = toBool(obj.Get("skipInvalid"), "options.skipInvalid");
  if (!isMissing(obj.Get("checkUtf8"))) o.checkUtf8 = toBool(obj.Get("checkUtf8"), "options.checkUtf8");
  if (!isMissing(obj.Get("unsupervised"))) o.unsupervised = toBool(obj.Get("unsupervised"), "options.unsupervised");
  if (!isMissing(obj.Get("pretrainedVectors"))) o.pretrainedVectors = toStr(obj.Get("pretrainedVectors"), "options.pretrainedVectors", false);
  return o;
}

// Builds the dictionary (and counts the examples) off the JS thread.
class ScanWorker final : public Napi::AsyncWorker {
 public:
  ScanWorker(Napi::Env env, std::string path, data::FastTextOptions opts, int threads, bool retain)
      : Napi::AsyncWorker(env, "hogwildFastTextScan"), _deferred(Napi::Promise::Deferred::New(env)),
        _path(std::move(path)), _opts(std::move(opts)), _threads(threads), _retain(retain) {}
  Napi::Promise promise() { return _deferred.Promise(); }

  void Execute() override {
    try {
      data::FileBytes file(_path);
      _dict = std::make_shared<data::FastTextDictionary>(_opts);
      _dict->build(file, _threads);
      _enc = _dict->encodeFile(file, _threads);
      if (_retain) {
        // Handed to the job's first BuildFastTextDictionary: the run parses the file once.
        auto e = std::make_shared<data::FastTextDictionary::Encoding>();
        e->path = _path;
        auto tensor = [](Tensor& t, const std::vector<int32_t>& v) {
          t.resize(DType::Int32, {static_cast<int64_t>(v.size())});
          if (!v.empty()) std::memcpy(t.raw(), v.data(), v.size() * sizeof(int32_t));
        };
        tensor(e->labels, _enc.labels);
        tensor(e->lengths, _enc.lengths);
        tensor(e->ids, _enc.ids);
        tensor(e->labelSetLengths, _enc.labelSetLengths);
        tensor(e->labelSetValues, _enc.labelSetValues);
        _dict->cacheEncoding(std::move(e));
        data::retainScan(_path, _opts, _dict);
      }
    } catch (const Error& e) {
      _code = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      _code = codes::kOutOfMemory;
      SetError("Out of memory while reading '" + _path + "'");
    } catch (const std::exception& e) {
      _code = codes::kInternal;
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    const auto& d = *_dict;
    o.Set("nwords", d.nwords());
    o.Set("nlabels", d.nlabels());
    o.Set("bucket", static_cast<double>(d.bucket()));
    o.Set("inputRows", static_cast<double>(d.inputRows()));
    o.Set("ntokens", static_cast<double>(d.ntokens()));
    Napi::Array labels = Napi::Array::New(env, static_cast<size_t>(d.nlabels()));
    for (int32_t i = 0; i < d.nlabels(); ++i) labels.Set(static_cast<uint32_t>(i), d.labelName(i));
    o.Set("labels", labels);
    // Occurrences of each label (for the hs tree and the ns table, as fastText's getCounts(label)).
    Napi::Array labelCounts = Napi::Array::New(env, static_cast<size_t>(d.nlabels()));
    for (int32_t i = 0; i < d.nlabels(); ++i) {
      labelCounts.Set(static_cast<uint32_t>(i), static_cast<double>(d.entries()[static_cast<size_t>(d.nwords() + i)].count));
    }
    o.Set("labelCounts", labelCounts);
    o.Set("lines", static_cast<double>(_enc.lines));
    o.Set("examples", static_cast<double>(_enc.labels.size()));
    o.Set("multiLabelExamples", static_cast<double>(_enc.multiLabel));
    o.Set("skipped", static_cast<double>(_enc.skipped));
    o.Set("tokens", static_cast<double>(_enc.tokens));
    o.Set("ids", static_cast<double>(_enc.ids.size()));
    _deferred.Resolve(o);
  }

  void OnError(const Napi::Error& e) override {
    _deferred.Reject(jsError(Env(), _code, e.Message()).Value());
  }

 private:
  Napi::Promise::Deferred _deferred;
  std::string _path;
  data::FastTextOptions _opts;
  std::shared_ptr<data::FastTextDictionary> _dict;
  data::FastTextEncoded _enc;
  int _threads = 1;
  bool _retain = false;
  const char* _code = codes::kInternal;
};

Napi::Value FastTextScan(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    std::string path = toStr(info[0], "path", false);
    data::FastTextOptions opts = toFastTextOptions(info[1]);
    data::FastTextDictionary check(opts);  // option errors throw here, synchronously
    int64_t threads = 1;
    bool retain = false;
    if (!isMissing(info[1])) {
      Napi::Object o = toObject(info[1], "options");
      if (!isMissing(o.Get("threads"))) threads = toInt(o.Get("threads"), "options.threads", 1, 1024);
      if (!isMissing(o.Get("retain"))) retain = toBool(o.Get("retain"), "options.retain");
    }
    auto* w = new ScanWorker(info.Env(), std::move(path), std::move(opts), static_cast<int>(threads), retain);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  });
}

Napi::Value GzipAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), data::gzipAvailable()); }

// ---- Queue handles ----------------------------------------------------------------

struct Waiters;
void onWake(Napi::Env env, Napi::Function, std::shared_ptr<Waiters>* ctx, int*);
using WakeTsfn = Napi::TypedThreadSafeFunction<std::shared_ptr<Waiters>, int, onWake>;

// Shared by the handle, the queue listener (weakly) and the TSFN (its context).
struct Waiters {
  std::shared_ptr<BlobsQueue> queue;
  std::mutex mu;
  bool posted = false;      // a wake-up is queued on the TSFN
  bool tsfnAlive = true;    // false once the TSFN was released or finalized
  std::atomic<bool> want{false};  // JS waits for room
  WakeTsfn tsfn;
  std::vector<Napi::Promise::Deferred> pending;  // JS thread only
  bool referenced = false;                       // JS thread only

  bool writable() const { return queue->closed() || queue->size() < queue->capacity(); }

  // Any thread: a dequeue or close happened.
  void wake() {
    if (!want.load(std::memory_order_acquire)) return;
    std::lock_guard<std::mutex> lock(mu);
    if (posted || !tsfnAlive) return;
    posted = true;
    tsfn.NonBlockingCall(nullptr);
  }

  // JS thread: settle the waits if there is room now.
  void settle(Napi::Env env) {
    if (pending.empty() || !writable()) return;
    want.store(false, std::memory_order_release);
    auto done = std::move(pending);
    pending.clear();
    if (referenced) {
      tsfn.Unref(env);
      referenced = false;
    }
    for (auto& d : done) d.Resolve(env.Undefined());
  }
};

void onWake(Napi::Env env, Napi::Function, std::shared_ptr<Waiters>* ctx, int*) {
  if (!env || !ctx) return;  // environment tearing down
  Waiters& w = **ctx;
  {
    std::lock_guard<std::mutex> lock(w.mu);
    w.posted = false;
  }
  w.settle(env);
}

constexpr napi_type_tag kQueueTag = {0x8d3f1c2a6b7e4f11ULL, 0x9a2b3c4d5e6f7091ULL};

class QueueWrap : public Napi::ObjectWrap<QueueWrap> {
 public:
  explicit QueueWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<QueueWrap>(info) {
    info.This().As<Napi::Object>().TypeTag(&kQueueTag);
  }
  ~QueueWrap() override { detach(); }

  void attach(Napi::Env env, std::shared_ptr<BlobsQueue> q) {
    _w = std::make_shared<Waiters>();
    _w->queue = q;
    auto* ctx = new std::shared_ptr<Waiters>(_w);
    _w->tsfn = WakeTsfn::New(env, "hogwildQueueWait", 0, 1, ctx, [](Napi::Env, void*, std::shared_ptr<Waiters>* c) {
      {
        std::lock_guard<std::mutex> lock((*c)->mu);
        (*c)->tsfnAlive = false;
      }
      delete c;
    });
    _w->tsfn.Unref(env);
    std::weak_ptr<Waiters> weak = _w;
    _listener = q->addListener([weak] {
      if (auto s = weak.lock()) s->wake();
    });
  }

  Napi::Value TryEnqueue(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      auto& q = queue();
      Napi::Array fields = toArray(info[0], "fields");
      HW_CHECK(static_cast<int64_t>(fields.Length()) == q.numBlobs(), codes::kInvalidArgument,
               "Expected " << q.numBlobs() << " fields for queue '" << q.name() << "' but received " << fields.Length());
      _scratch.resize(fields.Length());
      _ptrs.clear();
      for (uint32_t i = 0; i < fields.Length(); ++i) {
        tensorFromJs(fields.Get(i), &_scratch[i], "fields[" + std::to_string(i) + "]");
        _ptrs.push_back(&_scratch[i]);
      }
      const char* r = "ok";
      switch (q.tryEnqueue(_ptrs)) {
        case BlobsQueue::Push::Ok: break;
        case BlobsQueue::Push::Full: r = "full"; break;
        case BlobsQueue::Push::Closed: r = "closed"; break;
      }
      return Napi::String::New(info.Env(), r);
    });
  }

  // Resolves once the queue has room or is closed.
  Napi::Value WaitWritable(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      queue();
      Napi::Env env = info.Env();
      auto d = Napi::Promise::Deferred::New(env);
      Napi::Promise p = d.Promise();
      _w->pending.push_back(std::move(d));
      if (!_w->referenced) {
        _w->tsfn.Ref(env);  // keep the process alive while a producer waits
        _w->referenced = true;
      }
      _w->want.store(true, std::memory_order_release);
      _w->settle(env);  // a dequeue may have happened before `want` was set
      return p;
    });
  }

  void Close(const Napi::CallbackInfo&) {
    if (_w) _w->queue->close();
  }

  void Fail(const Napi::CallbackInfo& info) {
    guard(info.Env(), [&] {
      std::string message = toStr(info[0], "message");
      queue().fail(codes::kData, message);
    });
  }

  Napi::Value Closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !_w || _w->queue->closed()); }
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), _w ? double(_w->queue->size()) : 0); }
  Napi::Value Capacity(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), _w ? double(_w->queue->capacity()) : 0); }
  Napi::Value NumBlobs(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), _w ? double(_w->queue->numBlobs()) : 0); }
  Napi::Value Name(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), _w ? _w->queue->name() : ""); }

 private:
  BlobsQueue& queue() {
    HW_CHECK(_w != nullptr, codes::kDisposed, "Expected a live queue handle");
    return *_w->queue;
  }
  void detach() {
    if (!_w) return;
    _w->queue->removeListener(_listener);  // no wake() runs after this returns
    std::lock_guard<std::mutex> lock(_w->mu);
    if (_w->tsfnAlive) {
      _w->tsfnAlive = false;
      _w->tsfn.Release();
    }
    _w.reset();
  }

  std::shared_ptr<Waiters> _w;
  int64_t _listener = 0;
  std::vector<Tensor> _scratch;
  std::vector<const Tensor*> _ptrs;
};

struct QueueClass {
  Napi::FunctionReference ctor;
};

Napi::Object newQueueHandle(Napi::Env env, QueueClass* cls, std::shared_ptr<BlobsQueue> q) {
  Napi::Object obj = cls->ctor.New({});
  QueueWrap::Unwrap(obj)->attach(env, std::move(q));
  return obj;
}

// createQueue(ws, blob, { capacity, numBlobs, fieldNames }) makes a queue in
// the workspace blob now (before a run) and returns its handle.
Napi::Value CreateQueue(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    auto handle = unwrapWorkspaceHandle(info[0], "workspace");
    std::string blob = toStr(info[1], "blob", false);
    Napi::Object o = toObject(info[2], "options");
    int64_t capacity = toInt(o.Get("capacity"), "options.capacity", 1, int64_t{1} << 30);
    int64_t numBlobs = toInt(o.Get("numBlobs"), "options.numBlobs", 1, 4096);
    std::vector<std::string> names;
    if (!isMissing(o.Get("fieldNames"))) names = toStrings(o.Get("fieldNames"), "options.fieldNames");
    HW_CHECK(*handle->treeRuns == 0, codes::kBusy, "Expected no plan running on the workspace for createQueue()");
    auto q = std::make_shared<BlobsQueue>(blob, capacity, numBlobs, names);
    handle->ws.createBlob(blob).setObject(q);
    return newQueueHandle(info.Env(), static_cast<QueueClass*>(info.Data()), q);
  });
}

// openQueue(ws, blob): the handle of the queue a plan made in that blob.
Napi::Value OpenQueue(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    Workspace& ws = unwrapWorkspace(info[0], "workspace");
    std::string blob = toStr(info[1], "blob", false);
    Blob& b = ws.getBlob(blob);
    auto q = std::dynamic_pointer_cast<BlobsQueue>(b.objectPtr());
    HW_CHECK(q != nullptr, codes::kBlobKind, "Expected blob '" << blob << "' to hold a queue but it holds " << b.kindName());
    return newQueueHandle(info.Env(), static_cast<QueueClass*>(info.Data()), q);
  });
}

}  // namespace

void registerData(Napi::Env env, Napi::Object exports) {
  using Q = QueueWrap;
  auto* cls = new QueueClass();
  cls->ctor = Napi::Persistent(Q::DefineClass(env, "NativeQueue",
                                              {
                                                  Q::InstanceMethod<&Q::TryEnqueue>("tryEnqueue"),
                                                  Q::InstanceMethod<&Q::WaitWritable>("waitWritable"),
                                                  Q::InstanceMethod<&Q::Close>("close"),
                                                  Q::InstanceMethod<&Q::Fail>("fail"),
                                                  Q::InstanceAccessor<&Q::Closed>("closed"),
                                                  Q::InstanceAccessor<&Q::Size>("size"),
                                                  Q::InstanceAccessor<&Q::Capacity>("capacity"),
                                                  Q::InstanceAccessor<&Q::NumBlobs>("numBlobs"),
                                                  Q::InstanceAccessor<&Q::Name>("name"),
                                              }));
  env.AddCleanupHook([cls] { delete cls; });
  exports.Set("fastTextScan", Napi::Function::New<FastTextScan>(env, "fastTextScan"));
  exports.Set("gzipAvailable", Napi::Function::New<GzipAvailable>(env, "gzipAvailable"));
  exports.Set("createQueue", Napi::Function::New(env, CreateQueue, "createQueue", cls));
  exports.Set("openQueue", Napi::Function::New(env, OpenQueue, "openQueue", cls));
}

}  // namespace hogwild::napi
