#pragma once
// A partition decoded once and kept in native memory (PartitionedSource's
// cache), and the loop that feeds its batches into a BlobsQueue from a native
// thread: later passes over the partition cost one copy per batch and no JS.
//
// Layout: one tensor per schema field, rows first (a scalar column is
// [rows, ...shape]); a list column is per-row lengths plus all its values,
// with row offsets into the values computed (and checked) once here.
#include <atomic>
#include <cstdint>
#include <vector>

#include "../core/tensor.h"
#include "queue.h"

namespace hogwild::data {

struct CachedColumn {
  bool list = false;
  Tensor data;                   // scalar: [rows, ...shape]; list: the values [n]
  Tensor lengths;                // list only: int32 [rows]
  std::vector<int64_t> offsets;  // list only: rows + 1 offsets into data
};

class CachedPartition {
 public:
  // Takes the columns over; checks every column has `rows` rows and list
  // lengths sum to their values (HOGWILD_INVALID_ARGUMENT naming the column).
  CachedPartition(int64_t rows, std::vector<CachedColumn> columns, const std::vector<std::string>& names);

  int64_t rows() const { return _rows; }
  size_t bytes() const;
  // Rows [from, from + n) as queue fields (a list column gives lengths then
  // values); the tensors share this partition's memory (read-only views).
  void batch(int64_t from, int64_t n, std::vector<Tensor>* out) const;
  size_t numFields() const;

 private:
  int64_t _rows;
  std::vector<CachedColumn> _columns;
};

// Enqueues rows [from, rows) of `part` in batches of `batchSize` (the last may
// be shorter), blocking while the queue is full. Stops early when the queue is
// closed. Returns the batches enqueued.
int64_t feedCachedPartition(BlobsQueue& queue, const CachedPartition& part, int64_t from, int64_t batchSize);

}  // namespace hogwild::data
