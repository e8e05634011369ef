#pragma once
// fastText's supervised text format and tokenization (facebookresearch/fastText
// src/dictionary.cc), so the same file trains the same model:
// - a line is one example; tokens are split on ' ', \t, \r, \v, \f and \0;
//   every '\n' adds the end-of-sentence token "</s>", a word like any other;
// - tokens starting with the label prefix ("__label__") are labels;
// - the dictionary counts every token of the training file, drops words seen
//   fewer than minCount times (labels: minCountLabel), and numbers words by
//   decreasing count, then labels the same way (ties: first appearance);
// - a line's input ids are its in-vocabulary words (plus their character
//   n-grams when maxn > 0), then hashed word n-grams: for n = 2..wordNgrams,
//   h = h * 116049371 + hash(next word) over sign-extended 32-bit FNV-1a word
//   hashes, id = nwords + h % bucket;
// - bucket becomes 0 when wordNgrams <= 1 and maxn == 0 (fastText's rule).
// Lines longer than maxLineBytes, invalid UTF-8, and lines without a label or
// with an unknown one are errors naming the file and line (or are skipped).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "../core/blob.h"
#include "file_bytes.h"

namespace hogwild::data {

struct FastTextOptions {
  std::string labelPrefix = "__label__";
  int64_t minCount = 1;
  int64_t minCountLabel = 0;
  int64_t wordNgrams = 1;
  int64_t bucket = 2000000;
  int64_t minn = 0;
  int64_t maxn = 0;
  // fastText reads a supervised line whole, however long; 1 GiB only keeps a
  // line's token counts inside int32 (a 50 MB line trains as in fastText).
  int64_t maxLineBytes = int64_t{1} << 30;
  // Skip bad lines (no label, unknown label, no known word) instead of failing.
  bool skipInvalid = false;
  // Check that the input is valid UTF-8 (fastText itself only sees bytes).
  bool checkUtf8 = true;
  // Word vectors (cbow, skipgram): no label is required, and a file encodes as
  // word ids only (fastText's getLine for unsupervised models). Not part of the
  // checkpoint record: it changes how a file is read, not the dictionary.
  bool unsupervised = false;
  // Supervised: the words of this .vec file join the dictionary after the
  // count threshold (count + 1 each, kept whatever -minCount), as fastText's
  // -pretrainedVectors does. Not part of the checkpoint record: the entries are.
  std::string pretrainedVectors;
};

// fastText's MAX_LINE_SIZE: an unsupervised line is read in pieces that end
// once more than this many in-vocabulary tokens were read.
constexpr int64_t kWordsMaxLineTokens = 1024;

// What one encoded file holds.
struct FastTextEncoded {
  std::vector<int32_t> labels;   // first known label of each kept line
  // Every known label of each kept line, in order, duplicates kept (fastText's
  // getLine): the targets of a multi-label line. Supervised files only.
  std::vector<int32_t> labelSetLengths;
  std::vector<int32_t> labelSetValues;
  int64_t multiLabel = 0;        // kept lines with more than one known label
  std::vector<int32_t> lengths;  // input ids per kept line
  std::vector<int32_t> ids;      // all input ids, line after line (unsupervised: word ids)
  int64_t lines = 0;             // lines in the file
  int64_t skipped = 0;           // lines dropped (blank lines included)
  int64_t tokens = 0;            // word tokens of kept lines (no labels, no "</s>")
};

class FastTextDictionary : public BlobObject {
 public:
  static constexpr const char* kKind = "fastTextDictionary";
  enum class Type : uint8_t { Word = 0, Label = 1 };
  struct Entry {
    std::string word;
    int64_t count = 0;
    Type type = Type::Word;
  };

  FastTextDictionary() = default;  // for checkpoint loaders
  explicit FastTextDictionary(FastTextOptions options);
  const char* kind() const override { return kKind; }
  bool serialize(Tensor* out) const override;
  void deserialize(const Tensor& in) override;

