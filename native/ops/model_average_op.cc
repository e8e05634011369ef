// ModelAverage: model averaging of live workspace parameters across the ranks
// of the installed process group, run as a step of the training net (every
// `every` runs). Hogwild rule: the live blobs are never handed to the
// collective; the op copies them to a snapshot, allreduces a staging copy of
// the snapshot (mean) and adds mean - snapshot to the live values, so updates
// that other Hogwild threads make while the round is on the wire are kept.
//
// The run counter and the buffers are shared by every instance of the op with
// the same tag in this process (the Hogwild threads of one node run one
// instance each): the node as a whole averages every `every` batches, and
// its rounds are serialized (a thread that is not due for a round never waits
// for one in flight). Every rank must run the op the same number of
// times (the same number of batches per rank), or a round waits for a peer
// that never comes and fails with HOGWILD_PEER_LOST after the group timeout.
#include <atomic>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collective_backend.h"
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {

namespace {

struct AverageState {
  std::atomic<uint64_t> runs{0};  // counted without the lock: other threads never wait on a round
  std::mutex mu;                  // held for a round (snapshot, allreduce, apply)
  std::vector<float> snapshot;
  std::vector<float> staging;
};

std::shared_ptr<AverageState> stateFor(uint32_t tag) {
  static std::mutex mu;
  static std::map<uint32_t, std::shared_ptr<AverageState>> states;
  std::lock_guard<std::mutex> lock(mu);
  auto& s = states[tag];
  if (!s) s = std::make_shared<AverageState>();
  return s;
}

class ModelAverageOp final : public BasicOp {
 public:
  ModelAverageOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    if (numInputs() != numOutputs())
      fail(codes::kInvalidArgument, "Expected ModelAverage's outputs to be its inputs (it averages them in place) but received " +
                                        std::to_string(numInputs()) + " inputs and " + std::to_string(numOutputs()) + " outputs");
    for (size_t i = 0; i < numInputs(); ++i)
      if (!outputIsInput(i, i))
        fail(codes::kInvalidArgument, "Expected ModelAverage's output " + std::to_string(i) + " to be its input '" + inputName(i) +
                                          "' (it averages live parameters in place) but it is '" + outputName(i) + "'");
    const int64_t every = argInt("every", 1);
    if (every < 1) fail(codes::kInvalidArgument, "Expected every >= 1 (average every that many runs) but received " + std::to_string(every));
    _every = static_cast<uint64_t>(every);
    // Tags below 16 are the JS collectives' and the averager's; collective ops use the rest.
    const std::string key = "ModelAverage:" + (numInputs() > 0 ? inputName(0) : def.name);
    _tag = 16 + static_cast<uint32_t>(std::hash<std::string>{}(key) % 0x7fffff00u);
    _state = stateFor(_tag);
  }

  void run(RunContext&) override {
    const HogwildCollectiveV1* b = collectiveBackend();
    if (!b)
      fail("HOGWILD_NO_DISTRIBUTED",
           "Expected a process group for ModelAverage but none is installed (join one with hogwild/distributed: "
           "ProcessGroup.useInNets(), or run the job with hogwild launch)");
    std::vector<Tensor*> params;
    size_t total = 0;
    for (size_t i = 0; i < numInputs(); ++i) {
      Tensor& t = output(i);
      expectDtype(i, t, DType::Float32);
      params.push_back(&t);
      total += static_cast<size_t>(t.numel());
    }
    AverageState& s = *_state;
    if ((s.runs.fetch_add(1) + 1) % _every != 0) return;
    std::lock_guard<std::mutex> lock(s.mu);
    s.snapshot.resize(total);
    s.staging.resize(total);
    size_t at = 0;
    for (Tensor* t : params) {
      std::memcpy(s.snapshot.data() + at, t->data<float>(), sizeof(float) * static_cast<size_t>(t->numel()));
      at += static_cast<size_t>(t->numel());
    }
    std::memcpy(s.staging.data(), s.snapshot.data(), sizeof(float) * total);
    char err[512] = {0};
    if (b->allreduce(b->ctx, s.staging.data(), total, 1 /* mean */, _tag, err, sizeof err) != 0) {
      std::string text(err);
      auto tab = text.find('\t');
      const std::string code = tab == std::string::npos ? "" : text.substr(0, tab);
      fail(code == "HOGWILD_PEER_LOST" ? "HOGWILD_PEER_LOST" : "HOGWILD_DISTRIBUTED_FAILED", tab == std::string::npos ? text : text.substr(tab + 1));
    }
    at = 0;
    for (Tensor* t : params) {
      float* w = t->data<float>();
      const size_t n = static_cast<size_t>(t->numel());
      for (size_t j = 0; j < n; ++j) w[j] += s.staging[at + j] - s.snapshot[at + j];
      at += n;
    }
  }

 private:
  uint64_t _every = 1;
  uint32_t _tag = 16;
  std::shared_ptr<AverageState> _state;
};

}  // namespace

HW_REGISTER_OP(ModelAverage, ModelAverageOp).inputs(1, 64).outputs(1, 64).arg("every").describe(
    "Model averaging of live float32 parameters across the ranks (every `every` runs of the op in this process): snapshot, "
    "allreduce (mean) a copy, then w += mean - snapshot, so concurrent Hogwild updates are kept. Outputs must be the inputs.");

}  // namespace hogwild
