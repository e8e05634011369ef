// Checkpoint exports (CheckpointBinding in lib/native/checkpointTypes.ts).
//
// Saves and loads run on a thread of their own (never libuv's pool, never the
// plan pool) and settle a Promise through a per-call thread-safe function.
// What crosses to that thread is plain C++: blob tensors shared by reference
// count (no copy; the writer streams from blob memory), object blobs encoded
// on the JS thread, and paths. An asynchronous save (checkpointSaveSnapshot)
// instead copies the tensors into its saver's reused arena on the JS thread
// and writes that copy. A load maps the file and checks every CRC off the JS
// thread (tensors served from the mapping or copied into fresh staging), then
// on the JS thread copies into the workspace's own same-shape tensors and
// swaps the rest in, all or nothing.
//
// Lifetimes: the threads are detached and count themselves in a per-env
// record; the env cleanup hook (worker exit, env teardown) waits for them.
// Process exit kills them mid-write, which the commit protocol makes safe
// (a temp file is left and swept later).
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "../checkpoint/errors.h"
#include "../checkpoint/json.h"
#include "../checkpoint/reader.h"
#include "../checkpoint/snapshot.h"
#include "../checkpoint/workspace_io.h"
#include "../checkpoint/writer.h"
#include "errors.h"
#include "js_convert.h"
#include "registrations.h"
#include "workspace_wrap.h"

namespace hogwild::napi {

namespace {

using namespace hogwild::ckpt;

// ---- errors ----

// A JS error for the exception in flight, with the checkpoint extras:
// CorruptError -> code HOGWILD_CHECKPOINT_CORRUPT + reason (+ path);
// IoError -> code "ENOSPC"/"EIO"/... + errno (negative, like Node) + syscall + path.
Napi::Error checkpointJsError(Napi::Env env, std::exception_ptr ep, const std::string& path) {
  try {
    std::rethrow_exception(ep);
  } catch (const CorruptError& e) {
    std::string message = e.what();
    if (!path.empty() && message.find(path) == std::string::npos) message += " (file '" + path + "')";
    Napi::Error err = jsError(env, e.code(), message);
    err.Set("reason", e.reason());
    if (!path.empty()) err.Set("path", path);
    return err;
  } catch (const IoError& e) {
    Napi::Error err = jsError(env, e.code(), e.what());
    err.Set("errno", Napi::Number::New(env, -e.err()));
    err.Set("syscall", e.syscall());
    err.Set("path", e.path());
    return err;
  } catch (...) {
    return currentJsError(env);
  }
}

// ---- background work ----

// In-flight threads of one environment; the cleanup hook waits for them.
struct Inflight {
  std::mutex mu;
  std::condition_variable cv;
  int count = 0;
  bool closed = false;
  // Set by checkpointShutdownSync (process 'exit', which runs no cleanup
  // hooks): threads still writing finish or die with the process, but never
  // touch their thread-safe function again.
  bool exiting = false;

