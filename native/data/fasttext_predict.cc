#include "fasttext_predict.h"

#include <algorithm>
#include <cstdio>

#include "../kernels/dense_kernels.h"
#include "../kernels/sparse_kernels.h"
#include "text.h"

namespace hogwild::data {

namespace {
// Lines scored per GEMM: large enough to amortise the kernel calls, small
// enough that the scratch stays in cache.
constexpr size_t kBlockLines = 256;

void checkFloatMatrix(const Tensor& t, const char* what, int64_t rows, int64_t cols) {
  HW_CHECK(t.initialized() && t.dtype() == DType::Float32, codes::kDtypeMismatch,
           "Expected a float32 tensor for the fastText " << what << " but received "
                                                         << (t.initialized() ? dtypeName(t.dtype()) : "nothing"));
  bool ok = cols < 0 ? (t.ndim() == 1 && t.dim(0) == rows) || (t.ndim() == 2 && t.dim(0) == 1 && t.dim(1) == rows)
                     : t.ndim() == 2 && t.dim(0) == rows && t.dim(1) == cols;
  HW_CHECK(ok, codes::kShapeMismatch,
           "Expected the fastText " << what << " to have shape [" << rows << (cols < 0 ? "" : ", " + std::to_string(cols))
                                    << "] but it has " << shapeString(t.shape()));
}
}  // namespace

void appendProbability(std::string* out, float p) {
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(p));
  out->append(buf, static_cast<size_t>(n));
}

struct FastTextPredictor::Scratch {
  std::vector<int32_t> ids, lengths, labels, hashes;
  std::vector<int32_t> gold;         // Test: known labels of the pending lines, line after line
  std::vector<int32_t> goldLengths;  // Test: per pending line
  std::vector<float> hidden, probs;
  std::vector<int32_t> best;
};

FastTextPredictor::FastTextPredictor(std::shared_ptr<const FastTextDictionary> dict, Tensor input, Tensor output,
                                     Tensor bias)
    : _dict(std::move(dict)), _input(std::move(input)), _output(std::move(output)), _bias(std::move(bias)) {
  HW_CHECK(_dict != nullptr && _dict->nlabels() > 0, codes::kInvalidArgument, "Expected a built fastText dictionary");
  HW_CHECK(_input.initialized() && _input.ndim() == 2, codes::kShapeMismatch,
           "Expected a 2-D fastText input embedding but it has " << shapeString(_input.shape()));
  _dim = _input.dim(1);
  HW_CHECK(_dim >= 1, codes::kShapeMismatch, "Expected a fastText embedding of dimension >= 1");
  checkFloatMatrix(_input, "input embedding", _dict->inputRows(), _dim);
  checkFloatMatrix(_output, "output layer", _dict->nlabels(), _dim);
  checkFloatMatrix(_bias, "output bias", _dict->nlabels(), -1);
}

void FastTextPredictor::scoreLines(Scratch& s) const {
  const auto& sparse = kernels::sparseKernels();
  const auto& dense = kernels::denseKernels();
  const int64_t m = static_cast<int64_t>(s.lengths.size()), nl = _dict->nlabels();
  s.hidden.resize(static_cast<size_t>(m * _dim));
  s.probs.resize(static_cast<size_t>(m * nl));
  const float* emb = _input.data<float>();
  const int32_t* ids = s.ids.data();
  for (int64_t i = 0; i < m; ++i) {
    const int64_t n = s.lengths[static_cast<size_t>(i)];
    // As SparseLengthsMean: the sum scaled by 1/n (zeros for an empty line).
    sparse.gatherSumI32(emb, _dim, ids, n, nullptr, n > 0 ? 1.f / static_cast<float>(n) : 1.f, s.hidden.data() + i * _dim);
    ids += n;
  }
  // As FC then Softmax: logits = bias broadcast + hidden · outputᵀ, in place.
  dense.broadcastRows(m, nl, _bias.data<float>(), s.probs.data(), nl);
  dense.sgemm(false, true, m, nl, _dim, 1.f, s.hidden.data(), _dim, _output.data<float>(), _dim, 1.f, s.probs.data(), nl);
  dense.softmaxRows(m, nl, s.probs.data(), s.probs.data(), nullptr);
}

