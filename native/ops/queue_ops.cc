// Bounded queue ops (docs/caffe2.md §9, §11): CreateBlobsQueue, EnqueueBlobs,
// SafeEnqueueBlobs, DequeueBlobs, SafeDequeueBlobs, CloseBlobsQueue,
// BlobsQueueSize. The waits poll the run's cancellation flag (see queue.h).
#include <cstring>

#include "../data/object_ref.h"
#include "../data/queue.h"
#include "registry.h"

namespace hogwild {
namespace {

using data::BlobsQueue;
using data::objectRef;

class CreateBlobsQueueOp final : public Operator {
 public:
  CreateBlobsQueueOp(const OperatorDef& def, Workspace& ws)
      : Operator(def, ws),
        _capacity(argInt("capacity", 1)),
        _numBlobs(argInt("num_blobs", 1)),
        _fieldNames(argStrings("field_names")) {
    // Validate now so a bad plan fails before any thread starts.
    BlobsQueue probe(outputName(0), _capacity, _numBlobs, _fieldNames);
  }
  void run(RunContext&) override {
    outputBlob(0).setObject(std::make_shared<BlobsQueue>(outputName(0), _capacity, _numBlobs, _fieldNames));
  }

 private:
  int64_t _capacity, _numBlobs;
  std::vector<std::string> _fieldNames;
};

// Inputs (queue, blobs…); outputs (blobs…[, status]).
class EnqueueOp : public Operator {
 public:
  EnqueueOp(const OperatorDef& def, Workspace& ws, bool safe) : Operator(def, ws), _safe(safe) {}
  void run(RunContext& ctx) override {
    auto q = objectRef<BlobsQueue>(inputBlob(0), inputName(0));
    size_t n = numInputs() - 1;
    if (static_cast<int64_t>(n) != q->numBlobs())
      fail(codes::kInvalidArgument, "Expected " + std::to_string(q->numBlobs()) + " blobs for queue '" + q->name() +
                                        "' but received " + std::to_string(n));
    _fields.clear();
    for (size_t i = 0; i < n; ++i) _fields.push_back(&input(i + 1));
    bool ok = q->enqueue(_fields, &ctx);
    if (_safe) {
      Tensor& status = output(numOutputs() - 1);
      status.resize(DType::Bool, {});
      status.data<bool>()[0] = !ok;
    } else if (!ok) {
      fail(codes::kOpFailed, "Queue '" + q->name() + "' is closed");
    }
  }

 private:
  bool _safe;
  std::vector<const Tensor*> _fields;
};

class EnqueueBlobsOp final : public EnqueueOp {
 public:
  EnqueueBlobsOp(const OperatorDef& def, Workspace& ws) : EnqueueOp(def, ws, false) {}
};

class SafeEnqueueBlobsOp final : public EnqueueOp {
 public:
  SafeEnqueueBlobsOp(const OperatorDef& def, Workspace& ws) : EnqueueOp(def, ws, true) {
    if (numOutputs() != numInputs())
      fail(codes::kInvalidArgument, "Expected " + std::to_string(numInputs()) + " outputs (the blobs and a status) but received " +
                                        std::to_string(numOutputs()));
  }
};

// Outputs (blobs…[, status]). With num_records > 1, up to that many records
// are concatenated along dim 0.
class DequeueOp : public Operator {
 public:
  DequeueOp(const OperatorDef& def, Workspace& ws, bool safe)
      : Operator(def, ws), _safe(safe), _numRecords(argInt("num_records", 1)) {
    if (_numRecords < 1) fail(codes::kInvalidArgument, "Expected num_records >= 1 but received " + std::to_string(_numRecords));
  }
  void run(RunContext& ctx) override {
    auto q = objectRef<BlobsQueue>(inputBlob(0), inputName(0));
    size_t n = numOutputs() - (_safe ? 1 : 0);
    if (static_cast<int64_t>(n) != q->numBlobs())
      fail(codes::kInvalidArgument, "Expected " + std::to_string(q->numBlobs()) + " outputs for queue '" + q->name() +
                                        "' but received " + std::to_string(n));
    bool ok = _numRecords == 1 ? dequeueOne(*q, n, ctx) : dequeueMany(*q, n, ctx);
    if (_safe) {
      Tensor& status = output(n);
      status.resize(DType::Bool, {});
      status.data<bool>()[0] = !ok;
    } else if (!ok) {
      fail(codes::kOpFailed, "Queue '" + q->name() + "' is closed and empty");
    }
  }

 private:
  bool dequeueOne(BlobsQueue& q, size_t n, RunContext& ctx) {
    _out.clear();
    for (size_t i = 0; i < n; ++i) _out.push_back(&output(i));
    return q.dequeue(_out, &ctx);
  }

