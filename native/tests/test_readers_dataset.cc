// Dataset cursors and ops, ported from Caffe2's dataset_ops_test.py
// (test_dataset_ops, steps 1–5, without the string field): the nested schema,
// the three entries read one by one, then empty batches; writing through
// AtomicAppend; shuffled reads; cursor checkpoint records.
#include <cstring>
#include <thread>

#include "../data/cursor.h"
#include "../exec/net.h"
#include "check.h"

using namespace hogwild;

namespace {

const std::vector<std::string> kFields = {
    "dense",
    "floats:lengths",
    "floats:values:keys",
    "floats:values:values",
    "int_lists:lengths",
    "int_lists:values:keys",
    "int_lists:values:values:lengths",
    "int_lists:values:values:values",
    "id_score_pairs:lengths",
    "id_score_pairs:values:keys",
    "id_score_pairs:values:values:lengths",
    "id_score_pairs:values:values:values:ids",
    "id_score_pairs:values:values:values:scores",
    "metadata:user_id",
    "metadata:user_embed",
};

template <typename T> Tensor make(DType dt, Shape shape, std::vector<T> v) {
  Tensor t(dt, shape);
  if (!v.empty()) std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
  return t;
}
Tensor f32(std::vector<float> v, int64_t inner = 0) {
  int64_t n = static_cast<int64_t>(v.size());
  return inner ? make<float>(DType::Float32, {n / inner, inner}, v) : make<float>(DType::Float32, {n}, v);
}
Tensor i32(std::vector<int32_t> v) { return make<int32_t>(DType::Int32, {int64_t(v.size())}, v); }
Tensor i64(std::vector<int64_t> v) { return make<int64_t>(DType::Int64, {int64_t(v.size())}, v); }

std::vector<Tensor> contents() {
  return {
      f32({1.1f, 1.2f, 1.3f, 2.1f, 2.2f, 2.3f, 3.1f, 3.2f, 3.3f}, 3),
      i32({1, 2, 3}), i32({11, 21, 22, 31, 32, 33}), f32({1.1f, 2.1f, 2.2f, 3.1f, 3.2f, 3.3f}),
      i32({2, 0, 1}), i32({11, 12, 31}), i32({2, 4, 3}), i64({111, 112, 121, 122, 123, 124, 311, 312, 313}),
      i32({1, 2, 2}), i32({11, 21, 22, 31, 32}), i32({1, 1, 2, 2, 3}),
      i64({111, 211, 221, 222, 311, 312, 321, 322, 323}),
      f32({11.1f, 21.1f, 22.1f, 22.2f, 31.1f, 31.2f, 32.1f, 32.2f, 32.3f}),
      i64({123, 234, 456}), f32({0.2f, 0.8f, 0.5f, 0.5f, 0.7f, 0.3f}, 2),
  };
}

// The expected entry `e` (0..2), as Caffe2's test spells it out.
std::vector<Tensor> entry(int e) {
  switch (e) {
    case 0:
      return {f32({1.1f, 1.2f, 1.3f}, 3), i32({1}), i32({11}), f32({1.1f}), i32({2}), i32({11, 12}), i32({2, 4}),
              i64({111, 112, 121, 122, 123, 124}), i32({1}), i32({11}), i32({1}), i64({111}), f32({11.1f}), i64({123}),
              f32({0.2f, 0.8f}, 2)};
    case 1:
      return {f32({2.1f, 2.2f, 2.3f}, 3), i32({2}), i32({21, 22}), f32({2.1f, 2.2f}), i32({0}), i32({}), i32({}), i64({}),
              i32({2}), i32({21, 22}), i32({1, 2}), i64({211, 221, 222}), f32({21.1f, 22.1f, 22.2f}), i64({234}),
              f32({0.5f, 0.5f}, 2)};
    default:
      return {f32({3.1f, 3.2f, 3.3f}, 3), i32({3}), i32({31, 32, 33}), f32({3.1f, 3.2f, 3.3f}), i32({1}), i32({31}),
              i32({3}), i64({311, 312, 313}), i32({2}), i32({31, 32}), i32({2, 3}), i64({311, 312, 321, 322, 323}),
              f32({31.1f, 31.2f, 32.1f, 32.2f, 32.3f}), i64({456}), f32({0.7f, 0.3f}, 2)};
  }
}

bool sameTensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.numel() == b.numel() && (a.nbytes() == 0 || std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0);
}