void FastTextPredictor::emit(Scratch& s, const PredictRequest& req, PredictBatch* out) const {
  if (s.lengths.empty()) return;
  scoreLines(s);
  const int64_t nl = _dict->nlabels();
  const size_t k = static_cast<size_t>(std::min<int64_t>(req.k, nl));
  const int32_t* gold = s.gold.data();
  for (size_t i = 0; i < s.lengths.size(); ++i) {
    const float* p = s.probs.data() + i * static_cast<size_t>(nl);
    // The k most probable labels >= threshold, best first; ties keep the lower index first.
    s.best.clear();
    if (s.lengths[i] > 0) {
      for (int32_t j = 0; j < nl; ++j) {
        const float x = p[j];
        if (static_cast<double>(x) < req.threshold) continue;
        if (s.best.size() == k && x <= p[s.best[k - 1]]) continue;
        size_t at = s.best.size();
        while (at > 0 && p[s.best[at - 1]] < x) --at;
        s.best.insert(s.best.begin() + static_cast<std::ptrdiff_t>(at), j);
        if (s.best.size() > k) s.best.pop_back();
      }
    }
    switch (req.output) {
      case PredictOutput::Arrays:
        out->counts.push_back(static_cast<int32_t>(s.best.size()));
        for (int32_t j : s.best) {
          out->labels.push_back(j);
          out->probs.push_back(p[j]);
        }
        break;
      case PredictOutput::Labels:
      case PredictOutput::LabelsProb:
        for (size_t b = 0; b < s.best.size(); ++b) {
          if (b > 0) out->text.push_back(' ');
          const auto& e = _dict->entries()[static_cast<size_t>(_dict->nwords() + s.best[b])];
          out->text.append(e.word);
          if (req.output == PredictOutput::LabelsProb) {
            out->text.push_back(' ');
            appendProbability(&out->text, p[s.best[b]]);
          }
        }
        out->text.push_back('\n');
        break;
      case PredictOutput::Test: {
        const int32_t ng = s.goldLengths[i];
        ++out->examples;
        out->gold += ng;
        out->predicted += static_cast<int64_t>(s.best.size());
        for (int32_t j : s.best) {
          const bool hit = std::find(gold, gold + ng, j) != gold + ng;
          if (hit) ++out->predictedGold;
          if (req.perLabel) {
            ++out->labelPredicted[static_cast<size_t>(j)];
            if (hit) ++out->labelPredictedGold[static_cast<size_t>(j)];
          }
        }
        if (req.perLabel)
          for (int32_t g = 0; g < ng; ++g) ++out->labelGold[static_cast<size_t>(gold[g])];
        gold += ng;
        break;
      }
    }
  }
  s.ids.clear();
  s.lengths.clear();
  s.gold.clear();
  s.goldLengths.clear();
}

void FastTextPredictor::predict(std::string_view bytes, const PredictRequest& req, PredictBatch* out) const {
  HW_CHECK(req.k >= 1, codes::kInvalidArgument, "Expected k >= 1 but received " << req.k);
  HW_CHECK(req.threshold >= 0 && req.threshold <= 1, codes::kInvalidArgument,
           "Expected a threshold in [0, 1] but received " << req.threshold);
  HW_CHECK(req.firstLine >= 1, codes::kInvalidArgument, "Expected firstLine >= 1 but received " << req.firstLine);
  HW_CHECK(!req.perLabel || req.output == PredictOutput::Test, codes::kInvalidArgument, "Expected perLabel only with the test output");
  if (req.perLabel) {
    const size_t n = static_cast<size_t>(_dict->nlabels());
    out->labelGold.assign(n, 0);
    out->labelPredicted.assign(n, 0);
    out->labelPredictedGold.assign(n, 0);
  }
  const FastTextOptions& opts = _dict->options();
  Scratch s;
  LineReader reader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  Line line;
  while (reader.next(&line)) {
    ++out->lines;
    const int64_t number = req.firstLine + line.number - 1;
    HW_CHECK(static_cast<int64_t>(line.text.size()) <= opts.maxLineBytes, codes::kData,
             "line " << number << ": line is " << line.text.size() << " bytes, more than max_line_bytes (" << opts.maxLineBytes
                     << ")");
    const int64_t bad = invalidUtf8At(line.text);
    HW_CHECK(bad < 0, codes::kData, "line " << number << ": invalid UTF-8 at byte " << bad + 1 << " of the line (fastText files are UTF-8 text)");
    const size_t before = s.ids.size();
    s.labels.clear();
    // Every line ends with "</s>", as when it was a line of a file.
    _dict->encodeLine(line.text, true, &s.ids, &s.labels, &s.hashes);
    const size_t n = s.ids.size() - before;
    HW_CHECK(n <= static_cast<size_t>(INT32_MAX), codes::kData, "line " << number << ": too many ids on one line");
    if (req.output == PredictOutput::Test) {
      // fastText's test: only lines with a known label and a known word count.
      size_t known = 0;
      for (int32_t l : s.labels)
        if (l >= 0) {
          s.gold.push_back(l);
          ++known;
        }
      if (known == 0 || n == 0) {
        s.gold.resize(s.gold.size() - known);
        s.ids.resize(before);
        continue;
      }
      s.goldLengths.push_back(static_cast<int32_t>(known));
    }
    s.lengths.push_back(static_cast<int32_t>(n));
    if (s.lengths.size() == kBlockLines) emit(s, req, out);
  }
  emit(s, req, out);
}

}  // namespace hogwild::data
