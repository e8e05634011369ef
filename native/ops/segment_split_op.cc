// SplitSegments(ids, lengths) -> (lo_ids, lo_weights, lo_lengths, hi_ids, hi_weights, hi_lengths)
//
// Splits a segmented id list (Caffe2's lengths/values layout: segment i owns
// the next lengths[i] ids) by an id threshold: ids < threshold go to the "lo"
// list, the others to the "hi" list (shifted down by `hi_offset`, default
// `threshold`), each keeping segment order. The weights are 1/lengths[i] per
// id with `mean` (the default), else 1, so
//   SparseLengthsWeightedSum(lo_table, lo_weights, lo_ids, lo_lengths)
// + SparseLengthsWeightedSum(hi_table, hi_weights, hi_ids, hi_lengths)
// is SparseLengthsMean over the two tables stacked. Hogwild training uses it to
// keep the most frequent rows (a fastText dictionary's first ids) in
// per-thread replicas and only the long tail in the shared table
// (docs/hogwild.md §2).

#include "registry.h"

namespace hogwild {
namespace {

// Reads element i of an int32 or int64 tensor through a raw pointer.
struct IntView {
  const void* p;
  bool wide;
  int64_t operator[](int64_t i) const {
    return wide ? static_cast<const int64_t*>(p)[i] : static_cast<const int32_t*>(p)[i];
  }
};

// The split, branch-free: every id is written to both lists and only the
// list it belongs to advances (the other slot is overwritten next time), so
// a random mix of frequent and rare ids costs no mispredicted branches.
// Outputs hold room for one extra element (a write past the kept ones).
template <typename TI, typename TL>
void splitKernel(const TI* ids, const TL* lengths, int64_t n, int64_t threshold, int64_t hiOffset, bool mean, TI* loIds,
                 float* loW, TL* loLen, TI* hiIds, float* hiW, TL* hiLen, int64_t* loCount, int64_t* hiCount) {
  int64_t j = 0, a = 0, b = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t l = lengths[i];
    const float w = mean && l > 0 ? 1.0f / static_cast<float>(l) : 1.0f;
    const int64_t a0 = a, b0 = b;
    for (int64_t k = 0; k < l; ++k, ++j) {
      const TI id = ids[j];
      const int64_t isLo = static_cast<int64_t>(id) < threshold;
      loIds[a] = id;
      loW[a] = w;
      hiIds[b] = static_cast<TI>(id - hiOffset);
      hiW[b] = w;
      a += isLo;
      b += 1 - isLo;
    }
    loLen[i] = static_cast<TL>(a - a0);
    hiLen[i] = static_cast<TL>(b - b0);
  }
  *loCount = a;
  *hiCount = b;
}

class SplitSegmentsOp final : public Operator {
 public:
  SplitSegmentsOp(const OperatorDef& def, Workspace& ws)
      : Operator(def, ws),
        _threshold(argInt("threshold", -1)),
        _hiOffset(argInt("hi_offset", _threshold)),
        _mean(argInt("mean", 1) != 0) {
    if (_threshold < 0) fail(codes::kInvalidArgument, "Expected a 'threshold' >= 0 but received " + std::to_string(_threshold));
    if (_hiOffset < 0 || _hiOffset > _threshold)
      fail(codes::kInvalidArgument, "Expected hi_offset in [0, threshold] but received " + std::to_string(_hiOffset));
  }

  void run(RunContext&) override {
    const Tensor& idsT = input(0);
    const Tensor& lenT = input(1);
    if ((idsT.dtype() != DType::Int32 && idsT.dtype() != DType::Int64) || idsT.ndim() != 1)
      fail(codes::kDtypeMismatch, "Expected 1-D int32 or int64 ids for input 0 '" + inputName(0) + "' but received " +
                                      dtypeName(idsT.dtype()) + shapeString(idsT.shape()));
    if ((lenT.dtype() != DType::Int32 && lenT.dtype() != DType::Int64) || lenT.ndim() != 1)
      fail(codes::kDtypeMismatch, "Expected 1-D int32 or int64 lengths for input 1 '" + inputName(1) + "' but received " +
                                      dtypeName(lenT.dtype()) + shapeString(lenT.shape()));
    const IntView ids{idsT.raw(), idsT.dtype() == DType::Int64}, lengths{lenT.raw(), lenT.dtype() == DType::Int64};
    const int64_t n = lenT.numel(), total = idsT.numel();
    int64_t sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      int64_t l = lengths[i];
      if (l < 0) fail(codes::kIndexOutOfRange, "Expected lengths >= 0 but lengths[" + std::to_string(i) + "] is " + std::to_string(l));
      sum += l;
    }
    if (sum != total)
      fail(codes::kShapeMismatch, "Expected the lengths to sum to the " + std::to_string(total) + " ids but they sum to " + std::to_string(sum));
    for (int64_t j = 0; j < total; ++j) {
      if (ids[j] < 0) fail(codes::kIndexOutOfRange, "Expected ids >= 0 but ids[" + std::to_string(j) + "] is " + std::to_string(ids[j]));
    }
    Tensor &loIds = output(0), &loW = output(1), &loLen = output(2), &hiIds = output(3), &hiW = output(4), &hiLen = output(5);
    loIds.resize(idsT.dtype(), {total + 1});
    hiIds.resize(idsT.dtype(), {total + 1});
    loW.resize(DType::Float32, {total + 1});
    hiW.resize(DType::Float32, {total + 1});
    loLen.resize(lenT.dtype(), {n});
    hiLen.resize(lenT.dtype(), {n});
    int64_t lo = 0, hi = 0;
    auto run = [&](auto ti, auto tl) {
      using TI = decltype(ti);
      using TL = decltype(tl);
      splitKernel<TI, TL>(static_cast<const TI*>(idsT.raw()), static_cast<const TL*>(lenT.raw()), n, _threshold, _hiOffset, _mean,
                          static_cast<TI*>(loIds.raw()), static_cast<float*>(loW.raw()), static_cast<TL*>(loLen.raw()),
                          static_cast<TI*>(hiIds.raw()), static_cast<float*>(hiW.raw()), static_cast<TL*>(hiLen.raw()), &lo, &hi);
    };
    if (ids.wide) {
      if (lengths.wide) run(int64_t{}, int64_t{}); else run(int64_t{}, int32_t{});
    } else {
      if (lengths.wide) run(int32_t{}, int64_t{}); else run(int32_t{}, int32_t{});
    }
    // Shrinking keeps the buffers: no allocation per batch in steady state.
    loIds.resize(idsT.dtype(), {lo});
    loW.resize(DType::Float32, {lo});
    hiIds.resize(idsT.dtype(), {hi});
    hiW.resize(DType::Float32, {hi});
  }

 private:
  int64_t _threshold, _hiOffset;
  bool _mean;
};

}  // namespace

HW_REGISTER_OP(SplitSegments, SplitSegmentsOp)
    .inputs(2)
    .outputs(6)
    .argList({"threshold", "hi_offset", "mean"})
    .describe("Splits segmented ids by a threshold into two segmented lists with per-id weights (1/length with mean).");

}  // namespace hogwild
