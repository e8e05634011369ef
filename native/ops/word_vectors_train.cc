// WordVectorsTrain: fastText's cbow and skipgram with negative sampling
// (Bojanowski et al. 2017; src/fasttext.cc cbow()/skipgram(), src/loss.cc) on
// a batch of encoded line pieces, updating the shared input and output rows in
// place as Hogwild! prescribes (kernels in hogwild_updates.h).
//
//   inputs:  negatives, discard, row_offsets, rows   (WordVectorsTables)
//            lengths, ids                            (the batch: word ids per piece)
//            input_w [nwords + bucket, dim], output_w [nwords, dim], progress int64 [1]
//   outputs: input_w, output_w, progress             (in place)
//
// Per piece, as fastText: the learning rate is lr * (1 - progress / total_tokens),
// read from the shared progress counter; every word is kept with its discard
// probability (a new draw every epoch); each kept word gets a window of
// uniform size in [1, ws]. cbow: the mean of the context words' input rows
// predicts the word; skipgram: the word's input rows predict each context
// word. Each prediction is one positive and `neg` negatives drawn from the
// unigram^0.5 table, sigmoid from fastText's table. The progress counter
// advances by the pieces' word count, once more than lr_update_rate tokens
// have accumulated in this thread (a shared write per token would bounce the
// counter's cache line between threads).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "../kernels/hogwild_updates.h"
#include "registry.h"

namespace hogwild {
namespace {

using kernels::hogwildUpdates;

enum Input : size_t { kNegatives, kDiscard, kRowOffsets, kRows, kLengths, kIds, kInputW, kOutputW, kProgress };

// fastText's sigmoid table (src/loss.cc): 512 steps over [-8, 8].
constexpr int kSigmoidTableSize = 512;
constexpr float kMaxSigmoid = 8.f;

struct SigmoidTable {
  float v[kSigmoidTableSize + 1];
  SigmoidTable() {
    for (int i = 0; i <= kSigmoidTableSize; ++i) {
      const double x = double(i * 2 * kMaxSigmoid) / kSigmoidTableSize - kMaxSigmoid;
      v[i] = static_cast<float>(1.0 / (1.0 + std::exp(-x)));
    }
  }
  float operator()(float x) const {
    if (!(x >= -kMaxSigmoid)) return 0.f;  // NaN too (a diverged run): never an out-of-range index
    if (x > kMaxSigmoid) return 1.f;
    return v[static_cast<int64_t>((x + kMaxSigmoid) * kSigmoidTableSize / kMaxSigmoid / 2)];
  }
};
const SigmoidTable kSigmoid;

// xorshift64*: per-thread draws (windows, subsampling, negatives) need speed, not quality.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) { if (s == 0) s = 1; }
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * uint64_t{n}) >> 32); }
  float uniform() { return static_cast<float>(next() >> 40) * (1.f / 16777216.f); }
};

class WordVectorsTrainOp final : public Operator {
 public:
  WordVectorsTrainOp(const OperatorDef& def, Workspace& ws)
      : Operator(def, ws),
        _ws(argInt("ws", 5)),
        _neg(argInt("neg", 5)),
        _lr(argFloat("lr", 0.05)),
        _lrUpdateRate(argInt("lr_update_rate", 100)),
        _totalTokens(argInt("total_tokens", 0)),
        _seed(static_cast<uint64_t>(argInt("seed", 0))) {
    const std::string model = argString("model", "cbow");
    if (model != "cbow" && model != "skipgram") fail(codes::kInvalidArgument, "Expected model 'cbow' or 'skipgram' but received '" + model + "'");
    _skipgram = model == "skipgram";
    if (_ws < 1 || _ws > 1 << 20) fail(codes::kInvalidArgument, "Expected ws in [1, 2^20] but received " + std::to_string(_ws));
    if (_neg < 0 || _neg > 1 << 20) fail(codes::kInvalidArgument, "Expected neg in [0, 2^20] but received " + std::to_string(_neg));
    if (!(_lr > 0) || !std::isfinite(_lr)) fail(codes::kInvalidArgument, "Expected lr > 0 but received " + std::to_string(_lr));
    if (_lrUpdateRate < 1) fail(codes::kInvalidArgument, "Expected lr_update_rate >= 1 but received " + std::to_string(_lrUpdateRate));
    if (_totalTokens < 1) fail(codes::kInvalidArgument, "Expected total_tokens >= 1 but received " + std::to_string(_totalTokens));
    for (size_t i : {kInputW, kOutputW, kProgress})
      if (outputName(i - kInputW) != inputName(i))
        fail(codes::kInvalidArgument, "Expected output " + std::to_string(i - kInputW) + " to be input " + std::to_string(i) + " (" +
                                          inputName(i) + ", updated in place) but received " + outputName(i - kInputW));
  }