void runNet(Workspace& ws, std::vector<OperatorDef> ops) {
  NetDef def;
  def.name = "test";
  def.ops = std::move(ops);
  Net net(def, ws);
  RunContext ctx;
  net.run(ctx);
}

std::vector<std::string> prefixed(const std::string& p) {
  std::vector<std::string> out;
  for (const auto& f : kFields) out.push_back(p + f);
  return out;
}

void feed(Workspace& ws, const std::string& prefix, std::vector<Tensor> ts) {
  for (size_t i = 0; i < kFields.size(); ++i) ws.createBlob(prefix + kFields[i]).mutableTensor() = std::move(ts[i]);
}

OperatorDef readOp(const std::string& cursor, const std::string& in, const std::string& out, int64_t batch = 1) {
  std::vector<std::string> inputs{cursor};
  for (auto& n : prefixed(in)) inputs.push_back(n);
  return makeOp("ReadNextBatch", inputs, prefixed(out), {{"batch_size", Argument::ofInt(batch)}});
}

}  // namespace

TEST(tree_layout_levels) {
  data::TreeLayout l(kFields);
  CHECK(l.numLevels() == 6);
  CHECK(l.levelOf(0) == 0 && l.levelOf(1) == 0 && l.levelOf(2) == 1 && l.levelOf(3) == 1);
  CHECK(l.levelOf(7) == l.levelOf(6) + 1);
  CHECK(l.levelOf(13) == 0 && l.levelOf(14) == 0);
  CHECK_THROWS_CODE(data::TreeLayout({"a:values", "a:lengths"}), codes::kInvalidArgument);
}

TEST(dataset_reads_entries_then_empty_batches) {
  Workspace ws;
  feed(ws, "ds/", contents());
  runNet(ws, {makeOp("CheckDatasetConsistency", prefixed("ds/"), {}, {{"fields", Argument::ofStrings(kFields)}}),
              makeOp("CreateTreeCursor", {}, {"cursor"}, {{"fields", Argument::ofStrings(kFields)}})});
  for (int e = 0; e < 5; ++e) {
    runNet(ws, {readOp("cursor", "ds/", "batch/")});
    auto want = e < 3 ? entry(e) : std::vector<Tensor>();
    for (size_t i = 0; i < kFields.size(); ++i) {
      const Tensor& got = ws.getBlob("batch/" + kFields[i]).tensor(kFields[i]);
      if (e < 3) {
        if (!sameTensor(got, want[i])) std::fprintf(stderr, "  entry %d field %s differs\n", e, kFields[i].c_str());
        CHECK(sameTensor(got, want[i]));
      } else {
        CHECK(got.numel() == 0);  // past the end: empty vectors, forever
      }
    }
  }
}

TEST(dataset_write_through_atomic_append_roundtrips) {
  Workspace ws;
  feed(ws, "ds/", contents());
  // An empty second dataset: zero rows of the right dtypes and inner shapes.
  std::vector<Tensor> empty;
  for (auto& t : contents()) {
    Shape s = t.shape();
    s[0] = 0;
    empty.emplace_back(t.dtype(), s);
  }
  feed(ws, "ds2/", std::move(empty));
  runNet(ws, {makeOp("CreateTreeCursor", {}, {"cursor"}, {{"fields", Argument::ofStrings(kFields)}}),
              makeOp("CreateMutex", {}, {"mutex"})});
  std::vector<std::string> appendIn{"mutex"};
  for (auto& n : prefixed("ds2/")) appendIn.push_back(n);
  for (auto& n : prefixed("batch/")) appendIn.push_back(n);
  for (int e = 0; e < 3; ++e) {
    runNet(ws, {readOp("cursor", "ds/", "batch/"), makeOp("AtomicAppend", appendIn, prefixed("ds2/"))});
  }
  auto want = contents();
  for (size_t i = 0; i < kFields.size(); ++i) CHECK(sameTensor(ws.getBlob("ds2/" + kFields[i]).tensor(""), want[i]));
  runNet(ws, {makeOp("CheckDatasetConsistency", prefixed("ds2/"), {}, {{"fields", Argument::ofStrings(kFields)}})});
}

