#include "fasttext.h"

#include <algorithm>
#include <numeric>

#include "../core/objects.h"
#include "bytes.h"
#include "text.h"
#include "vec_words.h"

namespace hogwild::data {

namespace {
const std::string kEos = "</s>";
constexpr int64_t kMaxVocab = int64_t{1} << 30;
}  // namespace

FastTextDictionary::FastTextDictionary(FastTextOptions options) : _opts(std::move(options)) {
  HW_CHECK(!_opts.labelPrefix.empty(), codes::kInvalidArgument, "Expected a non-empty label prefix");
  HW_CHECK(_opts.pretrainedVectors.empty() || !_opts.unsupervised, codes::kInvalidArgument,
           "Expected no pretrained vectors for word vectors (unsupervised): only supervised dictionaries take them");
  HW_CHECK(_opts.minCount >= 1 && _opts.minCountLabel >= 0, codes::kInvalidArgument,
           "Expected min_count >= 1 and min_count_label >= 0 but received " << _opts.minCount << " and " << _opts.minCountLabel);
  HW_CHECK(_opts.wordNgrams >= 1 && _opts.wordNgrams <= 64, codes::kInvalidArgument,
           "Expected word_ngrams in [1, 64] but received " << _opts.wordNgrams);
  HW_CHECK(_opts.minn >= 0 && _opts.maxn >= 0 && _opts.maxn <= 64 && (_opts.maxn == 0 || _opts.minn <= _opts.maxn),
           codes::kInvalidArgument, "Expected 0 <= minn <= maxn <= 64 but received minn " << _opts.minn << ", maxn " << _opts.maxn);
  HW_CHECK(_opts.maxLineBytes >= 1, codes::kInvalidArgument, "Expected max_line_bytes >= 1 but received " << _opts.maxLineBytes);
  if (_opts.wordNgrams <= 1 && _opts.maxn == 0) _opts.bucket = 0;
  HW_CHECK(_opts.bucket >= 0 && _opts.bucket <= (int64_t{1} << 30), codes::kInvalidArgument,
           "Expected bucket in [0, 2^30] but received " << _opts.bucket);
  HW_CHECK(_opts.bucket > 0 || (_opts.wordNgrams <= 1 && _opts.maxn == 0), codes::kInvalidArgument,
           "Expected bucket > 0 when word n-grams or character n-grams are used");
}

uint32_t FastTextDictionary::hash(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h = h ^ uint32_t(int8_t(c));
    h = h * 16777619u;
  }
  return h;
}

int32_t FastTextDictionary::find(std::string_view w, uint32_t h) const {
  if (_table.empty()) return -1;
  size_t mask = _table.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot slot = _table[i];
    if (slot.id < 0) return -1;
    if (slot.hash == h && _words[slot.id].word == w) return slot.id;
  }
}

void FastTextDictionary::growTable() {
  size_t size = std::max<size_t>(1 << 12, _table.size());
  while (size < _words.size() * 2 + 2) size *= 2;
  _table.assign(size, Slot{});
  size_t mask = size - 1;
  for (size_t e = 0; e < _words.size(); ++e) {
    size_t i = _hashes[e] & mask;
    while (_table[i].id >= 0) i = (i + 1) & mask;
    _table[i] = Slot{_hashes[e], static_cast<int32_t>(e)};
  }
}

void FastTextDictionary::addToken(std::string_view w, uint32_t h, int64_t count) {
  _ntokens += count;
  int32_t id = find(w, h);
  if (id >= 0) {
    _words[id].count += count;
    return;
  }
  HW_CHECK(static_cast<int64_t>(_words.size()) < kMaxVocab, codes::kData, "More than " << kMaxVocab << " distinct tokens");
  _words.push_back(Entry{std::string(w), count, isLabel(w) ? Type::Label : Type::Word});
  _hashes.push_back(h);
  if (_words.size() * 2 + 2 > _table.size()) {
    growTable();
  } else {
    size_t mask = _table.size() - 1, i = h & mask;
    while (_table[i].id >= 0) i = (i + 1) & mask;
    _table[i] = Slot{h, static_cast<int32_t>(_words.size() - 1)};
  }
}

