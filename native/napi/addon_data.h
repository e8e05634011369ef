#pragma once
// Per-environment state of the addon (napi instance data), so the addon works
// in worker_threads with no mutable globals: our thread pool, the one
// thread-safe function that brings run completions and reports back to JS, the
// runs in flight, and the constructors of our wrapped classes.
//
// Lifecycle guarantees:
// - an env cleanup hook (worker exit, env teardown) and shutdownSync()
//   (process 'exit', which runs no cleanup hooks) cancel every run and join
//   every native thread before returning;
// - native threads reach JS only through Channel::post, which is a no-op once
//   the channel is closed, so no thread touches the TSFN after teardown.
//
// A Node-API addon has one instance-data slot per environment: other binding
// areas keep their per-environment state here too (add a member).
#include <napi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../exec/executor.h"
#include "../exec/thread_pool.h"

namespace hogwild::napi {

struct WorkspaceHandle;
class AddonData;

// What native threads send to the JS thread.
struct Message {
  enum class Kind { Reports, Done };
  Kind kind = Kind::Done;
  uint64_t runId = 0;
  bool ok = false;
  std::string code, text;  // Done with !ok
};

void deliverMessage(Napi::Env env, Napi::Function, AddonData* self, Message* message);
using Tsfn = Napi::TypedThreadSafeFunction<AddonData, Message, deliverMessage>;

// The TSFN as native threads see it: posting after close() frees the message instead.
class Channel {
 public:
  explicit Channel(Tsfn tsfn) : _tsfn(tsfn) {}
  void post(Message* m);  // takes ownership
  void close();

 private:
  std::mutex _mu;
  bool _open = true;
  Tsfn _tsfn;
};

// One run's report mailbox, shared with its native threads. Reports are
// coalesced per step (latest wins) and at most one delivery is queued at a
// time, so a slow JS thread sees fewer, fresher reports.
class RunShared {
 public:
  RunShared(uint64_t id, std::shared_ptr<Channel> channel) : _id(id), _channel(std::move(channel)) {}
  void report(const Report& r);
  std::vector<Report> take();
  Channel& channel() { return *_channel; }
  uint64_t id() const { return _id; }

 private:
  const uint64_t _id;
  std::shared_ptr<Channel> _channel;
  std::mutex _mu;
  std::map<std::string, Report> _pending;
  bool _posted = false;
};

class AddonData {
 public:
  // The environment's instance (created on first use).
  static AddonData& of(Napi::Env env);
  ~AddonData();

  Napi::FunctionReference workspaceClass, planClass, cancelClass;

  // Runs `plan` on `ws` on a pool thread; the Promise settles on the JS thread.
  Napi::Value startRun(Napi::Env env, std::shared_ptr<WorkspaceHandle> ws, std::shared_ptr<const CompiledPlan> plan,
                       std::shared_ptr<CancelToken> token, const Napi::Value& onReport);
  // Cancels the runs on `ws` (dispose); they reject with HOGWILD_DISPOSED.
  void cancelRunsOn(const WorkspaceHandle* ws);
  // Cancels every run and joins every native thread. Idempotent.
  void shutdown();
  bool isShutDown() const { return _shutDown; }
  size_t runsInFlight() const { return _runs.size(); }
  ThreadPool& pool() { return _pool; }

  void onMessage(Napi::Env env, Message& m);

 private:
  struct RunRecord;
  explicit AddonData(Napi::Env env);
  static void cleanupHook(void* self);
  static void finalize(Napi::Env env, AddonData* self);
  void deliverReports(Napi::Env env, RunRecord& rec);
  void finish(Napi::Env env, const Message& m);

  ThreadPool _pool;
  Tsfn _tsfn;
  std::shared_ptr<Channel> _channel;
  std::map<uint64_t, std::unique_ptr<RunRecord>> _runs;  // JS thread only
  uint64_t _nextRunId = 1;
  napi_env _hookEnv = nullptr;  // set while the cleanup hook is registered (removed by the finalizer)
  bool _shutDown = false;
};

}  // namespace hogwild::napi