TEST(dataset_inconsistent_lengths_are_data_errors) {
  Workspace ws;
  auto c = contents();
  c[1] = i32({1, 2, 4});  // floats:lengths sums to 7 but there are 6 keys
  feed(ws, "ds/", std::move(c));
  CHECK_THROWS_CODE(
      runNet(ws, {makeOp("CheckDatasetConsistency", prefixed("ds/"), {}, {{"fields", Argument::ofStrings(kFields)}})}),
      codes::kData);
  runNet(ws, {makeOp("CreateTreeCursor", {}, {"cursor"}, {{"fields", Argument::ofStrings(kFields)}})});
  CHECK_THROWS_CODE(runNet(ws, {readOp("cursor", "ds/", "batch/", 3)}), codes::kData);
}

TEST(dataset_shuffled_reads_are_seeded_per_pass) {
  Workspace ws;
  const int64_t n = 1000;
  std::vector<int64_t> ids(n), lens(n);
  std::vector<int64_t> values;
  for (int64_t i = 0; i < n; ++i) {
    ids[i] = i;
    lens[i] = i % 3;
    for (int64_t k = 0; k < lens[i]; ++k) values.push_back(i * 10 + k);
  }
  std::vector<std::string> fields{"id", "v:lengths", "v:values"};
  ws.createBlob("id").mutableTensor() = i64(ids);
  ws.createBlob("v:lengths").mutableTensor() = i64(lens);
  ws.createBlob("v:values").mutableTensor() = i64(values);
  auto readAll = [&](int64_t seed) {
    std::vector<int64_t> order;
    for (;;) {
      runNet(ws, {makeOp("ReadShuffledBatch", {"cursor", "id", "v:lengths", "v:values"}, {"b_id", "b_len", "b_val"},
                         {{"batch_size", Argument::ofInt(64)}, {"seed", Argument::ofInt(seed)}})});
      const Tensor& b = ws.getBlob("b_id").tensor("b_id");
      if (b.numel() == 0) break;
      const Tensor& bl = ws.getBlob("b_len").tensor("b_len");
      const Tensor& bv = ws.getBlob("b_val").tensor("b_val");
      int64_t pos = 0;
      for (int64_t k = 0; k < b.numel(); ++k) {
        int64_t id = b.data<int64_t>()[k];
        CHECK(bl.data<int64_t>()[k] == id % 3);
        for (int64_t j = 0; j < id % 3; ++j) CHECK(bv.data<int64_t>()[pos++] == id * 10 + j);
        order.push_back(id);
      }
      CHECK(pos == bv.numel());
    }
    return order;
  };
  runNet(ws, {makeOp("CreateTreeCursor", {}, {"cursor"}, {{"fields", Argument::ofStrings(fields)}})});
  auto first = readAll(7);
  CHECK(static_cast<int64_t>(first.size()) == n);
  auto sorted = first;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == ids);
  runNet(ws, {makeOp("ResetCursor", {"cursor"}, {})});
  auto second = readAll(7);
  CHECK(second != first);  // a new pass, a new order
  // A fresh cursor with the same seed replays the same passes.
  runNet(ws, {makeOp("CreateTreeCursor", {}, {"cursor"}, {{"fields", Argument::ofStrings(fields)}})});
  CHECK(readAll(7) == first);
  runNet(ws, {makeOp("ResetCursor", {"cursor"}, {})});
  CHECK(readAll(7) == second);
}