void FastTextDictionary::checkLine(const FileBytes& file, std::string_view line, int64_t number) const {
  HW_CHECK(static_cast<int64_t>(line.size()) <= _opts.maxLineBytes, codes::kData,
           file.path() << ":" << number << ": line is " << line.size() << " bytes, more than max_line_bytes ("
                       << _opts.maxLineBytes << ")");
  if (_opts.checkUtf8) {
    int64_t bad = invalidUtf8At(line);
    HW_CHECK(bad < 0, codes::kData, file.path() << ":" << number << ": invalid UTF-8 at byte " << bad + 1 << " of the line");
  }
}

void FastTextDictionary::resetCounts() {
  _words.clear();
  _hashes.clear();
  _table.clear();
  _ntokens = 0;
}

void FastTextDictionary::buildSerial(const FileBytes& file) {
  resetCounts();
  const uint32_t eosHash = hash(kEos);
  LineReader lines(file.data(), file.size());
  Line line;
  while (lines.next(&line)) {
    checkLine(file, line.text, line.number);
    forEachToken(line.text, [&](std::string_view tok) { addToken(tok, hash(tok)); });
    if (line.hadNewline) addToken(kEos, eosHash);
  }
  finishBuild(file);
}

void FastTextDictionary::finishBuild(const FileBytes& file) {
  threshold(_opts.minCount, _opts.minCountLabel);
  if (!_opts.pretrainedVectors.empty()) addPretrainedWords();
  HW_CHECK(_nwords > 0, codes::kData, file.path() << ": empty vocabulary (no word seen at least min_count = " << _opts.minCount << " times)");
  HW_CHECK(_nlabels > 0 || _opts.unsupervised, codes::kData, file.path() << ": no labels (no token starts with '" << _opts.labelPrefix << "')");
}

// fastText's getInputMatrixFromFile: each word of the .vec is added once more,
// then the dictionary is thresholded again with (1, 0), so every .vec word is
// kept. The token count of the file stays what the file had.
void FastTextDictionary::addPretrainedWords() {
  const int64_t ntokens = _ntokens;
  for (const std::string& w : readVecWords(_opts.pretrainedVectors)) addToken(w, hash(w));
  _ntokens = ntokens;
  threshold(1, 0);
}

void FastTextDictionary::threshold(int64_t minCount, int64_t minCountLabel) {
  std::vector<size_t> order(_words.size());
  std::iota(order.begin(), order.end(), 0);
  // fastText sorts by (type, decreasing count); we break ties by first appearance.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (_words[a].type != _words[b].type) return _words[a].type < _words[b].type;
    return _words[a].count > _words[b].count;
  });
  std::vector<Entry> words;
  std::vector<uint32_t> hashes;
  _nwords = _nlabels = 0;
  for (size_t i : order) {
    const Entry& e = _words[i];
    bool keep = e.type == Type::Word ? e.count >= minCount : e.count >= minCountLabel;
    if (!keep) continue;
    (e.type == Type::Word ? _nwords : _nlabels)++;
    words.push_back(std::move(_words[i]));
    hashes.push_back(_hashes[i]);
  }
  _words = std::move(words);
  _hashes = std::move(hashes);
  _table.clear();
  growTable();
  initSubwords();
}

void FastTextDictionary::computeSubwords(std::string_view word, std::vector<int32_t>* out) const {
  std::string ngram;
  for (size_t i = 0; i < word.size(); ++i) {
    if ((word[i] & 0xC0) == 0x80) continue;
    ngram.clear();
    for (size_t j = i, n = 1; j < word.size() && n <= static_cast<size_t>(_opts.maxn); ++n) {
      ngram.push_back(word[j++]);
      while (j < word.size() && (word[j] & 0xC0) == 0x80) ngram.push_back(word[j++]);
      if (n >= static_cast<size_t>(_opts.minn) && !(n == 1 && (i == 0 || j == word.size()))) {
        int32_t h = static_cast<int32_t>(hash(ngram) % static_cast<uint32_t>(_opts.bucket));
        out->push_back(_nwords + h);
      }
    }
  }
}