  bool dequeueMany(BlobsQueue& q, size_t n, RunContext& ctx) {
    if (_parts.size() != static_cast<size_t>(_numRecords)) _parts.assign(_numRecords, data::Record(n));
    int64_t got = 0;
    for (; got < _numRecords; ++got) {
      _out.clear();
      for (size_t i = 0; i < n; ++i) _out.push_back(&_parts[got][i]);
      if (!q.dequeue(_out, &ctx)) break;
    }
    if (got == 0) return false;
    for (size_t i = 0; i < n; ++i) {
      const Tensor& first = _parts[0][i];
      Shape shape = first.shape();
      if (shape.empty()) fail(codes::kShapeMismatch, "Expected records with at least 1 dim to concatenate field " + std::to_string(i));
      int64_t rows = 0;
      for (int64_t r = 0; r < got; ++r) {
        const Tensor& t = _parts[r][i];
        Shape tail(t.shape().begin() + (t.ndim() ? 1 : 0), t.shape().end());
        Shape firstTail(shape.begin() + 1, shape.end());
        if (t.dtype() != first.dtype() || t.ndim() != first.ndim() || tail != firstTail)
          fail(codes::kShapeMismatch, "Expected records of the same dtype and inner shape to concatenate field " + std::to_string(i) +
                                          " but received " + shapeString(first.shape()) + " and " + shapeString(t.shape()));
        rows += t.dim(0);
      }
      shape[0] = rows;
      Tensor& out = output(i);
      out.resize(first.dtype(), shape);
      uint8_t* dst = static_cast<uint8_t*>(out.raw());
      for (int64_t r = 0; r < got; ++r) {
        const Tensor& t = _parts[r][i];
        if (t.nbytes()) std::memcpy(dst, t.raw(), t.nbytes());
        dst += t.nbytes();
      }
    }
    return true;
  }

  bool _safe;
  int64_t _numRecords;
  std::vector<Tensor*> _out;
  std::vector<data::Record> _parts;
};

class DequeueBlobsOp final : public DequeueOp {
 public:
  DequeueBlobsOp(const OperatorDef& def, Workspace& ws) : DequeueOp(def, ws, false) {}
};
class SafeDequeueBlobsOp final : public DequeueOp {
 public:
  SafeDequeueBlobsOp(const OperatorDef& def, Workspace& ws) : DequeueOp(def, ws, true) {}
};

class CloseBlobsQueueOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override { objectRef<BlobsQueue>(inputBlob(0), inputName(0))->close(); }
};

class BlobsQueueSizeOp final : public Operator {
 public:
  using Operator::Operator;
  void run(RunContext&) override {
    int64_t n = objectRef<BlobsQueue>(inputBlob(0), inputName(0))->size();
    Tensor& out = output(0);
    out.resize(DType::Int64, {});
    out.data<int64_t>()[0] = n;
  }
};

}  // namespace

HW_REGISTER_OP(CreateBlobsQueue, CreateBlobsQueueOp)
    .inputs(0)
    .outputs(1)
    .argList({"capacity", "num_blobs", "field_names", "enforce_unique_name"})
    .describe("Creates a bounded blocking queue of records with num_blobs fields.");
HW_REGISTER_OP(EnqueueBlobs, EnqueueBlobsOp)
    .inputs(2, INT_MAX)
    .outputs(0, INT_MAX)
    .describe("Copies the input blobs into the queue as one record, blocking while full; fails when closed.");
HW_REGISTER_OP(SafeEnqueueBlobs, SafeEnqueueBlobsOp)
    .inputs(2, INT_MAX)
    .outputs(2, INT_MAX)
    .describe("Like EnqueueBlobs; the last output is a bool status, true when the queue was closed.");
HW_REGISTER_OP(DequeueBlobs, DequeueBlobsOp)
    .inputs(1)
    .outputs(1, INT_MAX)
    .arg("num_records")
    .describe("Moves the oldest record into the outputs, blocking while empty; fails when closed and empty.");
HW_REGISTER_OP(SafeDequeueBlobs, SafeDequeueBlobsOp)
    .inputs(1)
    .outputs(2, INT_MAX)
    .arg("num_records")
    .describe("Like DequeueBlobs; the last output is a bool status, true when the queue is closed and empty.");
HW_REGISTER_OP(CloseBlobsQueue, CloseBlobsQueueOp).inputs(1).outputs(0).describe("Closes the queue.");
HW_REGISTER_OP(BlobsQueueSize, BlobsQueueSizeOp).inputs(1).outputs(1).describe("Number of records waiting in the queue.");

}  // namespace hogwild
