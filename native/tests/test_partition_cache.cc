// The partitioned reader's native cache: a partition's columns checked when
// cached, batches cut as row views (a list column's values by its offsets),
// fed into a queue in order with a short last batch, stopped by a close, and
// the queue's dequeue count that the reader's cursor is computed from.
#include <thread>

#include "../data/partition_cache.h"
#include "../data/queue.h"
#include "check.h"

using namespace hogwild;
using data::BlobsQueue;
using data::CachedColumn;
using data::CachedPartition;

namespace {

// 5 rows: label i, x = [i, 10 i], tokens = i ids (row 0 has none).
CachedPartition fivePartition() {
  std::vector<CachedColumn> cols(3);
  cols[0].data = Tensor(DType::Int32, {5});
  cols[1].data = Tensor(DType::Float32, {5, 2});
  cols[2].list = true;
  cols[2].lengths = Tensor(DType::Int32, {5});
  cols[2].data = Tensor(DType::Int32, {10});
  int at = 0;
  for (int i = 0; i < 5; ++i) {
    cols[0].data.data<int32_t>()[i] = i;
    cols[1].data.data<float>()[2 * i] = static_cast<float>(i);
    cols[1].data.data<float>()[2 * i + 1] = static_cast<float>(10 * i);
    cols[2].lengths.data<int32_t>()[i] = i;
    for (int j = 0; j < i; ++j) cols[2].data.data<int32_t>()[at++] = 100 * i + j;
  }
  return CachedPartition(5, std::move(cols), {"label", "x", "tokens"});
}

}  // namespace

TEST(partition_cache_batches_are_row_views) {
  CachedPartition p = fivePartition();
  CHECK(p.rows() == 5);
  CHECK(p.numFields() == 4);
  CHECK(p.bytes() == 5 * 4 + 10 * 4 + 5 * 4 + 10 * 4 + 6 * 8);
  std::vector<Tensor> b;
  p.batch(2, 3, &b);
  CHECK(b.size() == 4);
  CHECK(b[0].shape() == Shape({3}) && b[0].data<int32_t>()[0] == 2);
  CHECK(b[1].shape() == Shape({3, 2}) && b[1].data<float>()[5] == 40.0f);
  CHECK(b[2].shape() == Shape({3}) && b[2].data<int32_t>()[2] == 4);
  // Rows 2..4 hold 2 + 3 + 4 ids, from row 2's first.
  CHECK(b[3].shape() == Shape({9}) && b[3].data<int32_t>()[0] == 200 && b[3].data<int32_t>()[8] == 403);
  p.batch(0, 1, &b);
  CHECK(b[3].numel() == 0);  // row 0 has no ids: an empty view
  CHECK_THROWS_CODE(p.batch(4, 2, &b), codes::kInvalidArgument);
}

TEST(partition_cache_checks_its_columns) {
  std::vector<CachedColumn> rowsOff(1);
  rowsOff[0].data = Tensor(DType::Int32, {4});
  CHECK_THROWS_CODE(CachedPartition(5, std::move(rowsOff), {"label"}), codes::kInvalidArgument);
  std::vector<CachedColumn> sumOff(1);
  sumOff[0].list = true;
  sumOff[0].lengths = Tensor(DType::Int32, {2});
  sumOff[0].lengths.data<int32_t>()[0] = 1;
  sumOff[0].lengths.data<int32_t>()[1] = 2;
  sumOff[0].data = Tensor(DType::Int32, {4});
  CHECK_THROWS_CODE(CachedPartition(2, std::move(sumOff), {"tokens"}), codes::kInvalidArgument);
  std::vector<CachedColumn> negative(1);
  negative[0].list = true;
  negative[0].lengths = Tensor(DType::Int32, {1});
  negative[0].lengths.data<int32_t>()[0] = -1;
  negative[0].data = Tensor(DType::Int32, {0});
  CHECK_THROWS_CODE(CachedPartition(1, std::move(negative), {"tokens"}), codes::kInvalidArgument);
  std::vector<CachedColumn> one(1);
  one[0].data = Tensor(DType::Int32, {1});
  CHECK_THROWS_CODE(CachedPartition(1, std::move(one), {"a", "b"}), codes::kInvalidArgument);
}

TEST(partition_cache_feeds_a_queue_in_order) {
  CachedPartition p = fivePartition();
  BlobsQueue q("q", 2, 4, {});
  int64_t fed = 0;
  // Capacity 2: the feeder blocks until the consumer dequeues.
  std::thread feeder([&] { fed = data::feedCachedPartition(q, p, 1, 2); });
  std::vector<Tensor> out(4);
  std::vector<Tensor*> ptrs{&out[0], &out[1], &out[2], &out[3]};
  CHECK(q.dequeue(ptrs, nullptr));
  CHECK(out[0].numel() == 2 && out[0].data<int32_t>()[0] == 1 && out[3].numel() == 3);
  CHECK(q.dequeue(ptrs, nullptr));
  CHECK(out[0].numel() == 2 && out[0].data<int32_t>()[0] == 3 && out[3].numel() == 7);
  feeder.join();
  CHECK(fed == 2);  // rows 1-2 and 3-4
  CHECK(q.dequeued() == 2);
  // A closed queue stops the feed; a queue of another width is refused.
  q.close();
  CHECK(data::feedCachedPartition(q, p, 0, 1) == 0);
  BlobsQueue narrow("narrow", 2, 3, {});
  CHECK_THROWS_CODE(data::feedCachedPartition(narrow, p, 0, 2), codes::kInvalidArgument);
  CHECK_THROWS_CODE(data::feedCachedPartition(narrow, p, 0, 0), codes::kInvalidArgument);
}

HWTEST_MAIN()