  void run(RunContext& ctx) override {
    checkTables();
    const Tensor& lengths = input(kLengths);
    const Tensor& ids = input(kIds);
    expectDtype(kLengths, lengths, DType::Int32);
    expectNdim(kLengths, lengths, 1);
    expectDtype(kIds, ids, DType::Int32);
    expectNdim(kIds, ids, 1);
    const int32_t* len = lengths.data<int32_t>();
    const int32_t* id = ids.data<int32_t>();
    int64_t total = 0;
    for (int64_t i = 0; i < lengths.numel(); ++i) {
      if (len[i] < 0) fail(codes::kInvalidArgument, "Expected lengths >= 0 in " + inputName(kLengths) + " but received " + std::to_string(len[i]));
      total += len[i];
    }
    if (total != ids.numel())
      fail(codes::kInvalidArgument, "Expected " + inputName(kIds) + " to hold the sum of the lengths (" + std::to_string(total) +
                                        ") ids but received " + std::to_string(ids.numel()));
    for (int64_t i = 0; i < total; ++i)
      if (id[i] < 0 || id[i] >= _nwords)
        fail(codes::kIndexOutOfRange, "Expected word ids in [0, " + std::to_string(_nwords) + ") in " + inputName(kIds) +
                                          " but received " + std::to_string(id[i]) + " at " + std::to_string(i));
    if (!_rng) _rng = std::make_unique<Rng>(_seed ^ (uint64_t(ctx.instance) << 32) ^ uint64_t(kernels::loadSharedScalar(_progress)));

    float* inW = output(0).data<float>();
    float* outW = output(1).data<float>();
    int64_t* progress = output(2).data<int64_t>();
    const float* keep = input(kDiscard).data<float>();
    for (int64_t p = 0, at = 0; p < lengths.numel(); at += len[p++]) {
      const double done = static_cast<double>(kernels::loadSharedScalar(progress)) / static_cast<double>(_totalTokens);
      const float lr = static_cast<float>(_lr * std::max(0.0, 1.0 - done));
      _line.clear();
      for (int32_t k = 0; k < len[p]; ++k)
        if (_rng->uniform() <= keep[id[at + k]]) _line.push_back(id[at + k]);
      _localTokens += len[p];
      if (_skipgram) skipgram(inW, outW, lr);
      else cbow(inW, outW, lr);
      if (_localTokens > _lrUpdateRate) {
        kernels::addSharedCounter(progress, _localTokens);
        _localTokens = 0;
      }
    }
  }

