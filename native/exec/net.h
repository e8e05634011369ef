#pragma once
// A net instantiated in one workspace: its ops, constructed in order (which
// creates every output blob up front, as Caffe2 does), run in order.
#include <memory>
#include <set>
#include <vector>

#include "../ops/registry.h"

namespace hogwild {

class Net {
 public:
  // `planOutputs`: every blob an op of the enclosing plan writes (see
  // Operator::inputIfReady); without it, the outputs of this net alone.
  Net(const NetDef& def, Workspace& ws, const std::set<std::string>* planOutputs = nullptr);
  const std::string& name() const { return _name; }
  // Runs every op; an op's error is re-thrown with the net and op position.
  void run(RunContext& ctx);

 private:
  std::string _name;
  std::vector<std::unique_ptr<Operator>> _ops;
};

}  // namespace hogwild
