#pragma once
// Prediction with a trained fastText model over a batch of text lines, for
// `hogwild predict`, `predict-prob` and `test` and FastTextModel.predict: the
// same encoding as training (FastTextDictionary::encodeLine, every line ended
// by "</s>"), the mean of the input rows, the linear layer and softmax — run
// with the same kernels as the SparseLengthsMean, FC and Softmax ops, so the
// probabilities match the training graph's — then the k best labels.
//
// A predictor holds the dictionary and the three parameter tensors by shared
// storage (no copy) and is immutable: any number of threads may call
// predict() at once, each with its own output.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../core/tensor.h"
#include "fasttext.h"

namespace hogwild::data {

enum class PredictOutput : uint8_t {
  Arrays = 0,      // counts/labels/probs only
  Labels = 1,      // `predict` lines: "__label__a __label__b"
  LabelsProb = 2,  // `predict-prob` lines: "__label__a 0.9 __label__b 0.1"
  Test = 3,        // fastText's meter over lines with a known label
};

struct PredictRequest {
  int64_t k = 1;
  double threshold = 0;  // compared with each probability as a double, as in JS
  PredictOutput output = PredictOutput::Labels;
  // Number of the batch's first line in the whole input (1-based), for errors.
  int64_t firstLine = 1;
  // Test: also count per label (fastText's test-label).
  bool perLabel = false;
};

struct PredictBatch {
  int64_t lines = 0;  // input lines in the batch
  // Labels/LabelsProb: one '\n'-ended output line per input line.
  std::string text;
  // Arrays: per input line, how many predictions follow in labels/probs (best first).
  std::vector<int32_t> counts;
  std::vector<int32_t> labels;
  std::vector<float> probs;
  // Test (fastText's Meter): lines with a known label, their known labels
  // (duplicates count), predictions made, predictions that are gold.
  int64_t examples = 0, gold = 0, predicted = 0, predictedGold = 0;
  // Test with perLabel: the same three counts per label index (nlabels each).
  std::vector<int64_t> labelGold, labelPredicted, labelPredictedGold;
};

class FastTextPredictor {
 public:
  // Throws HOGWILD_SHAPE_MISMATCH / HOGWILD_DTYPE_MISMATCH when the tensors do
  // not fit the dictionary: input [nwords + bucket, dim], output [nlabels, dim],
  // bias [nlabels], all float32.
  FastTextPredictor(std::shared_ptr<const FastTextDictionary> dict, Tensor input, Tensor output, Tensor bias);

  // Predicts every line of `bytes` (lines end at '\n'; a last line without one
  // counts). Throws HOGWILD_DATA naming the line (req.firstLine-based) for a
  // line longer than the dictionary's max_line_bytes or invalid UTF-8.
  void predict(std::string_view bytes, const PredictRequest& req, PredictBatch* out) const;

  int32_t nlabels() const { return _dict->nlabels(); }
  int64_t dim() const { return _dim; }

 private:
  struct Scratch;
  void scoreLines(Scratch& s) const;
  void emit(Scratch& s, const PredictRequest& req, PredictBatch* out) const;

  std::shared_ptr<const FastTextDictionary> _dict;
  Tensor _input, _output, _bias;
  int64_t _dim = 0;
};

// printf's "%.6g" (C++ ostream precision 6, as fastText prints probabilities).
void appendProbability(std::string* out, float p);

}  // namespace hogwild::data