void FastTextDictionary::initSubwords() {
  _subwords.clear();
  if (_opts.maxn <= 0) return;
  _subwords.resize(static_cast<size_t>(_nwords));
  for (int32_t i = 0; i < _nwords; ++i) {
    _subwords[i].push_back(i);
    if (_words[i].word != kEos) computeSubwords("<" + _words[i].word + ">", &_subwords[i]);
  }
}

void FastTextDictionary::encodeLine(std::string_view line, bool eos, std::vector<int32_t>* ids,
                                    std::vector<int32_t>* labels, std::vector<int32_t>* hashes) const {
  hashes->clear();
  auto token = [&](std::string_view tok) {
    uint32_t h = hash(tok);
    int32_t wid = find(tok, h);
    Type type = wid < 0 ? (isLabel(tok) ? Type::Label : Type::Word) : _words[wid].type;
    if (type == Type::Word) {
      if (wid < 0) {
        if (_opts.maxn > 0 && tok != kEos) computeSubwords("<" + std::string(tok) + ">", ids);
      } else if (_opts.maxn <= 0) {
        ids->push_back(wid);
      } else {
        ids->insert(ids->end(), _subwords[wid].begin(), _subwords[wid].end());
      }
      hashes->push_back(static_cast<int32_t>(h));
    } else {
      labels->push_back(wid >= 0 ? wid - _nwords : -1);  // -1: a label the dictionary does not know
    }
  };
  forEachToken(line, token);
  if (eos) token(kEos);
  // Word n-grams, with fastText's integer conversions (sign-extended hashes).
  const std::vector<int32_t>& hs = *hashes;
  for (size_t i = 0; i < hs.size(); ++i) {
    uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(hs[i]));
    for (size_t j = i + 1; j < hs.size() && j < i + static_cast<size_t>(_opts.wordNgrams); ++j) {
      h = h * 116049371 + static_cast<uint64_t>(static_cast<int64_t>(hs[j]));
      ids->push_back(_nwords + static_cast<int32_t>(h % static_cast<uint64_t>(_opts.bucket)));
    }
  }
}

FastTextEncoded FastTextDictionary::encodeRange(const FileBytes& file, const uint8_t* begin, size_t size, bool words) const {
  if (words || _opts.unsupervised) return encodeWordsRange(file, begin, size);
  FastTextEncoded out;
  std::vector<int32_t> labels, hashes;
  LineReader lines(begin, size);
  Line line;
  while (lines.next(&line)) {
    ++out.lines;
    checkLine(file, line.text, line.number);
    size_t before = out.ids.size();
    labels.clear();
    int64_t words = 0;
    bool blank = true;
    forEachToken(line.text, [&](std::string_view tok) {
      blank = false;
      if (!isLabel(tok)) ++words;
    });
    if (blank) {
      ++out.skipped;
      continue;
    }
    encodeLine(line.text, line.hadNewline, &out.ids, &labels, &hashes);
    const char* problem = nullptr;
    std::string detail;
    auto known = std::find_if(labels.begin(), labels.end(), [](int32_t l) { return l >= 0; });
    if (labels.empty()) {
      problem = "expected a label (a token starting with '";
      detail = _opts.labelPrefix + "') but the line has none";
    } else if (known == labels.end()) {
      problem = "label out of range: ";
      std::string first;
      forEachToken(line.text, [&](std::string_view tok) { if (first.empty() && isLabel(tok)) first = std::string(tok); });
      detail = "'" + first + "' is not one of the dictionary's " + std::to_string(_nlabels) + " labels";
    } else if (out.ids.size() == before) {
      problem = "";  // no known word: fastText skips such lines silently
    }
    if (problem) {
      if (*problem && !_opts.skipInvalid) HW_THROW(codes::kData, file.path() << ":" << line.number << ": " << problem << detail);
      out.ids.resize(before);
      ++out.skipped;
      continue;
    }
    HW_CHECK(out.ids.size() - before <= static_cast<size_t>(INT32_MAX), codes::kData,
             file.path() << ":" << line.number << ": too many ids on one line");
    out.labels.push_back(*known);
    const size_t setBefore = out.labelSetValues.size();
    for (int32_t l : labels)
      if (l >= 0) out.labelSetValues.push_back(l);
    out.labelSetLengths.push_back(static_cast<int32_t>(out.labelSetValues.size() - setBefore));
    if (out.labelSetValues.size() - setBefore > 1) ++out.multiLabel;
    out.lengths.push_back(static_cast<int32_t>(out.ids.size() - before));
    out.tokens += words;
  }
  return out;
}

