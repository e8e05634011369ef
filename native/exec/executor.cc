// The step-tree executor (docs/caffe2.md §1.3). A StepRunner binds one StepDef to
// the workspace it runs in; a StepInstance is that step compiled (nets
// instantiated, substep runners bound). Each runner is used by one thread at
// a time, so no op object is ever run by two threads at once.
#include <cmath>
#include <optional>

#include "../ops/registry.h"
#include "executor.h"
#include "net.h"
#include "reporter.h"
#include "run_state.h"

namespace hogwild {

namespace {

using exec_detail::Reporter;
using exec_detail::RunState;
using exec_detail::Stopped;

class StepRunner;

// A step compiled in a workspace. Members are destroyed in reverse order, so
// runners and nets go before the child workspace whose blobs they point to.
struct StepInstance {
  std::unique_ptr<Workspace> child;
  Workspace* ws = nullptr;
  std::vector<std::unique_ptr<Net>> nets;
  std::vector<std::unique_ptr<StepRunner>> workers;  // sequential: one per substep; concurrent: substeps x instances
  std::vector<std::unique_ptr<StepRunner>> reports;  // runEveryMs substeps
  bool concurrent = false;
};

class StepRunner {
 public:
  StepRunner(const StepDef& def, std::string path, Workspace& outer, RunState& st, int instance)
      : _def(def), _path(std::move(path)), _outer(outer), _st(st) {
    _ctx.cancelled = &st.token.cancelled;
    _ctx.instance = instance;
    // Caffe2 compiles a step once unless it makes a fresh workspace per execution.
    if (!def.createWorkspace) _cached = compile();
  }

  const StepDef& def() const { return _def; }

  void run() {
    if (_def.createWorkspace) {
      std::unique_ptr<StepInstance> fresh = compile();
      execute(*fresh);
    } else {
      execute(*_cached);
    }
  }

 private:
  std::unique_ptr<StepInstance> compile();
  void execute(StepInstance& in);
  void runConcurrent(StepInstance& in);
  bool shouldStop(const StepInstance& in) const;
  void report(const StepInstance& in) const;
  std::string childPath(const StepDef& sub, size_t i) const {
    return _path + "/" + (sub.name.empty() ? "#" + std::to_string(i) : sub.name);
  }

