#pragma once
// Base class of every operator. An op is instantiated once per workspace it runs
// in: the constructor resolves its blobs, reads and checks its arguments and the
// shapes it can already see, so a bad plan fails before any thread starts.
// `run` checks what only exists at run time and does the work.
#include <atomic>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "../core/workspace.h"
#include "operator_def.h"

namespace hogwild {

// What an op can see of the execution around it.
struct RunContext {
  // Set when the run is cancelled (abort, or a failure elsewhere). Ops that
  // block (queue waits) poll it and return by throwing HOGWILD_ABORTED.
  const std::atomic<bool>* cancelled = nullptr;
  // Index of the concurrent instance running this net (0 outside instances).
  int instance = 0;
  bool isCancelled() const { return cancelled && cancelled->load(std::memory_order_relaxed); }
};

class Operator {
 public:
  Operator(const OperatorDef& def, Workspace& ws);
  virtual ~Operator() = default;
  virtual void run(RunContext& ctx) = 0;

  const OperatorDef& def() const { return _def; }
  // "FC 'name'" style label for messages.
  std::string label() const;

 protected:
  size_t numInputs() const { return _inputs.size(); }
  size_t numOutputs() const { return _outputs.size(); }
  const std::string& inputName(size_t i) const { return _def.inputs.at(i); }
  const std::string& outputName(size_t i) const { return _def.outputs.at(i); }
  Blob& inputBlob(size_t i) const { return *_inputs.at(i); }
  Blob& outputBlob(size_t i) const { return *_outputs.at(i); }
  // The input tensor; throws naming the op and blob when it is not an initialized tensor.
  const Tensor& input(size_t i) const;
  // For checks at instantiation: the input tensor when it is an external input
  // of the plan (a parameter, a fed blob) that is already initialized, else
  // nullptr. Blobs some op of the plan produces may still hold a previous run's
  // shapes (another batch size), so they are only checked at run time.
  const Tensor* inputIfReady(size_t i) const {
    return _inputProduced.at(i) ? nullptr : _inputs.at(i)->tensorOrNull();
  }
  Tensor& output(size_t i) { return _outputs.at(i)->mutableTensor(); }

  bool hasArg(const std::string& name) const { return _def.args.count(name) > 0; }
  int64_t argInt(const std::string& name, int64_t fallback) const;
  double argFloat(const std::string& name, double fallback) const;  // rejects NaN
  std::string argString(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> argInts(const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::vector<double> argFloats(const std::string& name, std::vector<double> fallback = {}) const;
  std::vector<std::string> argStrings(const std::string& name, std::vector<std::string> fallback = {}) const;

  // Shape/dtype checks with the op, the blob and expected vs received in the message.
  void expectDtype(size_t input, const Tensor& t, DType dtype) const;
  void expectNdim(size_t input, const Tensor& t, int64_t ndim) const;
  void expectShape(size_t input, const Tensor& t, const Shape& shape) const;
  [[noreturn]] void fail(const char* code, const std::string& message) const;

 private:
  OperatorDef _def;
  std::vector<Blob*> _inputs;
  std::vector<Blob*> _outputs;
  std::vector<bool> _inputProduced;
};

// Names of the blobs produced by the ops of the plan being instantiated; set by
// Net while it constructs its ops (thread-local, so concurrent instantiations
// in different threads do not interfere).
class ProducedBlobsScope {
 public:
  explicit ProducedBlobsScope(const std::set<std::string>* produced);
  ~ProducedBlobsScope();
  static const std::set<std::string>* current();

 private:
  const std::set<std::string>* _previous;
};

}  // namespace hogwild