std::string FastTextDictionary::labelName(int32_t label) const {
  HW_CHECK(label >= 0 && label < _nlabels, codes::kIndexOutOfRange,
           "Expected a label index in [0, " << _nlabels << ") but received " << label);
  return _words[static_cast<size_t>(_nwords + label)].word;
}

// ---- Checkpoint record ---------------------------------------------------------
// "HWFD", u32 version 1, options, ntokens, u32 #entries, {str word, i64 count, u8 type}…

bool FastTextDictionary::serialize(Tensor* out) const {
  ByteWriter w;
  w.raw("HWFD", 4);
  w.u32(1);
  w.str(_opts.labelPrefix);
  for (int64_t v : {_opts.minCount, _opts.minCountLabel, _opts.wordNgrams, _opts.bucket, _opts.minn, _opts.maxn,
                    _opts.maxLineBytes})
    w.i64(v);
  w.u8(_opts.skipInvalid ? 1 : 0);
  w.u8(_opts.checkUtf8 ? 1 : 0);
  w.i64(_ntokens);
  w.u32(static_cast<uint32_t>(_words.size()));
  for (const Entry& e : _words) {
    w.str(e.word);
    w.i64(e.count);
    w.u8(static_cast<uint8_t>(e.type));
  }
  w.toTensor(out);
  return true;
}

void FastTextDictionary::deserialize(const Tensor& in) {
  ByteReader r(in, "fastText dictionary");
  r.magic("HWFD");
  HW_CHECK(r.u32() == 1, codes::kCheckpointCorrupt, "Unsupported fastText dictionary record version");
  FastTextOptions o;
  o.labelPrefix = r.str(1024);
  int64_t* fields[] = {&o.minCount, &o.minCountLabel, &o.wordNgrams, &o.bucket, &o.minn, &o.maxn, &o.maxLineBytes};
  for (int64_t* f : fields) *f = r.i64();
  o.skipInvalid = r.u8() != 0;
  o.checkUtf8 = r.u8() != 0;
  FastTextDictionary d;
  try {
    d = FastTextDictionary(o);
  } catch (const Error& e) {
    HW_THROW(codes::kCheckpointCorrupt, "Bad options in a fastText dictionary record: " << e.what());
  }
  d._ntokens = r.i64();
  uint32_t n = r.u32();
  bool labels = false;
  for (uint32_t i = 0; i < n; ++i) {
    Entry e;
    e.word = r.str(1 << 20);
    e.count = r.i64();
    uint8_t t = r.u8();
    HW_CHECK(t <= 1 && e.count >= 0 && !(labels && t == 0), codes::kCheckpointCorrupt, "Bad entry in a fastText dictionary record");
    e.type = static_cast<Type>(t);
    labels = labels || t == 1;
    (t == 0 ? d._nwords : d._nlabels)++;
    d._hashes.push_back(hash(e.word));
    d._words.push_back(std::move(e));
  }
  r.expectEnd();
  d.growTable();
  for (uint32_t i = 0; i < n; ++i)
    HW_CHECK(d.find(d._words[i].word) == static_cast<int32_t>(i), codes::kCheckpointCorrupt,
             "Duplicate word in a fastText dictionary record");
  d.initSubwords();
  *this = std::move(d);
}

HW_REGISTER_OBJECT_KIND(FastTextDictionary);

}  // namespace hogwild::data
