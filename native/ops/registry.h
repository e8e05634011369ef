#pragma once
// The operator registry: one schema per op type (input/output counts, the
// argument names it accepts, its factory and its gradient maker). Schemas are
// registered at load by static registrars beside each kernel and never change
// afterwards, so lookups need no lock.
//
//   HW_REGISTER_OP(Relu, ReluOp).inputs(1).outputs(1).allowInplace().gradient(reluGrad);
#include <climits>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "operator.h"

namespace hogwild {

// How the gradient of one op input is represented after its gradient ops run.
struct GradientSpec {
  enum class Kind { None, Dense, Sparse };
  Kind kind = Kind::None;
  std::string dense;    // Dense: the gradient blob
  std::string indices;  // Sparse: row indices into the input...
  std::string values;   // ...and the gradient rows for them
};

struct GradientDefs {
  std::vector<OperatorDef> ops;
  std::vector<GradientSpec> inputs;  // one per forward input
};

// `outputGrads[i]` names the gradient of forward output i ("" when it has none).
using GradientMaker = std::function<GradientDefs(const OperatorDef& def, const std::vector<std::string>& outputGrads)>;
// The same, told which input gradients are wanted (`wanted[i]`: some parameter
// reaches input i), so it can skip work for the others (FCGradient without dX).
using PrunableGradientMaker = std::function<GradientDefs(
    const OperatorDef& def, const std::vector<std::string>& outputGrads, const std::vector<bool>& wanted)>;
using OpFactory = std::function<std::unique_ptr<Operator>(const OperatorDef&, Workspace&)>;

// Conventional gradient blob names (Caffe2's): X_grad, X_grad_indices, X_grad_values.
inline std::string gradName(const std::string& blob) { return blob + "_grad"; }

struct OpSchema {
  std::string type;
  int minInputs = 0, maxInputs = 0;
  int minOutputs = 0, maxOutputs = 0;
  std::set<std::string> args;  // accepted argument names
  bool anyArgs = false;
  std::string doc;
  OpFactory factory;
  PrunableGradientMaker gradient;  // empty when the op has no gradient

  OpSchema& inputs(int n) { minInputs = maxInputs = n; return *this; }
  OpSchema& inputs(int lo, int hi) { minInputs = lo; maxInputs = hi; return *this; }
  OpSchema& outputs(int n) { minOutputs = maxOutputs = n; return *this; }
  OpSchema& outputs(int lo, int hi) { minOutputs = lo; maxOutputs = hi; return *this; }
  OpSchema& arg(const std::string& name) { args.insert(name); return *this; }
  OpSchema& argList(std::initializer_list<const char*> names) { for (auto n : names) args.insert(n); return *this; }
  OpSchema& acceptAnyArg() { anyArgs = true; return *this; }
  OpSchema& describe(std::string text) { doc = std::move(text); return *this; }
  OpSchema& gradientMaker(GradientMaker g) {
    gradient = [g = std::move(g)](const OperatorDef& d, const std::vector<std::string>& og, const std::vector<bool>&) {
      return g(d, og);
    };
    return *this;
  }
  OpSchema& prunableGradientMaker(PrunableGradientMaker g) { gradient = std::move(g); return *this; }
};

class OpRegistry {
 public:
  static OpRegistry& instance();
  OpSchema& add(const std::string& type, OpFactory factory);
  // nullptr when unknown.
  const OpSchema* find(const std::string& type) const;
  std::vector<std::string> types() const;

  // Validates counts and argument names against the schema, then constructs
  // the op (which checks dtypes and shapes it can see). Throws hogwild::Error.
  std::unique_ptr<Operator> create(const OperatorDef& def, Workspace& ws) const;
  // Gradient ops for one forward op; throws when the op has none. `wanted`
  // (one flag per input, empty = all) prunes: unwanted inputs get Kind::None,
  // and gradient ops none of whose outputs lead to a wanted gradient are dropped.
  GradientDefs gradient(const OperatorDef& def, const std::vector<std::string>& outputGrads,
                        const std::vector<bool>& wanted = {}) const;

 private:
  std::map<std::string, OpSchema> _schemas;
};

template <typename T> OpFactory factoryOf() {
  return [](const OperatorDef& d, Workspace& w) -> std::unique_ptr<Operator> { return std::make_unique<T>(d, w); };
}

#define HW_CONCAT_INNER(a, b) a##b
#define HW_CONCAT(a, b) HW_CONCAT_INNER(a, b)
// Registers op `Type` implemented by class `Class`; chain schema calls after it.
#define HW_REGISTER_OP(Type, Class) \
  static ::hogwild::OpSchema& HW_CONCAT(hw_schema_, Type) [[maybe_unused]] = \
      ::hogwild::OpRegistry::instance().add(#Type, ::hogwild::factoryOf<Class>())

}  // namespace hogwild