  // fastText's readFromFile: counts, thresholds, numbers. Throws HOGWILD_DATA.
  // With threads > 1 the file is split at line boundaries and counted in
  // parallel; the merge keeps first-appearance order, so the result is the same.
  void build(const FileBytes& file, int threads = 1);
  // Encodes every line of `file` (fastText's getLine for supervised models,
  // or for word vectors when the options say unsupervised or `words` is set:
  // a dictionary loaded from a checkpoint does not record how it was read),
  // on `threads` threads over line-aligned byte ranges, concatenated in order.
  FastTextEncoded encodeFile(const FileBytes& file, int threads = 1, bool words = false) const;
  // One line (without '\n'); `eos` when a newline ended it. Appends input ids
  // and label indices (0-based); `hashes` is scratch space.
  void encodeLine(std::string_view line, bool eos, std::vector<int32_t>* ids, std::vector<int32_t>* labels,
                  std::vector<int32_t>* hashes) const;

  const FastTextOptions& options() const { return _opts; }
  int32_t nwords() const { return _nwords; }
  int32_t nlabels() const { return _nlabels; }
  int64_t ntokens() const { return _ntokens; }
  int64_t bucket() const { return _opts.bucket; }
  // Rows of the input embedding: nwords + bucket.
  int64_t inputRows() const { return int64_t{_nwords} + _opts.bucket; }
  const std::vector<Entry>& entries() const { return _words; }
  // Word id or label index + nwords; -1 when unknown.
  int32_t find(std::string_view w) const { return find(w, hash(w)); }
  // The input rows of word `wid` (in [0, nwords)): itself, then its character n-grams when maxn > 0.
  void wordRows(int32_t wid, std::vector<int32_t>* out) const;
  std::string labelName(int32_t label) const;

  // fastText's FNV-1a over bytes read as *signed* chars.
  static uint32_t hash(std::string_view s);

  // The encoding of a file made with this dictionary, kept with it so that
  // later epochs share it instead of parsing again (ReadFastTextFile `once`).
  // Never serialized: a dictionary loaded from a checkpoint starts without one.
  // The tensors share their buffers with the blobs they were handed to.
  struct Encoding {
    std::string path;
    bool index64 = false;
    Tensor labels, lengths, ids, labelSetLengths, labelSetValues;
  };
  std::shared_ptr<const Encoding> cachedEncoding(const std::string& path, bool index64) const;
  void cacheEncoding(std::shared_ptr<const Encoding> e) const;

 private:
  int32_t find(std::string_view w, uint32_t h) const;
  void addToken(std::string_view w, uint32_t h, int64_t count = 1);
  void buildSerial(const FileBytes& file);
  void finishBuild(const FileBytes& file);
  void resetCounts();
  FastTextEncoded encodeRange(const FileBytes& file, const uint8_t* begin, size_t size, bool words) const;
  FastTextEncoded encodeWordsRange(const FileBytes& file, const uint8_t* begin, size_t size) const;
  void growTable();
  void threshold(int64_t minCount, int64_t minCountLabel);
  void addPretrainedWords();
  void initSubwords();
  void computeSubwords(std::string_view word, std::vector<int32_t>* out) const;
  bool isLabel(std::string_view w) const { return w.substr(0, _opts.labelPrefix.size()) == _opts.labelPrefix; }
  void checkLine(const FileBytes& file, std::string_view line, int64_t number) const;

  FastTextOptions _opts;
  std::vector<Entry> _words;
  std::vector<uint32_t> _hashes;                 // per entry
  std::vector<std::vector<int32_t>> _subwords;   // per word, when maxn > 0
  // Open addressing over entries. The slot keeps the entry's hash, so a probe
  // that collides is rejected without touching the entry and a hit reads the
  // entry alone (this lookup is the hottest loop of a file scan).
  struct Slot {
    uint32_t hash = 0;
    int32_t id = -1;  // -1 = empty
  };
  std::vector<Slot> _table;
  int32_t _nwords = 0, _nlabels = 0;
  int64_t _ntokens = 0;
  struct EncodingCache {
    std::mutex mutex;
    std::shared_ptr<const Encoding> value;
  };
  // Behind a pointer so the dictionary stays movable; a moved-to dictionary gets its own.
  std::shared_ptr<EncodingCache> _cache = std::make_shared<EncodingCache>();
};

// Splits a line into fastText tokens.
template <typename F> void forEachToken(std::string_view line, F&& f) {
  size_t i = 0, n = line.size();
  auto delim = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\0'; };
  while (i < n) {
    while (i < n && delim(line[i])) ++i;
    size_t start = i;
    while (i < n && !delim(line[i])) ++i;
    if (i > start) f(line.substr(start, i - start));
  }
}

}  // namespace hogwild::data