  static void cleanupHook(void* arg) {
    auto* self = static_cast<Inflight*>(arg);
    std::unique_lock<std::mutex> lock(self->mu);
    self->closed = true;
    self->cv.wait(lock, [self] { return self->count == 0; });
    lock.unlock();
    delete self;
  }
};

struct Job {
  // Runs on the background thread; may throw.
  std::function<void()> work;
  // Runs on the JS thread after `work` succeeded; returns the resolution value; may throw.
  std::function<Napi::Value(Napi::Env)> finish;
  std::string path;  // for error messages
  std::exception_ptr error;
  Napi::Promise::Deferred deferred;
  explicit Job(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

void settle(Napi::Env env, Napi::Function, std::nullptr_t*, Job* job) {
  std::unique_ptr<Job> owned(job);
  if (env == nullptr) return;  // environment torn down: nobody is waiting
  Napi::HandleScope scope(env);
  if (!job->error) {
    try {
      job->deferred.Resolve(job->finish(env));
      return;
    } catch (...) {
      job->error = std::current_exception();
    }
  }
  job->deferred.Reject(checkpointJsError(env, job->error, job->path).Value());
}

using Tsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, Job, settle>;

// Starts `job` on a thread of its own; returns its Promise.
Napi::Value startJob(Napi::Env env, Inflight* inflight, std::unique_ptr<Job> job) {
  {
    std::lock_guard<std::mutex> lock(inflight->mu);
    HW_CHECK(!inflight->closed, codes::kAborted, "Expected a live environment for a checkpoint operation");
    ++inflight->count;
  }
  Napi::Promise promise = job->deferred.Promise();
  try {
    Tsfn tsfn = Tsfn::New(env, "hogwild-checkpoint", 0, 1, nullptr);
    Job* raw = job.release();
    std::thread([tsfn, raw, inflight]() mutable {
      try {
        raw->work();
      } catch (...) {
        raw->error = std::current_exception();
      }
      raw->work = nullptr;  // drop the blob references before JS learns the operation ended
      std::lock_guard<std::mutex> lock(inflight->mu);
      if (inflight->exiting) {
        delete raw;  // nobody will be told: the process is exiting
      } else {
        // The queue is unbounded, so this never blocks while holding the lock.
        if (tsfn.BlockingCall(raw) != napi_ok) delete raw;  // environment closing
        tsfn.Release();
      }
      --inflight->count;
      inflight->cv.notify_all();
    }).detach();
  } catch (...) {
    std::lock_guard<std::mutex> lock(inflight->mu);
    --inflight->count;
    throw;
  }
  return promise;
}

// ---- argument helpers ----

std::shared_ptr<WorkspaceHandle> idleWorkspace(const Napi::Value& v, const char* what) {
  std::shared_ptr<WorkspaceHandle> h = unwrapWorkspaceHandle(v, "workspace");
  HW_CHECK(*h->treeRuns == 0, codes::kBusy,
           "Expected no plan running on the workspace for " << what << "() but " << *h->treeRuns << " are running");
  return h;
}

std::vector<std::pair<std::string, std::string>> toStringMap(const Napi::Value& v, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  Napi::Object o = toObject(v, name);
  Napi::Array keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    std::string k = toStr(keys.Get(i), name + " key");
    out.emplace_back(k, toStr(o.Get(k), name + "." + k));
  }
  return out;
}

Napi::Object headerToJs(Napi::Env env, const Header& h, uint64_t fileBytes) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("epoch", Napi::Number::New(env, static_cast<double>(h.epoch)));
  o.Set("node", h.node);
  Napi::Object meta = Napi::Object::New(env);
  for (const auto& kv : h.meta) meta.Set(kv.first, kv.second);
  o.Set("meta", meta);
  Napi::Array blobs = Napi::Array::New(env, h.entries.size());
  for (size_t i = 0; i < h.entries.size(); ++i) {
    const Entry& e = h.entries[i];
    Napi::Object b = Napi::Object::New(env);
    b.Set("name", e.name);
    b.Set("kind", e.kind);
    b.Set("dtype", dtypeName(e.dtype));
    Napi::Array shape = Napi::Array::New(env, e.shape.size());
    for (size_t k = 0; k < e.shape.size(); ++k) shape.Set(k, Napi::Number::New(env, static_cast<double>(e.shape[k])));
    b.Set("shape", shape);
    b.Set("bytes", Napi::Number::New(env, static_cast<double>(e.bytes())));
    blobs.Set(i, b);
  }
  o.Set("blobs", blobs);
  o.Set("fileBytes", Napi::Number::New(env, static_cast<double>(fileBytes)));
  return o;
}

// ---- exports ----

// checkpointSave(ws, path, blobNames, epoch, node, meta?) -> Promise<{ bytes }>
Napi::Value Save(const Napi::CallbackInfo& info, Inflight* inflight) {
  Napi::Env env = info.Env();
  std::shared_ptr<WorkspaceHandle> handle = idleWorkspace(info[0], "checkpointSave");
  auto req = std::make_shared<SaveRequest>();
  req->path = toStr(info[1], "path", false);
  std::vector<std::string> names = toStrings(info[2], "blobNames");
  req->epoch = toInt(info[3], "epoch", 0, json::kMaxSafeInteger);
  req->node = toStr(info[4], "node");
  req->meta = toStringMap(info[5], "meta");
  req->items = captureBlobs(handle->ws, names);  // shares tensor buffers; encodes objects now
  auto result = std::make_shared<SaveResult>();
  auto job = std::make_unique<Job>(env);
  job->path = req->path;
  job->work = [req, result] { *result = writeCheckpoint(*req); };
  job->finish = [result](Napi::Env e) -> Napi::Value {
    Napi::Object o = Napi::Object::New(e);
    o.Set("bytes", Napi::Number::New(e, static_cast<double>(result->bytes)));
    return o;
  };
  return startJob(env, inflight, std::move(job));
}

// checkpointSaverNew() -> External: an asynchronous saver (its snapshot arena).
Napi::Value SaverNew(const Napi::CallbackInfo& info, Inflight*) {
  auto* holder = new std::shared_ptr<SnapshotArena>(std::make_shared<SnapshotArena>());
  return Napi::External<std::shared_ptr<SnapshotArena>>::New(info.Env(), holder,
                                                             [](Napi::Env, std::shared_ptr<SnapshotArena>* p) { delete p; });
}

std::shared_ptr<SnapshotArena> unwrapSaver(const Napi::Value& v) {
  HW_CHECK(v.IsExternal(), codes::kInvalidArgument, "Expected a checkpoint saver for saver");
  return *v.As<Napi::External<std::shared_ptr<SnapshotArena>>>().Data();
}

// checkpointSaveSnapshot(saver, ws, path, blobNames, epoch, node, meta?) -> Promise<{ bytes }>
// Copies the blobs into the saver's arena now (on the JS thread, so the
// workspace is free when this returns) and writes that copy on a thread of its
// own. One save per saver at a time: HOGWILD_BUSY until the last one settled.
Napi::Value SaveSnapshot(const Napi::CallbackInfo& info, Inflight* inflight) {
  Napi::Env env = info.Env();
  std::shared_ptr<SnapshotArena> arena = unwrapSaver(info[0]);
  std::shared_ptr<WorkspaceHandle> handle = idleWorkspace(info[1], "checkpointSaveSnapshot");
  auto req = std::make_shared<SaveRequest>();
  req->path = toStr(info[2], "path", false);
  std::vector<std::string> names = toStrings(info[3], "blobNames");
  req->epoch = toInt(info[4], "epoch", 0, json::kMaxSafeInteger);
  req->node = toStr(info[5], "node");
  req->meta = toStringMap(info[6], "meta");
  req->items = captureBlobs(handle->ws, names);
  arena->snapshot(req->items);  // from here the arena is busy until the write ends
  auto result = std::make_shared<SaveResult>();
  auto job = std::make_unique<Job>(env);
  job->path = req->path;
  job->work = [req, result, arena] {
    struct Release {
      SnapshotArena* a;
      ~Release() { a->release(); }
    } release{arena.get()};
    *result = writeCheckpoint(*req);
  };
  job->finish = [result](Napi::Env e) -> Napi::Value {
    Napi::Object o = Napi::Object::New(e);
    o.Set("bytes", Napi::Number::New(e, static_cast<double>(result->bytes)));
    return o;
  };
  try {
    return startJob(env, inflight, std::move(job));
  } catch (...) {
    arena->release();
    throw;
  }
}

// checkpointLoad(ws, path, blobNames | null, { allowMissing?, epoch?, node?, readOnly? })
//   -> Promise<{ loaded: string[], epoch, node }>
Napi::Value Load(const Napi::CallbackInfo& info, Inflight* inflight) {
  Napi::Env env = info.Env();
  std::shared_ptr<WorkspaceHandle> handle = idleWorkspace(info[0], "checkpointLoad");
  std::string path = toStr(info[1], "path", false);
  bool all = info[2].IsNull() || info[2].IsUndefined();
  std::vector<std::string> names = all ? std::vector<std::string>{} : toStrings(info[2], "blobNames");
  StageOptions stage;
  stage.all = all;
  bool allowMissing = false;
  int64_t wantEpoch = -1;
  bool checkNode = false;
  std::string wantNode;
  if (!isMissing(info[3])) {
    Napi::Object opts = toObject(info[3], "options");
    if (!isMissing(opts.Get("allowMissing"))) allowMissing = toBool(opts.Get("allowMissing"), "options.allowMissing");
    if (!isMissing(opts.Get("epoch"))) wantEpoch = toInt(opts.Get("epoch"), "options.epoch", 0, json::kMaxSafeInteger);
    if (!isMissing(opts.Get("node"))) {
      wantNode = toStr(opts.Get("node"), "options.node");
      checkNode = true;
    }
    Napi::Value readOnly = opts.Get("readOnly");
    if (readOnly.IsArray()) {
      for (const auto& n : toStrings(readOnly, "options.readOnly")) stage.mapNames.insert(n);
    } else if (!isMissing(readOnly)) {
      stage.mapAll = toBool(readOnly, "options.readOnly");
    }
  }
  stage.allowMissing = allowMissing;
  // Which tensors the workspace already owns memory for (read here, on the JS
  // thread): those are copied into place after validation, not into new pages.
  if (!stage.mapAll) stage.inPlace = ownedTensorShapes(handle->ws, names, all);
  struct State {
    std::vector<StagedBlob> staged;
    int64_t epoch = 0;
    std::string node;
  };
  auto state = std::make_shared<State>();
  auto job = std::make_unique<Job>(env);
  job->path = path;
  job->work = [=] {
    CheckpointFile f = CheckpointFile::open(path);
    if (wantEpoch >= 0 && f.header().epoch != wantEpoch) {
      HW_CORRUPT(reasons::kMismatch, "Checkpoint '" << path << "' holds epoch " << f.header().epoch << " but its name says " << wantEpoch);
    }
    if (checkNode && f.header().node != wantNode) {
      HW_CORRUPT(reasons::kMismatch, "Checkpoint '" << path << "' belongs to node '" << f.header().node << "' but its name says '" << wantNode << "'");
    }
    state->staged = stageBlobs(f, names, stage);
    state->epoch = f.header().epoch;
    state->node = f.header().node;
  };
  job->finish = [state, handle](Napi::Env e) -> Napi::Value {
    HW_CHECK(*handle->treeRuns == 0, codes::kBusy, "Expected no plan running on the workspace when checkpointLoad() swaps blobs in");
    std::vector<std::string> loaded;
    for (const auto& s : state->staged) loaded.push_back(s.name);
    applyBlobs(handle->ws, std::move(state->staged));
    Napi::Object o = Napi::Object::New(e);
    Napi::Array arr = Napi::Array::New(e, loaded.size());
    for (size_t i = 0; i < loaded.size(); ++i) arr.Set(i, loaded[i]);
    o.Set("loaded", arr);
    o.Set("epoch", Napi::Number::New(e, static_cast<double>(state->epoch)));
    o.Set("node", state->node);
    return o;
  };
  return startJob(env, inflight, std::move(job));
}

// checkpointInspect(path, verifyData) -> Promise<CheckpointInfo>
Napi::Value Inspect(const Napi::CallbackInfo& info, Inflight* inflight) {
  Napi::Env env = info.Env();
  std::string path = toStr(info[0], "path", false);
  bool verify = toBool(info[1], "verifyData");
  struct State {
    Header header;
    uint64_t size = 0;
  };
  auto state = std::make_shared<State>();
  auto job = std::make_unique<Job>(env);
  job->path = path;
  job->work = [=] {
    CheckpointFile f = CheckpointFile::open(path);
    if (verify) f.verifyData();
    state->header = f.header();
    state->size = f.fileSize();
  };
  job->finish = [state](Napi::Env e) -> Napi::Value { return headerToJs(e, state->header, state->size); };
  return startJob(env, inflight, std::move(job));
}

// checkpointRemoveFiles(paths) -> number removed. Each unlink is a crash point;
// the directories are fsynced afterwards.
Napi::Value RemoveFiles(const Napi::CallbackInfo& info) {
  std::vector<std::string> paths = toStrings(info[0], "paths");
  std::vector<std::string> dirs;
  int removed = 0;
  std::exception_ptr first;
  for (const auto& p : paths) {
    try {
      if (removeFile(p)) {
        ++removed;
        std::string d = dirName(p);
        if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
      }
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  for (const auto& d : dirs) {
    try {
      syncDirectory(d);
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) throw checkpointJsError(info.Env(), first, "");
  return Napi::Number::New(info.Env(), removed);
}

// checkpointTempInfo(fileName) -> { finalName, pid } | null
Napi::Value TempInfo(const Napi::CallbackInfo& info) {
  std::string name = toStr(info[0], "fileName");
  std::string finalName;
  long pid = 0;
  if (!parseTempName(name, &finalName, &pid)) return info.Env().Null();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("finalName", finalName);
  o.Set("pid", Napi::Number::New(info.Env(), static_cast<double>(pid)));
  return o;
}

}  // namespace

void registerCheckpoint(Napi::Env env, Napi::Object exports) {
  auto* inflight = new Inflight();
  if (napi_add_env_cleanup_hook(env, &Inflight::cleanupHook, inflight) != napi_ok) {
    delete inflight;
    NAPI_THROW_VOID(Napi::Error::New(env, "Failed to register the checkpoint cleanup hook"));
  }
  // `inflight` lives until the cleanup hook, after which no JS runs.
  auto wrapAsync = [inflight](Napi::Value (*fn)(const Napi::CallbackInfo&, Inflight*)) {
    return [inflight, fn](const Napi::CallbackInfo& info) -> Napi::Value {
      try {
        return fn(info, inflight);
      } catch (...) {
        throw checkpointJsError(info.Env(), std::current_exception(), "");
      }
    };
  };
  exports.Set("checkpointSave", Napi::Function::New(env, wrapAsync(&Save), "checkpointSave"));
  exports.Set("checkpointSaverNew", Napi::Function::New(env, wrapAsync(&SaverNew), "checkpointSaverNew"));
  exports.Set("checkpointSaveSnapshot", Napi::Function::New(env, wrapAsync(&SaveSnapshot), "checkpointSaveSnapshot"));
  exports.Set("checkpointLoad", Napi::Function::New(env, wrapAsync(&Load), "checkpointLoad"));
  exports.Set("checkpointInspect", Napi::Function::New(env, wrapAsync(&Inspect), "checkpointInspect"));
  exports.Set("checkpointRemoveFiles", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                try {
                  return RemoveFiles(info);
                } catch (const Napi::Error&) {
                  throw;
                } catch (...) {
                  throw checkpointJsError(info.Env(), std::current_exception(), "");
                }
              }, "checkpointRemoveFiles"));
  exports.Set("checkpointShutdownSync", Napi::Function::New(env, [inflight](const Napi::CallbackInfo& info) -> Napi::Value {
                std::lock_guard<std::mutex> lock(inflight->mu);
                inflight->closed = true;
                inflight->exiting = true;
                return info.Env().Undefined();
              }, "checkpointShutdownSync"));
  exports.Set("checkpointTempInfo", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                return guard(info.Env(), [&] { return TempInfo(info); });
              }, "checkpointTempInfo"));
}

}  // namespace hogwild::napi
