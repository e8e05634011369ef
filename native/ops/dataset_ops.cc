// Dataset ops (docs/caffe2.md §10–§11): cursors over nested datasets, batch reads
// (sequential and seeded-shuffled), consistency checks and atomic appends.
#include <algorithm>
#include <cstring>

#include "../data/cursor.h"
#include "../data/object_ref.h"
#include "registry.h"

namespace hogwild {
namespace {

using data::FieldViews;
using data::MutexBlob;
using data::objectRef;
using data::TreeCursor;

// Copies rows [begin, begin+count) of `in` to `out` at row `dstRow`.
void copyRows(const Tensor& in, int64_t begin, int64_t count, Tensor& out, int64_t dstRow) {
  if (count == 0) return;
  size_t rowBytes = static_cast<size_t>(in.sizeFrom(1)) * dtypeSize(in.dtype());
  std::memcpy(static_cast<uint8_t*>(out.raw()) + dstRow * rowBytes,
              static_cast<const uint8_t*>(in.raw()) + begin * rowBytes, count * rowBytes);
}

void resizeRows(const Tensor& like, int64_t rows, Tensor& out) {
  Shape shape = like.shape();
  shape[0] = rows;
  out.resize(like.dtype(), shape);
}

class CreateTreeCursorOp final : public Operator {
 public:
  CreateTreeCursorOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws), _fields(argStrings("fields")) {
    data::TreeLayout check(_fields);
  }
  void run(RunContext&) override { outputBlob(0).setObject(std::make_shared<TreeCursor>(_fields)); }

 private:
  std::vector<std::string> _fields;
};

class ResetCursorOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override { objectRef<TreeCursor>(inputBlob(0), inputName(0))->reset(); }
};

class GetCursorOffsetOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override {
    auto c = objectRef<TreeCursor>(inputBlob(0), inputName(0));
    Tensor& out = output(0);
    out.resize(DType::Int64, {1});
    out.data<int64_t>()[0] = c->topOffset();
  }
};

// Shared by the batch readers: inputs (cursor, data…), outputs (data…).
class CursorReadOp : public Operator {
 public:
  CursorReadOp(const OperatorDef& def, Workspace& ws)
      : Operator(def, ws), _batchSize(argInt("batch_size", 1)), _enforce(argInt("enforce_batch_size", 0) != 0) {
    if (_batchSize < 1) fail(codes::kInvalidArgument, "Expected batch_size >= 1 but received " + std::to_string(_batchSize));
    if (numOutputs() != numInputs() - 1)
      fail(codes::kInvalidArgument, "Expected one output per data input (" + std::to_string(numInputs() - 1) + ") but received " +
                                        std::to_string(numOutputs()));
  }

 protected:
  std::shared_ptr<TreeCursor> cursorAndData() {
    auto c = objectRef<TreeCursor>(inputBlob(0), inputName(0));
    if (c->layout().numFields() != numOutputs())
      fail(codes::kInvalidArgument, "Expected " + std::to_string(c->layout().numFields()) + " data blobs for the cursor '" +
                                        inputName(0) + "' but received " + std::to_string(numOutputs()));
    _data.tensors.clear();
    for (size_t i = 1; i < numInputs(); ++i) {
      const Tensor& t = input(i);
      if (t.ndim() < 1) fail(codes::kShapeMismatch, "Expected dataset field '" + inputName(i) + "' to have at least 1 dim");
      _data.tensors.push_back(&t);
    }
    return c;
  }

  int64_t _batchSize;
  bool _enforce;
  FieldViews _data;
};

class ReadNextBatchOp final : public CursorReadOp {
 public:
  using CursorReadOp::CursorReadOp;
  void run(RunContext&) override {
    auto c = cursorAndData();
    data::BatchRange r = c->advance(_data, _batchSize, _enforce);
    const auto& layout = c->layout();
    for (size_t i = 0; i < numOutputs(); ++i) {
      size_t level = layout.levelOf(i);
      const Tensor& in = *_data.tensors[i];
      Tensor& out = output(i);
      if (&out == &in) fail(codes::kInvalidArgument, "Expected the output '" + outputName(i) + "' to differ from its data input");
      resizeRows(in, r.sizes[level], out);
      copyRows(in, r.offsets[level], r.sizes[level], out, 0);
    }
  }
};

