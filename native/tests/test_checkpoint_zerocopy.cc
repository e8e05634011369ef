// Zero-copy loads and asynchronous-save staging (native/checkpoint): CRC32C
// combining, the parallel check over the mapping (pieces on several threads),
// tensors served from the mapping, copies into memory the workspace owns
// (same buffer afterwards), the all-or-nothing rule with in-place copies, and
// the snapshot arena (copies, reuse, busy).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "../checkpoint/crc32c.h"
#include "../checkpoint/errors.h"
#include "../checkpoint/reader.h"
#include "../checkpoint/snapshot.h"
#include "../checkpoint/staging.h"
#include "../checkpoint/workspace_io.h"
#include "../checkpoint/writer.h"
#include "../core/objects.h"
#include "check.h"

using namespace hogwild;
using namespace hogwild::ckpt;

namespace {

std::string tempDir() {
  char tmpl[] = "/tmp/hw-ckpt-zc-XXXXXX";
  char* d = ::mkdtemp(tmpl);
  if (!d) std::abort();
  return d;
}

template <typename F> std::string corruptReason(F&& body) {
  try {
    body();
  } catch (const CorruptError& e) {
    return e.reason();
  } catch (const std::exception& e) {
    return std::string("other: ") + e.what();
  }
  return "";
}

Tensor ramp(int64_t n, float offset) {
  Tensor t(DType::Float32, {n});
  float* p = t.data<float>();
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(i % 977) + offset;
  return t;
}

// Saves {"big": F32 [n], "small": F32 [3], "c": counter 5} to dir/node.1.
std::string saveModel(const std::string& dir, int64_t n, float offset) {
  Workspace ws;
  ws.createBlob("big").mutableTensor() = ramp(n, offset);
  ws.createBlob("small").mutableTensor() = ramp(3, offset);
  ws.createBlob("c").setObject(std::make_shared<Counter>(5));
  SaveRequest req;
  req.path = dir + "/node.1";
  req.epoch = 1;
  req.node = "node";
  req.items = captureBlobs(ws, {"big", "small", "c"});
  writeCheckpoint(req);
  return req.path;
}

void flipByteAt(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x10);
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

}  // namespace