 private:
  // The tables and parameters change only between runs: their full check (every row and negative
  // in range) runs when their buffers change, not per batch.
  void checkTables() {
    const Tensor& neg = input(kNegatives);
    const Tensor& discard = input(kDiscard);
    const Tensor& offsets = input(kRowOffsets);
    const Tensor& rows = input(kRows);
    const Tensor& inW = input(kInputW);
    const Tensor& outW = input(kOutputW);
    const Tensor& progress = input(kProgress);
    const void* key[] = {neg.raw(), discard.raw(), offsets.raw(), rows.raw(), inW.raw(), outW.raw(), progress.raw()};
    if (std::memcmp(key, _checked, sizeof(key)) == 0) return;
    expectDtype(kNegatives, neg, DType::Int32);
    expectNdim(kNegatives, neg, 1);
    expectDtype(kDiscard, discard, DType::Float32);
    expectNdim(kDiscard, discard, 1);
    expectDtype(kRowOffsets, offsets, DType::Int32);
    expectDtype(kRows, rows, DType::Int32);
    expectDtype(kInputW, inW, DType::Float32);
    expectNdim(kInputW, inW, 2);
    expectDtype(kOutputW, outW, DType::Float32);
    expectNdim(kOutputW, outW, 2);
    expectShape(kProgress, progress, {1});
    expectDtype(kProgress, progress, DType::Int64);
    const int64_t nwords = discard.numel();
    if (nwords < 1 || nwords > INT32_MAX) fail(codes::kInvalidArgument, "Expected at least one word in " + inputName(kDiscard));
    _nwords = static_cast<int32_t>(nwords);
    _dim = inW.dim(1);
    if (_dim < 1) fail(codes::kInvalidArgument, "Expected dim >= 1 for " + inputName(kInputW));
    expectShape(kOutputW, outW, {nwords, _dim});
    expectShape(kRowOffsets, offsets, {nwords + 1});
    expectNdim(kRows, rows, 1);
    if (neg.numel() < 1) fail(codes::kInvalidArgument, "Expected a non-empty negatives table in " + inputName(kNegatives));
    const int32_t* n = neg.data<int32_t>();
    for (int64_t i = 0; i < neg.numel(); ++i)
      if (n[i] < 0 || n[i] >= nwords)
        fail(codes::kIndexOutOfRange, "Expected negatives in [0, " + std::to_string(nwords) + ") in " + inputName(kNegatives) +
                                          " but received " + std::to_string(n[i]) + " at " + std::to_string(i));
    const int32_t* off = offsets.data<int32_t>();
    if (off[0] != 0 || off[nwords] != rows.numel())
      fail(codes::kInvalidArgument, "Expected " + inputName(kRowOffsets) + " to start at 0 and end at " + std::to_string(rows.numel()) +
                                        " (the rows) but received " + std::to_string(off[0]) + " and " + std::to_string(off[nwords]));
    for (int64_t i = 0; i < nwords; ++i)
      if (off[i + 1] <= off[i])
        fail(codes::kInvalidArgument, "Expected increasing " + inputName(kRowOffsets) + " (every word has a row) but word " +
                                          std::to_string(i) + " has " + std::to_string(off[i + 1] - off[i]));
    const int32_t* r = rows.data<int32_t>();
    for (int64_t i = 0; i < rows.numel(); ++i)
      if (r[i] < 0 || r[i] >= inW.dim(0))
        fail(codes::kIndexOutOfRange, "Expected rows in [0, " + std::to_string(inW.dim(0)) + ") (the rows of " + inputName(kInputW) +
                                          ") in " + inputName(kRows) + " but received " + std::to_string(r[i]));
    const float* keep = discard.data<float>();
    for (int64_t i = 0; i < nwords; ++i)
      if (!(keep[i] >= 0)) fail(codes::kInvalidArgument, "Expected keep probabilities >= 0 in " + inputName(kDiscard));
    _progress = progress.data<int64_t>();
    _hidden.assign(static_cast<size_t>(_dim), 0.f);
    _grad.assign(static_cast<size_t>(_dim), 0.f);
    std::memcpy(_checked, key, sizeof(key));
  }

  const int32_t* rowsOf(int32_t word, int64_t* n) const {
    const int32_t* off = input(kRowOffsets).data<int32_t>();
    *n = off[word + 1] - off[word];
    return input(kRows).data<int32_t>() + off[word];
  }

