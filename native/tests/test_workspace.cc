// Workspace parent chains and tensor basics (docs/caffe2.md §1.1).
#include "../core/workspace.h"
#include "check.h"

using namespace hogwild;

TEST(child_reads_and_writes_parent_blobs) {
  Workspace parent;
  parent.createBlob("w").mutableTensor().resize(DType::Float32, {2});
  parent.getBlob("w").mutableTensor().data<float>()[0] = 1.f;
  {
    Workspace child(&parent);
    Blob& w = child.createBlob("w");  // reuses the parent's blob
    CHECK(&w == &parent.getBlob("w"));
    w.mutableTensor().data<float>()[0] = 5.f;
    child.createBlob("local");
    CHECK(child.hasBlob("local"));
    CHECK(!parent.hasBlob("local"));
    CHECK(child.localBlobNames() == std::vector<std::string>{"local"});
    CHECK((child.blobNames() == std::vector<std::string>{"local", "w"}));
  }
  CHECK(parent.getBlob("w").tensor("w").data<float>()[0] == 5.f);
}

TEST(tensor_alignment_and_checks) {
  Tensor t(DType::Float32, {3, 5});
  CHECK(reinterpret_cast<uintptr_t>(t.raw()) % 64 == 0);
  CHECK(t.numel() == 15);
  CHECK_THROWS_CODE(t.data<double>(), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(t.resize(DType::Float32, {-1}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(t.resize(DType::Float32, {int64_t{1} << 40, int64_t{1} << 40}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(t.reshape({4, 4}), codes::kShapeMismatch);
  Workspace ws;
  CHECK_THROWS_CODE(ws.getBlob("nope"), codes::kMissingBlob);
}

HWTEST_MAIN()
