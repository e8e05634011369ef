// Collective ops (Caffe2's Gloo ops): Allreduce, Broadcast and Barrier on the
// process group the optional multi-node module installed. Without one they
// fail with HOGWILD_NO_DISTRIBUTED. Each op instance uses its own tag (from
// its first blob's name), so collectives in parallel branches of a net do not
// mix up their messages; every rank must run the same net.
#include <atomic>
#include <cstring>
#include <functional>
#include <string>

#include "collective_backend.h"
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {

namespace {
std::atomic<const HogwildCollectiveV1*> gBackend{nullptr};

// Codes the backend may report, as static strings (Error keeps the pointer).
const char* staticCode(const std::string& code) {
  static const char* const known[] = {"HOGWILD_PEER_LOST", "HOGWILD_DISTRIBUTED_FAILED", "HOGWILD_INVALID_ARGUMENT", "HOGWILD_OUT_OF_MEMORY",
                                      "HOGWILD_DISPOSED"};
  for (const char* k : known)
    if (code == k) return k;
  return codes::kOpFailed;
}

class CollectiveOp : public BasicOp {
 public:
  CollectiveOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    if (numInputs() != numOutputs())
      fail(codes::kInvalidArgument, "Expected as many outputs as inputs (each output is its input, reduced) but received " +
                                        std::to_string(numInputs()) + " inputs and " + std::to_string(numOutputs()) + " outputs");
    const std::string key = def.type + ":" + (numOutputs() > 0 ? outputName(0) : def.name);
    // Tags 1 and 2 are the JS collectives' and the averager's; ops use the rest.
    _tag = 16 + static_cast<uint32_t>(std::hash<std::string>{}(key) % 0x7fffff00u);
  }

 protected:
  const HogwildCollectiveV1& backend() const {
    const HogwildCollectiveV1* b = gBackend.load();
    if (!b)
      fail("HOGWILD_NO_DISTRIBUTED",
           "Expected a process group for this collective op but none is installed (join one with hogwild/distributed: "
           "ProcessGroup.useInNets(), or run the job with hogwild launch)");
    return *b;
  }
  // The float32 tensor of output i, holding input i's values.
  Tensor& prepared(size_t i) {
    const Tensor& in = input(i);
    expectDtype(i, in, DType::Float32);
    if (!outputIsInput(i, i)) output(i).copyFrom(in);
    return output(i);
  }
  void check(int rc, const char* err) const {
    if (rc == 0) return;
    std::string text(err);
    auto tab = text.find('\t');
    fail(staticCode(tab == std::string::npos ? "" : text.substr(0, tab)), tab == std::string::npos ? text : text.substr(tab + 1));
  }
  uint32_t _tag = 16;
};

class AllreduceOp final : public CollectiveOp {
 public:
  AllreduceOp(const OperatorDef& def, Workspace& ws) : CollectiveOp(def, ws) {
    const std::string r = argString("reduce", "sum");
    if (r == "sum") _op = 0;
    else if (r == "mean") _op = 1;
    else if (r == "max") _op = 2;
    else if (r == "min") _op = 3;
    else fail(codes::kInvalidArgument, "Expected reduce 'sum', 'mean', 'max' or 'min' but received '" + r + "'");
  }
  void run(RunContext&) override {
    const auto& b = backend();
    char err[512] = {0};
    for (size_t i = 0; i < numInputs(); ++i) {
      Tensor& t = prepared(i);
      check(b.allreduce(b.ctx, t.data<float>(), static_cast<size_t>(t.numel()), _op, _tag, err, sizeof err), err);
    }
  }

 private:
  int _op = 0;
};

class BroadcastOp final : public CollectiveOp {
 public:
  BroadcastOp(const OperatorDef& def, Workspace& ws) : CollectiveOp(def, ws) { _root = argInt("root", 0); }
  void run(RunContext&) override {
    const auto& b = backend();
    if (_root < 0 || _root >= b.size)
      fail(codes::kInvalidArgument, "Expected root in [0, " + std::to_string(b.size) + ") but received " + std::to_string(_root));
    char err[512] = {0};
    for (size_t i = 0; i < numInputs(); ++i) {
      Tensor& t = prepared(i);
      check(b.broadcast(b.ctx, t.data<float>(), static_cast<size_t>(t.numel()), static_cast<int>(_root), _tag, err, sizeof err), err);
    }
  }

 private:
  int64_t _root = 0;
};

class BarrierOp final : public CollectiveOp {
 public:
  using CollectiveOp::CollectiveOp;
  void run(RunContext&) override {
    const auto& b = backend();
    char err[512] = {0};
    check(b.barrier(b.ctx, _tag, err, sizeof err), err);
    // Inputs pass through, so the barrier can order the ops around it.
    for (size_t i = 0; i < numInputs(); ++i)
      if (!outputIsInput(i, i)) output(i).copyFrom(input(i));
  }
};

}  // namespace

void setCollectiveBackend(const HogwildCollectiveV1* backend) { gBackend.store(backend); }
const HogwildCollectiveV1* collectiveBackend() { return gBackend.load(); }

HW_REGISTER_OP(Allreduce, AllreduceOp).inputs(1, 64).outputs(1, 64).arg("reduce").describe(
    "Reduces each float32 input across the ranks of the installed process group (reduce: sum | mean | max | min); output i is input i reduced.");
HW_REGISTER_OP(Broadcast, BroadcastOp).inputs(1, 64).outputs(1, 64).arg("root").describe(
    "Copies rank `root`'s float32 inputs to every rank; output i is input i broadcast.");
HW_REGISTER_OP(Barrier, BarrierOp).inputs(0, 64).outputs(0, 64).describe(
    "Waits until every rank of the installed process group reaches it; inputs pass through to outputs.");

}  // namespace hogwild