  // fastText's Model::update with negative sampling: hidden = mean of `rows`, one positive and
  // `neg` negative logistic steps on the output rows, then grad added to every input row.
  void update(float* inW, float* outW, const int32_t* rows, int64_t n, int32_t target, float lr) {
    const auto& hw = hogwildUpdates();
    float* hidden = _hidden.data();
    float* grad = _grad.data();
    hw.meanRowsI32(inW, _dim, rows, n, hidden);
    std::fill(_grad.begin(), _grad.end(), 0.f);
    auto step = [&](int32_t t, float label) {
      float* row = outW + static_cast<int64_t>(t) * _dim;
      const float score = kSigmoid(hw.dotRow(row, hidden, _dim));
      hw.logisticStep(row, hidden, grad, _dim, lr * (label - score));
    };
    step(target, 1.f);
    const Tensor& negTable = input(kNegatives);
    const int32_t* table = negTable.data<int32_t>();
    const uint32_t size = static_cast<uint32_t>(std::min<int64_t>(negTable.numel(), UINT32_MAX));
    for (int64_t k = 0; k < _neg; ++k) {
      // fastText redraws a negative equal to the target; a bounded redraw never hangs on a one-word table.
      int32_t negative = target;
      for (int tries = 0; tries < 64 && negative == target; ++tries) negative = table[_rng->below(size)];
      if (negative != target) step(negative, 0.f);
    }
    hw.addRowI32(inW, _dim, rows, n, grad);
  }

  void cbow(float* inW, float* outW, float lr) {
    const int64_t n = static_cast<int64_t>(_line.size());
    for (int64_t w = 0; w < n; ++w) {
      const int64_t boundary = 1 + _rng->below(static_cast<uint32_t>(_ws));
      _bow.clear();
      for (int64_t c = -boundary; c <= boundary; ++c) {
        if (c == 0 || w + c < 0 || w + c >= n) continue;
        int64_t cnt;
        const int32_t* rows = rowsOf(_line[w + c], &cnt);
        _bow.insert(_bow.end(), rows, rows + cnt);
      }
      if (!_bow.empty()) update(inW, outW, _bow.data(), static_cast<int64_t>(_bow.size()), _line[w], lr);
    }
  }

  void skipgram(float* inW, float* outW, float lr) {
    const int64_t n = static_cast<int64_t>(_line.size());
    for (int64_t w = 0; w < n; ++w) {
      const int64_t boundary = 1 + _rng->below(static_cast<uint32_t>(_ws));
      int64_t cnt;
      const int32_t* rows = rowsOf(_line[w], &cnt);
      for (int64_t c = -boundary; c <= boundary; ++c) {
        if (c == 0 || w + c < 0 || w + c >= n) continue;
        update(inW, outW, rows, cnt, _line[w + c], lr);
      }
    }
  }

  int64_t _ws, _neg;
  double _lr;
  int64_t _lrUpdateRate, _totalTokens;
  uint64_t _seed;
  bool _skipgram = false;
  int32_t _nwords = 0;
  int64_t _dim = 0;
  const int64_t* _progress = nullptr;
  const void* _checked[7] = {};
  std::unique_ptr<Rng> _rng;
  int64_t _localTokens = 0;
  std::vector<int32_t> _line, _bow;
  std::vector<float> _hidden, _grad;
};

}  // namespace

HW_REGISTER_OP(WordVectorsTrain, WordVectorsTrainOp)
    .inputs(9)
    .outputs(3)
    .argList({"model", "ws", "neg", "lr", "lr_update_rate", "total_tokens", "seed"})
    .describe("fastText's cbow or skipgram with negative sampling on a batch of word-id pieces (lengths, ids), updating "
              "input_w, output_w and the shared token counter in place (Hogwild!); tables from WordVectorsTables.");

}  // namespace hogwild