// Reads top-level entries in a seeded random order that changes every pass.
class ReadShuffledBatchOp final : public CursorReadOp {
 public:
  ReadShuffledBatchOp(const OperatorDef& def, Workspace& ws)
      : CursorReadOp(def, ws), _seed(static_cast<uint64_t>(argInt("seed", 0))), _loopOver(argInt("loop_over", 0) != 0) {}
  void run(RunContext&) override {
    auto c = cursorAndData();
    const auto& layout = c->layout();
    std::vector<int64_t> entries = c->advanceShuffled(_data, _batchSize, _enforce, _seed, _loopOver, nullptr);
    auto offsets = c->entryOffsets(_data);
    const auto& off = *offsets;
    std::vector<int64_t> rows(layout.numLevels(), 0);
    for (int64_t e : entries)
      for (size_t level = 0; level < rows.size(); ++level) rows[level] += off[level][e + 1] - off[level][e];
    for (size_t i = 0; i < numOutputs(); ++i) {
      size_t level = layout.levelOf(i);
      const Tensor& in = *_data.tensors[i];
      if (off[level].back() > in.dim(0))
        fail(codes::kData, "Inconsistent dataset: field '" + inputName(i + 1) + "' is shorter than its lengths say");
      Tensor& out = output(i);
      resizeRows(in, rows[level], out);
      int64_t dst = 0;
      for (int64_t e : entries) {
        int64_t b = off[level][e], n = off[level][e + 1] - b;
        copyRows(in, b, n, out, dst);
        dst += n;
      }
    }
  }

 private:
  uint64_t _seed;
  bool _loopOver;
};

class CheckDatasetConsistencyOp final : public Operator {
 public:
  CheckDatasetConsistencyOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws), _cursor(argStrings("fields")) {
    if (_cursor.layout().numFields() != numInputs())
      fail(codes::kInvalidArgument, "Expected " + std::to_string(_cursor.layout().numFields()) + " inputs but received " +
                                        std::to_string(numInputs()));
  }
  void run(RunContext&) override {
    FieldViews v;
    for (size_t i = 0; i < numInputs(); ++i) v.tensors.push_back(&input(i));
    _cursor.checkConsistency(v);
  }

 private:
  TreeCursor _cursor;
};

class CreateMutexOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override { outputBlob(0).setObject(std::make_shared<MutexBlob>()); }
};

// Inputs (mutex, data…, new…); outputs (data…), in place. Grows each field by
// about 1.5× when its buffer is full, so n appends copy O(n) rows in total.
class AtomicAppendOp final : public Operator {
 public:
  AtomicAppendOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws) {
    size_t n = numOutputs();
    if (numInputs() != 1 + 2 * n)
      fail(codes::kInvalidArgument, "Expected 1 + 2×" + std::to_string(n) + " inputs (mutex, data…, new…) but received " +
                                        std::to_string(numInputs()));
    for (size_t i = 0; i < n; ++i)
      if (outputName(i) != inputName(1 + i))
        fail(codes::kInvalidArgument, "Expected output " + std::to_string(i) + " to be the data input '" + inputName(1 + i) + "'");
  }
  void run(RunContext&) override {
    auto m = objectRef<MutexBlob>(inputBlob(0), inputName(0));
    size_t n = numOutputs();
    std::lock_guard<std::mutex> lock(m->mu);
    for (size_t i = 0; i < n; ++i) {
      const Tensor& add = input(1 + n + i);
      const Tensor* cur = inputIfReady(1 + i);
      if (add.ndim() < 1) fail(codes::kShapeMismatch, "Expected '" + inputName(1 + n + i) + "' to have at least 1 dim");
      if (!cur) continue;
      Shape a(add.shape().begin() + 1, add.shape().end()), b(cur->shape().begin() + 1, cur->shape().end());
      if (cur->dtype() != add.dtype() || a != b)
        fail(codes::kShapeMismatch, "Expected '" + inputName(1 + n + i) + "' (" + dtypeName(add.dtype()) + shapeString(add.shape()) +
                                        ") to match the rows of '" + inputName(1 + i) + "' (" + dtypeName(cur->dtype()) +
                                        shapeString(cur->shape()) + ")");
    }
    for (size_t i = 0; i < n; ++i) append(outputBlob(i), input(1 + n + i));
  }

 private:
  static void append(Blob& blob, const Tensor& add) {
    Tensor* cur = blob.tensorOrNull();
    if (!cur) {
      blob.mutableTensor().copyFrom(add);
      return;
    }
    int64_t rows = cur->dim(0), extra = add.dim(0);
    size_t oldBytes = cur->nbytes();
    Tensor keep = *cur;  // shares the buffer: survives a reallocation below
    Shape shape = cur->shape();
    shape[0] = rows + extra;
    cur->resize(cur->dtype(), shape);
    if (cur->raw() != keep.raw()) {
      // Reallocated: allocate with headroom, copy the old rows, trim to size.
      Shape grown = shape;
      grown[0] = std::max(rows + extra, rows + rows / 2 + 16);
      Tensor fresh(keep.dtype(), grown);
      if (oldBytes) std::memcpy(fresh.raw(), keep.raw(), oldBytes);
      fresh.resize(keep.dtype(), shape);
      *cur = std::move(fresh);
    }
    if (add.nbytes()) std::memcpy(static_cast<uint8_t*>(cur->raw()) + oldBytes, add.raw(), add.nbytes());
  }
};

