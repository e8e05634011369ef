// N-API entry of hogwild_gloo.node: a Group class (rendezvous + collectives)
// and an Averager class. Every blocking call runs on a worker thread and
// settles a Promise; every exception becomes a JS error with a stable `code`.
#include <napi.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../ops/collective_backend.h"
#include "averager.h"
#include "dist_error.h"
#include "group.h"

namespace hogwild::dist {
namespace {

struct Constructors {
  Napi::FunctionReference group;
  Napi::FunctionReference averager;
};

Napi::Error codedError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

// Runs `work` on the libuv pool and settles a Promise. `keep` pins JS values
// (the typed arrays Gloo reads and writes) until the work is over.
class PromiseWork : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Done = std::function<Napi::Value(Napi::Env)>;
  PromiseWork(Napi::Env env, std::string what, Work work, Done done, const std::vector<Napi::Value>& keep)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), what_(std::move(what)), work_(std::move(work)), done_(std::move(done)) {
    for (const auto& v : keep) keep_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      work_();
    } catch (...) {
      auto c = classifyCurrent(Phase::Collective, what_);
      code_ = c.code;
      message_ = c.message;
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!code_.empty()) {
      deferred_.Reject(codedError(env, code_, message_).Value());
      return;
    }
    try {
      deferred_.Resolve(done_ ? done_(env) : env.Undefined());
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string what_;
  Work work_;
  Done done_;
  std::vector<Napi::ObjectReference> keep_;
  std::string code_;
  std::string message_;
};

Napi::Float32Array float32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw codedError(info.Env(), codes::kInvalidArgument, std::string("Expected ") + name + " to be a Float32Array");
  return info[i].As<Napi::Float32Array>();
}

std::string stringProp(Napi::Object o, const char* key, const std::string& fallback = "") {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : fallback;
}

int64_t intProp(Napi::Object o, const char* key, int64_t fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : fallback;
}

// The table handed to the main addon's collective ops: C entry points over a Group.
struct LentGroup {
  HogwildCollectiveV1 table;
  std::shared_ptr<Group> group;
};

int reportFailure(const std::string& what, char* err, size_t errLen) {
  auto c = classifyCurrent(Phase::Collective, what);
  std::snprintf(err, errLen, "%s\t%s", c.code, c.message.c_str());
  return 1;
}

int lentAllreduce(void* ctx, float* data, size_t count, int op, uint32_t tag, char* err, size_t errLen) {
  try {
    static const ReduceOp ops[] = {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min};
    if (op < 0 || op > 3) throw DistError(codes::kInvalidArgument, "Unknown reduce op " + std::to_string(op));
    static_cast<LentGroup*>(ctx)->group->allreduce(data, count, ops[op], tag);
    return 0;
  } catch (...) {
    return reportFailure("Allreduce op", err, errLen);
  }
}

int lentBroadcast(void* ctx, float* data, size_t count, int root, uint32_t tag, char* err, size_t errLen) {
  try {
    static_cast<LentGroup*>(ctx)->group->broadcast(data, count, root, tag);
    return 0;
  } catch (...) {
    return reportFailure("Broadcast op", err, errLen);
  }
}

int lentBarrier(void* ctx, uint32_t tag, char* err, size_t errLen) {
  try {
    static_cast<LentGroup*>(ctx)->group->barrier(tag);
    return 0;
  } catch (...) {
    return reportFailure("Barrier op", err, errLen);
  }
}

class AveragerWrap : public Napi::ObjectWrap<AveragerWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Averager",
                       {InstanceMethod("tick", &AveragerWrap::tick), InstanceMethod("stop", &AveragerWrap::stop),
                        InstanceMethod("stats", &AveragerWrap::stats)});
  }
  explicit AveragerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AveragerWrap>(info) {
    auto* holder = info[0].As<Napi::External<std::shared_ptr<Averager>>>().Data();
    averager_ = *holder;
    // Pin the parameter arrays for as long as the averager may touch them.
    buffers_ = Napi::Persistent(info[1].As<Napi::Object>());
  }

 private:
  Napi::Value tick(const Napi::CallbackInfo& info) {
    if (averager_) averager_->tick(info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int64Value() : 1);
    return info.Env().Undefined();
  }
  Napi::Value stats(const Napi::CallbackInfo& info) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("rounds", static_cast<double>(averager_ ? averager_->rounds() : 0));
    o.Set("running", averager_ && averager_->running());
    std::string code = averager_ ? averager_->errorCode() : "";
    if (!code.empty()) {
      o.Set("errorCode", code);
      o.Set("errorMessage", averager_->errorMessage());
    }
    return o;
  }
  Napi::Value stop(const Napi::CallbackInfo& info) {
    std::shared_ptr<Averager> a = averager_;
    if (!a) throw codedError(info.Env(), codes::kClosed, "Expected a running averager but it was already stopped");
    auto* work = new PromiseWork(
        info.Env(), "Stopping model averaging", [a] { a->stop(); },
        [a](Napi::Env env) -> Napi::Value {
          std::string code = a->errorCode();
          if (!code.empty()) throw codedError(env, code, a->errorMessage());
          Napi::Object o = Napi::Object::New(env);
          o.Set("rounds", static_cast<double>(a->rounds()));
          return o;
        },
        {buffers_.Value()});
    averager_.reset();
    work->Queue();
    return work->promise();
  }

  std::shared_ptr<Averager> averager_;
  Napi::ObjectReference buffers_;
};