  const StepDef& _def;
  const std::string _path;
  Workspace& _outer;
  RunState& _st;
  RunContext _ctx;
  std::unique_ptr<StepInstance> _cached;
};

std::unique_ptr<StepInstance> StepRunner::compile() {
  auto in = std::make_unique<StepInstance>();
  if (_def.createWorkspace) {
    in->child = std::make_unique<Workspace>(&_outer);
    in->ws = in->child.get();
  } else {
    in->ws = &_outer;
  }
  for (const auto& name : _def.nets) in->nets.push_back(std::make_unique<Net>(*_st.plan.findNet(name), *in->ws, &_st.plan.producedBlobs()));

  std::vector<size_t> recurring;
  for (size_t i = 0; i < _def.substeps.size(); ++i) {
    const StepDef& sub = _def.substeps[i];
    if (sub.runEveryMs > 0) {
      in->reports.push_back(std::make_unique<StepRunner>(sub, childPath(sub, i), *in->ws, _st, _ctx.instance));
    } else {
      recurring.push_back(i);
    }
  }
  size_t instances = static_cast<size_t>(_def.numConcurrentInstances);
  in->concurrent = !recurring.empty() && ((_def.concurrentSubsteps && recurring.size() > 1) || instances > 1);
  size_t workers = in->concurrent ? recurring.size() * instances : recurring.size();
  for (size_t w = 0; w < workers; ++w) {
    const StepDef& sub = _def.substeps[recurring[w % recurring.size()]];
    int instance = in->concurrent ? static_cast<int>(w / recurring.size()) : _ctx.instance;
    in->workers.push_back(std::make_unique<StepRunner>(sub, childPath(sub, recurring[w % recurring.size()]), *in->ws, _st, instance));
  }

  if (!_def.shouldStopBlob.empty()) {
    HW_CHECK(in->ws->hasBlob(_def.shouldStopBlob), codes::kMissingBlob,
             "Step '" << _path << "': should-stop blob '" << _def.shouldStopBlob << "' does not exist");
  }
  return in;
}

bool StepRunner::shouldStop(const StepInstance& in) const {
  if (_def.shouldStopBlob.empty()) return false;
  const Blob* blob = in.ws->findBlob(_def.shouldStopBlob);
  const Tensor* t = blob ? blob->tensorOrNull() : nullptr;
  if (!t) return false;  // missing or uninitialized counts as false
  HW_CHECK(t->dtype() == DType::Bool && t->numel() == 1, codes::kDtypeMismatch,
           "Step '" << _path << "': expected a bool tensor of 1 element for should-stop blob '" << _def.shouldStopBlob
                    << "' but received " << dtypeName(t->dtype()) << " " << shapeString(t->shape()));
  // Read as a byte: a bool lvalue holding anything but 0/1 would be UB.
  return *static_cast<const uint8_t*>(t->raw()) != 0;
}

void StepRunner::execute(StepInstance& in) {
  _st.checkStop();
  int64_t iterations = _def.numIter >= 0 ? _def.numIter : (_def.shouldStopBlob.empty() ? 1 : INT64_MAX);
  if (_def.onlyOnce && iterations > 1) iterations = 1;

  std::optional<Reporter> reporter;
  if (!in.reports.empty()) {
    std::vector<Reporter::Task> tasks;
    for (auto& r : in.reports) tasks.push_back({r->def().runEveryMs, [step = r.get()] { step->run(); }});
    reporter.emplace(std::move(tasks), _st);
  }
  try {
    bool stop = false;
    for (int64_t iter = 0; iter < iterations && !stop; ++iter) {
      if (!in.nets.empty()) {
        for (auto& net : in.nets) {
          _st.checkStop();
          net->run(_ctx);
          if ((stop = shouldStop(in))) break;
        }
      } else if (!in.concurrent) {
        for (auto& sub : in.workers) {
          _st.checkStop();
          sub->run();
          if ((stop = shouldStop(in))) break;
        }
      } else {
        runConcurrent(in);
        stop = shouldStop(in);
      }
      _st.checkStop();  // between iterations too, so empty loops still end on cancel
    }
  } catch (...) {
    if (reporter) {
      _st.failCurrent();  // record it before the report threads stop, so they see the run is over
      reporter->stop(false);
    }
    throw;
  }
  if (reporter) reporter->stop(!_st.stopped());
  _st.checkStop();  // a report step may have failed
  report(in);
}

void StepRunner::runConcurrent(StepInstance& in) {
  WaitGroup wg(in.workers.size());
  for (auto& worker : in.workers) {
    StepRunner* w = worker.get();
    try {
      _st.pool.submit([this, w, &wg] {
        try {
          w->run();
        } catch (...) {
          _st.failCurrent();
        }
        wg.done();
      });
    } catch (...) {
      _st.failCurrent();
      wg.done();
    }
  }
  wg.wait();
  _st.checkStop();
}

void StepRunner::report(const StepInstance& in) const {
  if (_def.reportBlobs.empty() || !_st.sink) return;
  Report r;
  r.step = _def.name;
  for (const auto& name : _def.reportBlobs) {
    double v = std::nan("");
    if (const Blob* b = in.ws->findBlob(name)) {
      Tensor encoded;
      const Tensor* t = b->tensorOrNull();
      // Object kinds (a counter) report through their checkpoint encoding.
      if (!t && b->objectPtr() && b->objectPtr()->serialize(&encoded)) t = &encoded;
      if (t && t->numel() == 1) {
        switch (t->dtype()) {
          case DType::Float32: v = *t->data<float>(); break;
          case DType::Float64: v = *t->data<double>(); break;
          case DType::Int32: v = *t->data<int32_t>(); break;
          case DType::Int64: v = static_cast<double>(*t->data<int64_t>()); break;
          case DType::Uint8: v = *t->data<uint8_t>(); break;
          case DType::Bool: v = *static_cast<const uint8_t*>(t->raw()) ? 1 : 0; break;
        }
      }
    }
    r.names.push_back(name);
    r.values.push_back(v);
  }
  _st.sink(r);
}

}  // namespace

void runPlan(const CompiledPlan& plan, Workspace& ws, CancelToken& cancel, const ReportSink& onReport, ThreadPool* pool) {
  std::optional<ThreadPool> local;
  if (!pool) pool = &local.emplace();
  RunState st(plan, cancel, *pool, onReport);
  try {
    const auto& steps = plan.def().steps;
    for (size_t i = 0; i < steps.size(); ++i) {
      st.checkStop();
      // Compiled just before it runs: earlier steps may create the blobs its ops check.
      StepRunner step(steps[i], steps[i].name.empty() ? "#" + std::to_string(i) : steps[i].name, ws, st, 0);
      step.run();
    }
  } catch (...) {
    st.failCurrent();
  }
  // Every helper was waited for by the step that started it; a private pool is now idle.
  if (local) local->shutdown();
  st.throwResult();
}

}  // namespace hogwild
