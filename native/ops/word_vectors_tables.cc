// WordVectorsTables(dict) -> (negatives, discard, row_offsets, rows): what
// WordVectorsTrain needs from a fastText dictionary, computed once per run as
// fastText computes it (src/loss.cc, src/dictionary.cc):
//   negatives    int32 [~10M]: word i repeated count_i^0.5 / sum_j count_j^0.5
//                of 10M times (a uniform draw from it is a unigram^0.5 draw);
//   discard      float32 [nwords]: keep probability sqrt(t/f) + t/f of each
//                word, f = count / ntokens (subsampling of frequent words);
//   row_offsets  int32 [nwords + 1] and rows int32: the input rows of each
//                word (itself, then its character n-grams), CSR-style.
#include <cmath>
#include <cstring>

#include "../data/fasttext.h"
#include "../data/object_ref.h"
#include "registry.h"

namespace hogwild {
namespace {

using data::FastTextDictionary;

// fastText's NEGATIVE_TABLE_SIZE.
constexpr double kNegativeTableSize = 10000000.0;

class WordVectorsTablesOp final : public Operator {
 public:
  WordVectorsTablesOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws), _t(argFloat("t", 1e-4)) {
    if (!(_t > 0 && _t <= 1)) fail(codes::kInvalidArgument, "Expected t (sampling threshold) in (0, 1] but received " + std::to_string(_t));
  }

  void run(RunContext&) override {
    auto dict = data::objectRef<FastTextDictionary>(inputBlob(0), inputName(0));
    const int32_t nwords = dict->nwords();
    const auto& entries = dict->entries();
    if (nwords < 1) fail(codes::kInvalidArgument, "Expected a dictionary with at least one word for " + inputName(0));
    const double ntokens = static_cast<double>(std::max<int64_t>(1, dict->ntokens()));

    double z = 0;
    for (int32_t i = 0; i < nwords; ++i) z += std::sqrt(static_cast<double>(entries[i].count));
    std::vector<int32_t> negatives;
    negatives.reserve(static_cast<size_t>(kNegativeTableSize) + static_cast<size_t>(nwords));
    for (int32_t i = 0; i < nwords; ++i) {
      const double c = std::sqrt(static_cast<double>(entries[i].count));
      for (size_t j = 0; static_cast<double>(j) < c * kNegativeTableSize / z; ++j) negatives.push_back(i);
    }
    if (negatives.empty()) negatives.push_back(0);
    Tensor& neg = output(0);
    neg.resize(DType::Int32, {static_cast<int64_t>(negatives.size())});
    std::memcpy(neg.raw(), negatives.data(), negatives.size() * sizeof(int32_t));

    Tensor& discard = output(1);
    discard.resize(DType::Float32, {nwords});
    float* keep = discard.data<float>();
    for (int32_t i = 0; i < nwords; ++i) {
      const double f = static_cast<double>(entries[i].count) / ntokens;
      keep[i] = f > 0 ? static_cast<float>(std::sqrt(_t / f) + _t / f) : 1.f;
    }

    std::vector<int32_t> rows;
    Tensor& offsets = output(2);
    offsets.resize(DType::Int32, {int64_t{nwords} + 1});
    int32_t* off = offsets.data<int32_t>();
    for (int32_t i = 0; i < nwords; ++i) {
      off[i] = static_cast<int32_t>(rows.size());
      dict->wordRows(i, &rows);
      if (rows.size() > static_cast<size_t>(INT32_MAX)) fail(codes::kInvalidArgument, "Too many input rows for the words of " + inputName(0));
    }
    off[nwords] = static_cast<int32_t>(rows.size());
    Tensor& r = output(3);
    r.resize(DType::Int32, {static_cast<int64_t>(rows.size())});
    std::memcpy(r.raw(), rows.data(), rows.size() * sizeof(int32_t));
  }

 private:
  double _t;
};

}  // namespace

HW_REGISTER_OP(WordVectorsTables, WordVectorsTablesOp)
    .inputs(1)
    .outputs(4)
    .argList({"t"})
    .describe("From a fastText dictionary: the unigram^0.5 negatives table, each word's keep probability sqrt(t/f) + t/f, "
              "and each word's input rows (row_offsets, rows), for WordVectorsTrain.");

}  // namespace hogwild