class GroupWrap : public Napi::ObjectWrap<GroupWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Group",
                       {StaticMethod("connect", &GroupWrap::connect), InstanceAccessor("rank", &GroupWrap::rank, nullptr),
                        InstanceAccessor("size", &GroupWrap::size, nullptr), InstanceMethod("allreduce", &GroupWrap::allreduce),
                        InstanceMethod("broadcast", &GroupWrap::broadcast), InstanceMethod("barrier", &GroupWrap::barrier),
                        InstanceMethod("allgather", &GroupWrap::allgather), InstanceMethod("startAveraging", &GroupWrap::startAveraging),
                        InstanceMethod("collectiveBackend", &GroupWrap::collectiveBackend), InstanceMethod("close", &GroupWrap::close)});
  }
  explicit GroupWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GroupWrap>(info) {
    group_ = *info[0].As<Napi::External<std::shared_ptr<Group>>>().Data();
  }

 private:
  static Napi::Value connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw codedError(env, codes::kInvalidArgument, "Expected connect options");
    Napi::Object o = info[0].As<Napi::Object>();
    GroupOptions opts;
    opts.rank = static_cast<int>(intProp(o, "rank", -1));
    opts.size = static_cast<int>(intProp(o, "size", 0));
    opts.storeKind = stringProp(o, "storeKind");
    opts.path = stringProp(o, "path");
    opts.host = stringProp(o, "host", "127.0.0.1");
    opts.port = static_cast<int>(intProp(o, "port", 6379));
    opts.prefix = stringProp(o, "prefix");
    opts.fingerprint = stringProp(o, "fingerprint");
    opts.hostname = stringProp(o, "hostname", "127.0.0.1");
    opts.timeout = std::chrono::milliseconds(intProp(o, "timeoutMs", 30000));
    opts.rendezvousTimeout = std::chrono::milliseconds(intProp(o, "rendezvousTimeoutMs", 30000));
    auto result = std::make_shared<std::shared_ptr<Group>>();
    auto* work = new PromiseWork(
        env, "Rendezvous", [opts, result] { *result = Group::connect(opts); },
        [result](Napi::Env env) -> Napi::Value {
          auto* ctors = env.GetInstanceData<Constructors>();
          auto external = Napi::External<std::shared_ptr<Group>>::New(env, result.get());
          return ctors->group.New({external});
        },
        {});
    work->Queue();
    return work->promise();
  }

  std::shared_ptr<Group> live(Napi::Env env) {
    if (!group_) throw codedError(env, codes::kClosed, "Expected an open process group but it was already closed");
    return group_;
  }

  Napi::Value rank(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), live(info.Env())->rank()); }
  Napi::Value size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), live(info.Env())->size()); }

  Napi::Value allreduce(const Napi::CallbackInfo& info) {
    auto g = live(info.Env());
    Napi::Float32Array data = float32Arg(info, 0, "the allreduce buffer");
    std::string opName = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "sum";
    ReduceOp op;
    if (opName == "sum") op = ReduceOp::Sum;
    else if (opName == "mean") op = ReduceOp::Mean;
    else if (opName == "max") op = ReduceOp::Max;
    else if (opName == "min") op = ReduceOp::Min;
    else throw codedError(info.Env(), codes::kInvalidArgument, "Expected op 'sum', 'mean', 'max' or 'min' but received '" + opName + "'");
    float* ptr = data.Data();
    size_t n = data.ElementLength();
    auto* work = new PromiseWork(
        info.Env(), "Allreduce of " + std::to_string(n) + " floats",
        [g, ptr, n, op] {
          std::lock_guard<std::mutex> lock(g->jsOrder());
          g->allreduce(ptr, n, op, kJsTag);
        },
        nullptr, {data});
    work->Queue();
    return work->promise();
  }

  Napi::Value broadcast(const Napi::CallbackInfo& info) {
    auto g = live(info.Env());
    Napi::Float32Array data = float32Arg(info, 0, "the broadcast buffer");
    if (info.Length() < 2 || !info[1].IsNumber()) throw codedError(info.Env(), codes::kInvalidArgument, "Expected a root rank");
    int root = info[1].As<Napi::Number>().Int32Value();
    float* ptr = data.Data();
    size_t n = data.ElementLength();
    auto* work = new PromiseWork(
        info.Env(), "Broadcast from rank " + std::to_string(root),
        [g, ptr, n, root] {
          std::lock_guard<std::mutex> lock(g->jsOrder());
          g->broadcast(ptr, n, root, kJsTag);
        },
        nullptr, {data});
    work->Queue();
    return work->promise();
  }

  Napi::Value barrier(const Napi::CallbackInfo& info) {
    auto g = live(info.Env());
    auto* work = new PromiseWork(
        info.Env(), "Barrier",
        [g] {
          std::lock_guard<std::mutex> lock(g->jsOrder());
          g->barrier(kJsTag);
        },
        nullptr, {});
    work->Queue();
    return work->promise();
  }

  Napi::Value allgather(const Napi::CallbackInfo& info) {
    auto g = live(info.Env());
    Napi::Float32Array in = float32Arg(info, 0, "the allgather input");
    Napi::Float32Array out = float32Arg(info, 1, "the allgather output");
    size_t n = in.ElementLength();
    if (out.ElementLength() != n * static_cast<size_t>(g->size()))
      throw codedError(info.Env(), "HOGWILD_SHAPE_MISMATCH",
                       "Expected the allgather output to hold size * input = " + std::to_string(n * g->size()) + " floats but it holds " +
                           std::to_string(out.ElementLength()));
    const float* src = in.Data();
    float* dst = out.Data();
    auto* work = new PromiseWork(
        info.Env(), "Allgather",
        [g, src, dst, n] {
          std::lock_guard<std::mutex> lock(g->jsOrder());
          g->allgather(src, dst, n, kJsTag);
        },
        nullptr, {in, out});
    work->Queue();
    return work->promise();
  }

  Napi::Value startAveraging(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto g = live(env);
    if (info.Length() < 1 || !info[0].IsArray()) throw codedError(env, codes::kInvalidArgument, "Expected an array of Float32Array parameters");
    Napi::Array arr = info[0].As<Napi::Array>();
    std::vector<ParamSpan> params;
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      Napi::Value v = arr.Get(i);
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
        throw codedError(env, codes::kInvalidArgument, "Expected parameter " + std::to_string(i) + " to be a Float32Array");
      auto f = v.As<Napi::Float32Array>();
      params.push_back({f.Data(), f.ElementLength()});
    }
    AveragerOptions opts;
    opts.everyBatches = info.Length() > 1 && info[1].IsNumber() ? static_cast<uint64_t>(std::max<int64_t>(0, info[1].As<Napi::Number>().Int64Value())) : 0;
    opts.everyMs = std::chrono::milliseconds(info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : 0);
    std::shared_ptr<Averager> a;
    try {
      a = std::make_shared<Averager>(g, std::move(params), opts);
    } catch (const DistError& e) {
      throw codedError(env, e.code(), e.what());
    }
    auto* ctors = env.GetInstanceData<Constructors>();
    return ctors->averager.New({Napi::External<std::shared_ptr<Averager>>::New(env, &a), arr});
  }

  // An external the main addon's setCollectiveBackend() takes; it keeps the group alive.
  Napi::Value collectiveBackend(const Napi::CallbackInfo& info) {
    auto* lent = new LentGroup();
    lent->group = live(info.Env());
    lent->table = {kHogwildCollectiveMagic, 1, lent, lent->group->rank(), lent->group->size(), &lentAllreduce, &lentBroadcast, &lentBarrier};
    return Napi::External<void>::New(info.Env(), &lent->table, [lent](Napi::Env, void*) { delete lent; });
  }

  Napi::Value close(const Napi::CallbackInfo& info) {
    group_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<Group> group_;
};

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* ctors = new Constructors();
  Napi::Function group = GroupWrap::define(env);
  Napi::Function averager = AveragerWrap::define(env);
  ctors->group = Napi::Persistent(group);
  ctors->averager = Napi::Persistent(averager);
  env.SetInstanceData(ctors);
  exports.Set("Group", group);
  exports.Set("Averager", averager);
  exports.Set("glooVersion", Napi::String::New(env, "system"));
  return exports;
}

}  // namespace hogwild::dist

namespace {
Napi::Object InitGloo(Napi::Env env, Napi::Object exports) { return hogwild::dist::Init(env, exports); }
}  // namespace

NODE_API_MODULE(hogwild_gloo, InitGloo)
