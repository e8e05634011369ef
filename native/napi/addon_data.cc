#include "addon_data.h"

#include "errors.h"
#include "workspace_wrap.h"

namespace hogwild::napi {

// ---- Channel and report mailbox (any thread) ----

void Channel::post(Message* m) {
  std::lock_guard<std::mutex> lock(_mu);
  if (!_open || _tsfn.NonBlockingCall(m) != napi_ok) delete m;
}

void Channel::close() {
  std::lock_guard<std::mutex> lock(_mu);
  _open = false;
}

void RunShared::report(const Report& r) {
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(_mu);
    _pending[r.step] = r;
    post = !_posted;
    _posted = true;
  }
  if (post) {
    auto* m = new Message();
    m->kind = Message::Kind::Reports;
    m->runId = _id;
    _channel->post(m);
  }
}

std::vector<Report> RunShared::take() {
  std::lock_guard<std::mutex> lock(_mu);
  std::vector<Report> out;
  for (auto& kv : _pending) out.push_back(std::move(kv.second));
  _pending.clear();
  _posted = false;
  return out;
}

// ---- AddonData (JS thread) ----

struct AddonData::RunRecord {
  explicit RunRecord(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise::Deferred deferred;
  Napi::FunctionReference onReport;
  Napi::Reference<Napi::Value> callbackError;  // what onReport threw; rejects the run
  std::shared_ptr<WorkspaceHandle> ws;
  std::shared_ptr<CancelToken> token;
  std::shared_ptr<RunShared> shared;
  bool disposed = false;
};

AddonData& AddonData::of(Napi::Env env) {
  AddonData* d = env.GetInstanceData<AddonData>();
  if (!d) {
    d = new AddonData(env);
    env.SetInstanceData<AddonData, &AddonData::finalize>(d);
  }
  return *d;
}

AddonData::AddonData(Napi::Env env) {
  _tsfn = Tsfn::New(env, "hogwild", 0, 1, this);
  _tsfn.Unref(env);  // only runs in flight keep the event loop alive
  _channel = std::make_shared<Channel>(_tsfn);
  // Registered after the TSFN's own hook, so it runs first (hooks run in
  // reverse order): our threads are joined while the TSFN still exists.
  if (napi_add_env_cleanup_hook(env, &AddonData::cleanupHook, this) == napi_ok) _hookEnv = env;
}

AddonData::~AddonData() { shutdown(); }

void AddonData::finalize(Napi::Env env, AddonData* self) {
  if (self->_hookEnv) napi_remove_env_cleanup_hook(env, &AddonData::cleanupHook, self);
  self->_hookEnv = nullptr;
  // Teardown: V8 frees what the references point to; do not call back into it.
  for (auto& kv : self->_runs) {
    kv.second->onReport.SuppressDestruct();
    kv.second->callbackError.SuppressDestruct();
  }
  delete self;
}

void AddonData::cleanupHook(void* arg) {
  auto* self = static_cast<AddonData*>(arg);
  self->_hookEnv = nullptr;
  self->shutdown();
}

void AddonData::shutdown() {
  if (_shutDown) return;
  _shutDown = true;
  for (auto& kv : _runs) kv.second->token->cancel();
  _pool.shutdown();  // every run has ended: cancelled plans stop between nets
  _channel->close();
  _tsfn.Release();
}

Napi::Value AddonData::startRun(Napi::Env env, std::shared_ptr<WorkspaceHandle> ws,
                                std::shared_ptr<const CompiledPlan> plan, std::shared_ptr<CancelToken> token,
                                const Napi::Value& onReport) {
  HW_CHECK(!_shutDown, codes::kAborted, "Expected a running hogwild addon but its native threads were shut down");
  uint64_t id = _nextRunId++;
  auto rec = std::make_unique<RunRecord>(env);
  if (onReport.IsFunction()) rec->onReport = Napi::Persistent(onReport.As<Napi::Function>());
  rec->ws = ws;
  rec->token = token;
  rec->shared = std::make_shared<RunShared>(id, _channel);
  Napi::Promise promise = rec->deferred.Promise();
  std::shared_ptr<RunShared> shared = rec->shared;
  bool reports = !rec->onReport.IsEmpty();

  ThreadPool* pool = &_pool;
  _pool.submit([ws, plan, token, shared, reports, pool]() mutable {
    auto* m = new Message();
    m->runId = shared->id();
    try {
      ReportSink sink;
      if (reports) sink = [&shared](const Report& r) { shared->report(r); };
      runPlan(*plan, ws->ws, *token, sink, pool);
      m->ok = true;
    } catch (const Error& e) {
      m->code = e.code();
      m->text = e.what();
    } catch (const std::exception& e) {
      m->code = codes::kInternal;
      m->text = e.what();
    } catch (...) {
      m->code = codes::kInternal;
      m->text = "Unknown native error";
    }
    // Let go of the workspace before JS learns the run ended: after that, JS may dispose it.
    ws.reset();
    plan.reset();
    shared->channel().post(m);
  });
  // Only now that the task is queued (submit may throw) does the run count.
  ++*ws->treeRuns;
  if (_runs.empty()) _tsfn.Ref(env);
  _runs.emplace(id, std::move(rec));
  return promise;
}

void AddonData::cancelRunsOn(const WorkspaceHandle* ws) {
  for (auto& kv : _runs) {
    if (kv.second->ws.get() != ws) continue;
    kv.second->disposed = true;
    kv.second->token->cancel();
  }
}

void deliverMessage(Napi::Env env, Napi::Function, AddonData* self, Message* message) {
  std::unique_ptr<Message> m(message);
  if (env == nullptr || self == nullptr) return;  // the TSFN is being torn down: just free it
  try {
    self->onMessage(env, *m);
  } catch (...) {
    // Nothing may escape a C callback; a JS exception stays pending and surfaces as uncaught.
  }
}

void AddonData::onMessage(Napi::Env env, Message& m) {
  auto it = _runs.find(m.runId);
  if (it == _runs.end()) return;
  if (m.kind == Message::Kind::Reports) {
    deliverReports(env, *it->second);
  } else {
    finish(env, m);
  }
}

void AddonData::deliverReports(Napi::Env env, RunRecord& rec) {
  std::vector<Report> reports = rec.shared->take();
  if (rec.onReport.IsEmpty() || !rec.callbackError.IsEmpty()) return;
  for (const Report& r : reports) {
    Napi::HandleScope scope(env);
    Napi::Object values = Napi::Object::New(env);
    for (size_t i = 0; i < r.names.size(); ++i) values.Set(r.names[i], Napi::Number::New(env, r.values[i]));
    Napi::Object js = Napi::Object::New(env);
    js.Set("step", r.step);
    js.Set("values", values);
    try {
      rec.onReport.Call({js});
    } catch (const Napi::Error& e) {
      // A throwing callback ends the run and becomes its rejection.
      rec.callbackError = Napi::Persistent(e.Value().As<Napi::Value>());
      rec.token->cancel();
      return;
    }
  }
}

void AddonData::finish(Napi::Env env, const Message& m) {
  auto it = _runs.find(m.runId);
  std::unique_ptr<RunRecord> rec = std::move(it->second);
  _runs.erase(it);
  --*rec->ws->treeRuns;
  if (_runs.empty() && !_shutDown) _tsfn.Unref(env);
  Napi::HandleScope scope(env);
  if (!rec->callbackError.IsEmpty()) {
    rec->deferred.Reject(rec->callbackError.Value());
  } else if (m.ok) {
    rec->deferred.Resolve(env.Undefined());
  } else if (rec->disposed && m.code == codes::kAborted) {
    rec->deferred.Reject(jsError(env, codes::kDisposed, "Expected a live Workspace but it was disposed while a plan ran").Value());
  } else {
    rec->deferred.Reject(jsError(env, m.code.c_str(), m.text).Value());
  }
}

}  // namespace hogwild::napi
