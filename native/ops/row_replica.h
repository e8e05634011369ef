#pragma once
// Per-thread replicas of a table's first rows (pipe()'s `replicate.rows`, docs/hogwild.md §2).
// SparseLengths* and ScatterWeightedSum take an optional trailing input REPLICA: a float32 tensor
// of K rows shaped like the table's rows. Indices below K read and write REPLICA (this thread's
// private copy of the hot rows) instead of the shared table; the others go to the table as
// usual. With ids ordered by frequency (fastText's dictionary), the rows every batch touches
// stop bouncing between cores; pipe() merges each replica into the table periodically.
#include <cstdint>
#include <vector>

#include "sparse_common.h"

namespace hogwild {

// Splits positions [0, n) of `idx` into those below `hotRows` and the others, keeping order,
// without branching on the data (hot and cold ids interleave at random in text). `w` (may be
// null) is split alongside; `coldPos` keeps where each cold index came from. Buffers are reused.
template <class I>
struct RowSplit {
  std::vector<I> hotIdx, coldIdx;
  std::vector<float> hotW, coldW;
  std::vector<int64_t> hotPos, coldPos;
  int64_t nh = 0, nc = 0;

  void split(const I* idx, int64_t n, const float* w, int64_t hotRows) {
    const size_t cap = static_cast<size_t>(n);
    if (hotIdx.size() < cap) {
      for (auto* v : {&hotIdx, &coldIdx}) v->resize(cap);
      for (auto* v : {&hotW, &coldW}) v->resize(cap);
      for (auto* v : {&hotPos, &coldPos}) v->resize(cap);
    }
    nh = nc = 0;
    for (int64_t k = 0; k < n; ++k) {
      const I r = idx[k];
      const int64_t hot = static_cast<int64_t>(r) < hotRows;
      hotIdx[static_cast<size_t>(nh)] = r, coldIdx[static_cast<size_t>(nc)] = r;
      hotPos[static_cast<size_t>(nh)] = k, coldPos[static_cast<size_t>(nc)] = k;
      if (w) hotW[static_cast<size_t>(nh)] = w[k], coldW[static_cast<size_t>(nc)] = w[k];
      nh += hot, nc += 1 - hot;
    }
  }
};

}  // namespace hogwild
