#include "net.h"

namespace hogwild {

namespace {
[[noreturn]] void rethrowIn(const Error& e, const std::string& net, size_t index, const std::string& type) {
  throw Error(e.code(), "Net '" + net + "', op #" + std::to_string(index) + " (" + type + "): " + e.what());
}
}  // namespace

Net::Net(const NetDef& def, Workspace& ws, const std::set<std::string>* planOutputs) : _name(def.name) {
  // Create every output first so ops can see blobs produced later in the net.
  std::set<std::string> ownOutputs;
  for (const auto& op : def.ops)
    for (const auto& out : op.outputs)
      if (!out.empty()) {
        ws.createBlob(out);
        ownOutputs.insert(out);
      }
  ProducedBlobsScope scope(planOutputs ? planOutputs : &ownOutputs);
  _ops.reserve(def.ops.size());
  for (size_t i = 0; i < def.ops.size(); ++i) {
    try {
      _ops.push_back(OpRegistry::instance().create(def.ops[i], ws));
    } catch (const Error& e) {
      rethrowIn(e, _name, i, def.ops[i].type);
    }
  }
}

void Net::run(RunContext& ctx) {
  for (size_t i = 0; i < _ops.size(); ++i) {
    try {
      _ops[i]->run(ctx);
    } catch (const Error& e) {
      rethrowIn(e, _name, i, _ops[i]->def().type);
    } catch (const std::bad_alloc&) {
      throw Error(codes::kOutOfMemory, "Net '" + _name + "', op #" + std::to_string(i) + " (" + _ops[i]->def().type + "): out of memory");
    } catch (const std::exception& e) {
      throw Error(codes::kOpFailed, "Net '" + _name + "', op #" + std::to_string(i) + " (" + _ops[i]->def().type + "): " + e.what());
    }
  }
}

}  // namespace hogwild
