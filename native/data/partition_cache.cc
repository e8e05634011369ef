#include "partition_cache.h"

#include <algorithm>
#include <memory>

namespace hogwild::data {

namespace {

// A view of `rows` rows of `t` from row `from`, sharing its buffer (aliasing shared_ptr).
Tensor rowsOf(const Tensor& t, int64_t from, int64_t rows, int64_t rowElems) {
  Shape shape = t.shape();
  shape[0] = rows;
  const size_t elem = dtypeSize(t.dtype());
  static uint8_t empty = 0;  // an empty tensor may have no buffer; a view needs a non-null pointer
  auto* base = t.raw() ? static_cast<uint8_t*>(const_cast<void*>(t.raw())) + static_cast<size_t>(from * rowElems) * elem : &empty;
  // No ownership: the CachedPartition outlives every batch (the feeder holds it, the queue copies).
  std::shared_ptr<uint8_t> owner(std::shared_ptr<const void>(), base);
  return Tensor::fromExternal(t.dtype(), std::move(shape), owner);
}

}  // namespace

CachedPartition::CachedPartition(int64_t rows, std::vector<CachedColumn> columns, const std::vector<std::string>& names)
    : _rows(rows), _columns(std::move(columns)) {
  HW_CHECK(rows >= 0, codes::kInvalidArgument, "Expected a row count >= 0 for a cached partition but received " << rows);
  HW_CHECK(names.size() == _columns.size(), codes::kInvalidArgument,
           "Expected " << _columns.size() << " column names for a cached partition but received " << names.size());
  for (size_t c = 0; c < _columns.size(); ++c) {
    CachedColumn& col = _columns[c];
    const std::string& name = names[c];
    if (!col.list) {
      HW_CHECK(col.data.ndim() >= 1 && col.data.dim(0) == rows, codes::kInvalidArgument,
               "Expected column '" << name << "' of a cached partition to have " << rows << " rows but its shape is "
                                   << shapeString(col.data.shape()));
      continue;
    }
    HW_CHECK(col.lengths.dtype() == DType::Int32 && col.lengths.ndim() == 1 && col.lengths.dim(0) == rows,
             codes::kInvalidArgument,
             "Expected int32 lengths of " << rows << " rows for list column '" << name << "' of a cached partition");
    HW_CHECK(col.data.ndim() == 1, codes::kInvalidArgument,
             "Expected the values of list column '" << name << "' of a cached partition to be 1-D");
    col.offsets.resize(static_cast<size_t>(rows) + 1);
    const int32_t* len = col.lengths.data<int32_t>();
    int64_t at = 0;
    for (int64_t r = 0; r < rows; ++r) {
      HW_CHECK(len[r] >= 0, codes::kInvalidArgument,
               "Expected list lengths >= 0 in column '" << name << "' of a cached partition but row " << r << " has " << len[r]);
      col.offsets[static_cast<size_t>(r)] = at;
      at += len[r];
    }
    col.offsets[static_cast<size_t>(rows)] = at;
    HW_CHECK(at == col.data.numel(), codes::kInvalidArgument,
             "Expected list column '" << name << "' of a cached partition to hold " << at << " values (its lengths' sum) but it holds "
                                      << col.data.numel());
  }
}

size_t CachedPartition::bytes() const {
  size_t n = 0;
  for (const auto& c : _columns) n += c.data.nbytes() + c.lengths.nbytes() + c.offsets.size() * sizeof(int64_t);
  return n;
}

size_t CachedPartition::numFields() const {
  size_t n = 0;
  for (const auto& c : _columns) n += c.list ? 2 : 1;
  return n;
}

void CachedPartition::batch(int64_t from, int64_t n, std::vector<Tensor>* out) const {
  HW_CHECK(from >= 0 && n >= 0 && from + n <= _rows, codes::kInvalidArgument,
           "Expected rows [" << from << ", " << from + n << ") inside a cached partition of " << _rows << " rows");
  out->clear();
  for (const auto& c : _columns) {
    if (!c.list) {
      out->push_back(rowsOf(c.data, from, n, c.data.sizeFrom(1)));
      continue;
    }
    out->push_back(rowsOf(c.lengths, from, n, 1));
    const int64_t begin = c.offsets[static_cast<size_t>(from)], end = c.offsets[static_cast<size_t>(from + n)];
    Tensor values = rowsOf(c.data, begin, end - begin, 1);
    out->push_back(std::move(values));
  }
}

int64_t feedCachedPartition(BlobsQueue& queue, const CachedPartition& part, int64_t from, int64_t batchSize) {
  HW_CHECK(batchSize > 0, codes::kInvalidArgument, "Expected a batch size >= 1 but received " << batchSize);
  HW_CHECK(static_cast<int64_t>(part.numFields()) == queue.numBlobs(), codes::kInvalidArgument,
           "Expected queue '" << queue.name() << "' to take " << part.numFields() << " fields but it takes " << queue.numBlobs());
  std::vector<Tensor> fields;
  std::vector<const Tensor*> ptrs;
  int64_t fed = 0;
  for (int64_t r = from; r < part.rows(); r += batchSize) {
    part.batch(r, std::min(batchSize, part.rows() - r), &fields);
    ptrs.clear();
    for (const auto& t : fields) ptrs.push_back(&t);
    if (!queue.enqueue(ptrs, nullptr)) break;
    ++fed;
  }
  return fed;
}

}  // namespace hogwild::data