// Trims every field so the top level holds a multiple of `multiple_of` entries.
class TrimDatasetOp final : public Operator {
 public:
  TrimDatasetOp(const OperatorDef& def, Workspace& ws)
      : Operator(def, ws), _cursor(argStrings("fields")), _multipleOf(argInt("multiple_of", 1)) {
    if (_multipleOf < 1) fail(codes::kInvalidArgument, "Expected multiple_of >= 1 but received " + std::to_string(_multipleOf));
    if (numInputs() != _cursor.layout().numFields() || numOutputs() != numInputs())
      fail(codes::kInvalidArgument, "Expected one input and one output per field");
  }
  void run(RunContext&) override {
    FieldViews v;
    for (size_t i = 0; i < numInputs(); ++i) v.tensors.push_back(&input(i));
    _cursor.checkConsistency(v);
    auto off = _cursor.entryOffsets(v);
    int64_t n = static_cast<int64_t>((*off)[0].size()) - 1;
    int64_t keep = n - n % _multipleOf;
    for (size_t i = 0; i < numOutputs(); ++i) {
      const Tensor& in = input(i);
      int64_t rows = (*off)[_cursor.layout().levelOf(i)][keep];
      Tensor& out = output(i);
      if (&out != &in) out.copyFrom(in);
      resizeRows(in, rows, out);
    }
  }

 private:
  TreeCursor _cursor;
  int64_t _multipleOf;
};

}  // namespace

HW_REGISTER_OP(CreateTreeCursor, CreateTreeCursorOp)
    .inputs(0)
    .outputs(1)
    .arg("fields")
    .describe("Creates a thread-safe cursor over a dataset with the given (Caffe2-style) field names.");
HW_REGISTER_OP(ResetCursor, ResetCursorOp).inputs(1).outputs(0).describe("Rewinds the cursor and starts a new shuffle pass.");
HW_REGISTER_OP(GetCursorOffset, GetCursorOffsetOp).inputs(1).outputs(1).describe("The cursor's top-level offset (int64 [1]).");
HW_REGISTER_OP(ReadNextBatch, ReadNextBatchOp)
    .inputs(2, INT_MAX)
    .outputs(1, INT_MAX)
    .argList({"batch_size", "enforce_batch_size"})
    .describe("Reads the next batch_size top-level entries of every field; empty outputs once exhausted.");
HW_REGISTER_OP(ReadShuffledBatch, ReadShuffledBatchOp)
    .inputs(2, INT_MAX)
    .outputs(1, INT_MAX)
    .argList({"batch_size", "enforce_batch_size", "seed", "loop_over"})
    .describe("Like ReadNextBatch, in a random order fixed by (seed, pass); ResetCursor starts the next pass.");
HW_REGISTER_OP(CheckDatasetConsistency, CheckDatasetConsistencyOp)
    .inputs(1, INT_MAX)
    .outputs(0)
    .arg("fields")
    .describe("Checks that the fields' sizes agree with their lengths.");
HW_REGISTER_OP(CreateMutex, CreateMutexOp).inputs(0).outputs(1).describe("Creates a mutex blob (for AtomicAppend).");
HW_REGISTER_OP(AtomicAppend, AtomicAppendOp)
    .inputs(3, INT_MAX)
    .outputs(1, INT_MAX)
    .describe("Under the mutex, appends each new tensor's rows to its data field, in place.");
HW_REGISTER_OP(TrimDataset, TrimDatasetOp)
    .inputs(1, INT_MAX)
    .outputs(1, INT_MAX)
    .argList({"fields", "multiple_of"})
    .describe("Drops trailing top-level entries so their count is a multiple of multiple_of.");

}  // namespace hogwild