TEST(crc32c_combine_matches_one_pass) {
  std::mt19937 rng(7);
  std::string data(100000, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  uint32_t whole = crc32c(data.data(), data.size());
  for (size_t cut : {size_t{0}, size_t{1}, size_t{7}, size_t{8192}, size_t{50001}, data.size()}) {
    uint32_t a = crc32c(data.data(), cut);
    uint32_t b = crc32c(data.data() + cut, data.size() - cut);
    CHECK(crc32cCombine(a, b, data.size() - cut) == whole);
  }
  CHECK(crc32cCombine(0, 0, 0) == 0);
}

TEST(large_tensor_is_checked_in_pieces_and_a_flip_in_any_piece_is_caught) {
  std::string dir = tempDir();
  const int64_t n = int64_t{18} << 20;  // 72 MiB: 9 pieces of 8 MiB, several threads
  std::string path = saveModel(dir, n, 0.5f);
  {
    CheckpointFile f = CheckpointFile::open(path);
    f.verifyData();
    StageOptions o;
    o.all = true;
    o.mapAll = true;
    auto staged = stageBlobs(f, {}, o);
    const Entry* big = f.header().find("big");
    for (const auto& s : staged) {
      if (s.name != "big") continue;
      // Served from the mapping: the tensor's bytes are the file's bytes.
      CHECK(s.tensor.raw() == f.mapping()->data() + f.header().dataStart + big->begin);
      CHECK(s.tensor.data<float>()[n - 1] == static_cast<float>((n - 1) % 977) + 0.5f);
    }
  }
  uint64_t bigAt = 0;
  {
    CheckpointFile f = CheckpointFile::open(path);
    bigAt = f.header().dataStart + f.header().find("big")->begin;
  }
  flipByteAt(path, bigAt + 5 * (uint64_t{8} << 20) + 99);
  CHECK(corruptReason([&] { CheckpointFile::open(path).verifyData(); }) == reasons::kTensorChecksum);
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}

TEST(mapped_tensors_outlive_the_file_and_writes_stay_private) {
  std::string dir = tempDir();
  std::string path = saveModel(dir, 4096, 1);
  Workspace ws;
  {
    CheckpointFile f = CheckpointFile::open(path);
    StageOptions o;
    o.all = true;
    o.mapAll = true;
    applyBlobs(ws, stageBlobs(f, {}, o));
  }
  std::remove(path.c_str());  // the mapping keeps the inode
  Tensor& big = ws.getBlob("big").mutableTensor();
  CHECK(big.data<float>()[100] == 101.0f);
  big.data<float>()[100] = -1;  // copy-on-write page, never the file
  CHECK(big.data<float>()[100] == -1.0f);
  CHECK(ws.getBlob("c").object<Counter>("c").count() == 5);
  ::rmdir(dir.c_str());
}

TEST(copy_goes_into_the_workspace_memory_when_dtype_and_shape_match) {
  std::string dir = tempDir();
  std::string path = saveModel(dir, 4096, 2);
  Workspace ws;
  ws.createBlob("big").mutableTensor() = Tensor(DType::Float32, {4096});
  ws.createBlob("small").mutableTensor() = Tensor(DType::Float32, {2});  // other shape: fresh memory
  const void* before = ws.getBlob("big").tensor("big").raw();
  CheckpointFile f = CheckpointFile::open(path);
  StageOptions o;
  o.all = true;
  o.inPlace = ownedTensorShapes(ws, {}, true);
  CHECK(o.inPlace.count("big") == 1);
  auto staged = stageBlobs(f, {}, o);
  applyBlobs(ws, std::move(staged));
  const Tensor& big = ws.getBlob("big").tensor("big");
  CHECK(big.raw() == before);
  CHECK(big.data<float>()[4095] == static_cast<float>(4095 % 977) + 2);
  CHECK(ws.getBlob("small").tensor("small").shape() == (Shape{3}));
  // A buffer shared with another tensor is not written in place.
  Tensor alias = ws.getBlob("big").tensor("big");
  CHECK(ownedTensorShapes(ws, {"big"}, false).empty());
  (void)alias;
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}

TEST(in_place_copies_happen_only_when_everything_validated) {
  std::string dir = tempDir();
  std::string path = saveModel(dir, 4096, 3);
  {
    CheckpointFile f = CheckpointFile::open(path);
    flipByteAt(path, f.header().dataStart + f.header().find("small")->begin);
  }
  Workspace ws;
  ws.createBlob("big").mutableTensor() = Tensor(DType::Float32, {4096});
  ws.getBlob("big").mutableTensor().zero();
  CheckpointFile f = CheckpointFile::open(path);
  StageOptions o;
  o.all = true;
  o.inPlace = ownedTensorShapes(ws, {}, true);
  CHECK(corruptReason([&] { applyBlobs(ws, stageBlobs(f, {}, o)); }) == reasons::kTensorChecksum);
  CHECK(ws.getBlob("big").tensor("big").data<float>()[5] == 0.0f);
  CHECK(!ws.hasBlob("small"));
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}

TEST(snapshot_arena_copies_reuses_and_refuses_while_busy) {
  Workspace ws;
  ws.createBlob("w").mutableTensor() = ramp(1 << 20, 0);
  ws.createBlob("c").setObject(std::make_shared<Counter>(9));
  SnapshotArena arena;
  std::vector<SaveItem> items = captureBlobs(ws, {"w", "c"});
  arena.snapshot(items);
  CHECK(arena.busy());
  CHECK(items[0].tensor.raw() != ws.getBlob("w").tensor("w").raw());
  ws.getBlob("w").mutableTensor().data<float>()[7] = -5;  // the workspace is free again
  CHECK(items[0].tensor.data<float>()[7] == 7.0f);
  std::vector<SaveItem> again = captureBlobs(ws, {"w", "c"});
  CHECK_THROWS_CODE(arena.snapshot(again), codes::kBusy);
  const void* base = arena.base();
  uint64_t capacity = arena.capacity();
  items.clear();
  arena.release();
  arena.snapshot(again);
  CHECK(arena.base() == base && arena.capacity() == capacity);  // same memory, no fresh pages
  CHECK(again[0].tensor.data<float>()[7] == -5.0f);
  arena.release();
}

TEST(staging_is_aligned_and_parallel_copy_is_exact) {
  for (size_t bytes : {size_t{1}, size_t{4096}, size_t{3} << 20, size_t{70} << 20}) {
    auto p = allocateStaging(bytes);
    CHECK(reinterpret_cast<uintptr_t>(p.get()) % 64 == 0);
    std::vector<uint8_t> src(bytes);
    for (size_t i = 0; i < bytes; ++i) src[i] = static_cast<uint8_t>(i * 31 + 7);
    parallelCopy(p.get(), src.data(), bytes);
    CHECK(std::memcmp(p.get(), src.data(), bytes) == 0);
  }
}

HWTEST_MAIN()