TEST(cursor_is_shared_by_threads) {
  Workspace ws;
  const int64_t n = 10000;
  std::vector<int64_t> ids(n);
  for (int64_t i = 0; i < n; ++i) ids[i] = i;
  ws.createBlob("id").mutableTensor() = i64(ids);
  runNet(ws, {makeOp("CreateTreeCursor", {}, {"cursor"}, {{"fields", Argument::ofStrings({"id"})}})});
  std::vector<std::vector<int64_t>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Workspace child(&ws);
      NetDef def;
      def.name = "read";
      def.ops = {makeOp("ReadNextBatch", {"cursor", "id"}, {"batch"}, {{"batch_size", Argument::ofInt(7)}})};
      Net net(def, child);
      RunContext ctx;
      for (;;) {
        net.run(ctx);
        const Tensor& b = child.getBlob("batch").tensor("batch");
        if (b.numel() == 0) break;
        for (int64_t k = 0; k < b.numel(); ++k) seen[t].push_back(b.data<int64_t>()[k]);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<int64_t> all;
  for (auto& s : seen) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  CHECK(all == ids);  // every entry exactly once
}

TEST(cursor_checkpoint_record_roundtrips) {
  Workspace ws;
  feed(ws, "ds/", contents());
  runNet(ws, {makeOp("CreateTreeCursor", {}, {"cursor"}, {{"fields", Argument::ofStrings(kFields)}}),
              readOp("cursor", "ds/", "batch/", 2)});
  Tensor rec;
  auto& cursor = ws.getBlob("cursor").object<data::TreeCursor>("cursor");
  CHECK(cursor.serialize(&rec));
  auto restored = data::TreeCursor::fromTensor(rec);
  CHECK(restored->topOffset() == 2);
  ws.getBlob("cursor").setObject(restored);
  runNet(ws, {readOp("cursor", "ds/", "batch/", 1)});
  auto want = entry(2);
  for (size_t i = 0; i < kFields.size(); ++i) CHECK(sameTensor(ws.getBlob("batch/" + kFields[i]).tensor(""), want[i]));
  // Damaged records are rejected, never read out of bounds.
  for (int64_t cut = 0; cut < rec.numel(); cut += 7) {
    Tensor bad(DType::Uint8, {cut});
    std::memcpy(bad.raw(), rec.raw(), cut);
    CHECK_THROWS_CODE(data::TreeCursor::fromTensor(bad), codes::kCheckpointCorrupt);
  }
  data::TreeCursor other({"x"});
  CHECK_THROWS_CODE(other.deserialize(rec), codes::kCheckpointCorrupt);
}

// SplitSegments: the hot/cold split used by Hogwild training (docs/hogwild.md §2).
TEST(split_segments_by_threshold) {
  Workspace ws;
  ws.createBlob("ids").mutableTensor() = i32({0, 5, 1, 7, 2});
  ws.createBlob("len").mutableTensor() = i64({2, 0, 3});
  runNet(ws, {makeOp("SplitSegments", {"ids", "len"}, {"lo", "lo_w", "lo_len", "hi", "hi_w", "hi_len"},
                     {{"threshold", Argument::ofInt(3)}})});
  auto ints = [&](const char* b) {
    const Tensor& t = ws.getBlob(b).tensor(b);
    std::vector<int64_t> v;
    for (int64_t i = 0; i < t.numel(); ++i) v.push_back(t.dtype() == DType::Int32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i]);
    return v;
  };
  auto floats = [&](const char* b) {
    const Tensor& t = ws.getBlob(b).tensor(b);
    return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
  };
  CHECK((ints("lo") == std::vector<int64_t>{0, 1, 2}));
  CHECK((ints("lo_len") == std::vector<int64_t>{1, 0, 2}));
  CHECK((ints("hi") == std::vector<int64_t>{2, 4}));  // shifted down by the threshold
  CHECK((ints("hi_len") == std::vector<int64_t>{1, 0, 1}));
  CHECK((floats("lo_w") == std::vector<float>{0.5f, 1.f / 3, 1.f / 3}));
  CHECK((floats("hi_w") == std::vector<float>{0.5f, 1.f / 3}));
  CHECK(ws.getBlob("lo").tensor("").dtype() == DType::Int32 && ws.getBlob("lo_len").tensor("").dtype() == DType::Int64);
  ws.getBlob("ids").mutableTensor() = i32({0, -5, 1, 7, 2});
  CHECK_THROWS_CODE(runNet(ws, {makeOp("SplitSegments", {"ids", "len"}, {"a", "b", "c", "d", "e", "f"}, {{"threshold", Argument::ofInt(3)}})}),
                    codes::kIndexOutOfRange);
  ws.getBlob("len").mutableTensor() = i64({2, 0, 4});
  CHECK_THROWS_CODE(runNet(ws, {makeOp("SplitSegments", {"ids", "len"}, {"a", "b", "c", "d", "e", "f"}, {{"threshold", Argument::ofInt(3)}})}),
                    codes::kShapeMismatch);
  CHECK_THROWS_CODE(runNet(ws, {makeOp("SplitSegments", {"ids", "len"}, {"a", "b", "c", "d", "e", "f"})}), codes::kInvalidArgument);
}

HWTEST_MAIN()
