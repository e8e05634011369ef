// Ops that look at the workspace or a blob rather than compute:
// GetAllBlobNames (docs/caffe2.md §1.1: the names include every op output of the
// nets instantiated so far, its own output too) and IsEmpty.
#include "../core/objects.h"
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class GetAllBlobNamesOp final : public BasicOp {
 public:
  GetAllBlobNamesOp(const OperatorDef& def, Workspace& ws)
      : BasicOp(def, ws), _ws(ws), _includeShared(argInt("include_shared", 1)) {
    if (_includeShared != 0 && _includeShared != 1)
      fail(codes::kInvalidArgument, "Expected 0 or 1 for argument 'include_shared' but received " + std::to_string(_includeShared));
  }
  void run(RunContext&) override {
    auto names = _includeShared ? _ws.blobNames() : _ws.localBlobNames();
    outputBlob(0).setObject(std::make_shared<StringList>(std::move(names)));
  }

 private:
  // The workspace the op was instantiated in; it outlives its ops.
  Workspace& _ws;
  int64_t _includeShared;
};

class IsEmptyOp final : public BasicOp {
 public:
  using BasicOp::BasicOp;
  void run(RunContext&) override {
    const int64_t n = input(0).numel();
    setBoolScalar(0, n == 0);
  }
};

}  // namespace

HW_REGISTER_OP(GetAllBlobNames, GetAllBlobNamesOp)
    .inputs(0).outputs(1).argList({"include_shared"})
    .describe("A string list of the workspace's sorted blob names; with include_shared (default 1) the parents' too.");
HW_REGISTER_OP(IsEmpty, IsEmptyOp)
    .inputs(1).outputs(1).describe("True (bool scalar) iff the input tensor has 0 elements.");

}  // namespace hogwild
