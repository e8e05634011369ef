// The parallel halves of FastTextDictionary: build() and encodeFile() over
// line-aligned byte ranges, one thread each. Results equal the serial ones:
// counts merge chunk after chunk in first-appearance order (so ties sort the
// same), encodings concatenate in file order. Any error in a range reruns the
// serial path, which throws it with the exact line number.
#include <cstring>
#include <exception>
#include <thread>
#include <unordered_map>

#include "fasttext.h"
#include "text.h"

namespace hogwild::data {

namespace {

// Below this many bytes per thread a thread costs more than it saves.
constexpr size_t kMinBytesPerThread = size_t{1} << 20;

struct Range {
  const uint8_t* begin;
  size_t size;
};

// Splits [data, data+size) into at most `parts` ranges, each ending just after a '\n' (or at the end).
std::vector<Range> splitAtLines(const uint8_t* data, size_t size, int parts) {
  std::vector<Range> out;
  size_t start = 0;
  for (int k = 1; k <= parts && start < size; ++k) {
    size_t end = k == parts ? size : std::max(start, size * static_cast<size_t>(k) / static_cast<size_t>(parts));
    if (end < size) {
      const void* nl = std::memchr(data + end, '\n', size - end);
      end = nl ? static_cast<size_t>(static_cast<const uint8_t*>(nl) - data) + 1 : size;
    }
    if (end > start) out.push_back(Range{data + start, end - start});
    start = end;
  }
  return out;
}

int threadsFor(size_t bytes, int threads) {
  size_t most = std::max<size_t>(1, bytes / kMinBytesPerThread);
  return static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(1, threads)), most));
}

// Runs f(i) for i in [0, n) on n threads (i = 0 on the caller's); returns false if any threw.
template <typename F> bool parallelFor(size_t n, F&& f) {
  std::vector<std::exception_ptr> errors(n);
  auto run = [&](size_t i) {
    try {
      f(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(n);
  for (size_t i = 1; i < n; ++i) pool.emplace_back(run, i);
  run(0);
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) return false;
  return true;
}

// One range's distinct tokens in first-appearance order, with counts.
struct ChunkCounts {
  struct Token {
    std::string_view word;
    uint32_t hash;
    int64_t count;
  };
  std::vector<Token> tokens;
};

struct ViewHash {
  size_t operator()(std::string_view s) const { return FastTextDictionary::hash(s); }
};

}  // namespace

void FastTextDictionary::build(const FileBytes& file, int threads) {
  int n = threadsFor(file.size(), threads);
  if (n <= 1) return buildSerial(file);
  std::vector<Range> ranges = splitAtLines(file.data(), file.size(), n);
  std::vector<ChunkCounts> counts(ranges.size());
  const std::string_view eos = "</s>";
  bool ok = parallelFor(ranges.size(), [&](size_t i) {
    std::unordered_map<std::string_view, size_t, ViewHash> index;
    index.reserve(1 << 16);
    auto& toks = counts[i].tokens;
    auto add = [&](std::string_view w) {
      auto [it, fresh] = index.try_emplace(w, toks.size());
      if (fresh) toks.push_back({w, hash(w), 0});
      ++toks[it->second].count;
    };
    LineReader lines(ranges[i].begin, ranges[i].size);
    Line line;
    while (lines.next(&line)) {
      checkLine(file, line.text, line.number);
      forEachToken(line.text, add);
      if (line.hadNewline) add(eos);
    }
  });
  if (!ok) return buildSerial(file);  // rethrows the first bad line with its real number
  resetCounts();
  for (const ChunkCounts& c : counts)
    for (const auto& t : c.tokens) addToken(t.word, t.hash, t.count);
  finishBuild(file);
}

FastTextEncoded FastTextDictionary::encodeFile(const FileBytes& file, int threads, bool words) const {
  int n = threadsFor(file.size(), threads);
  if (n <= 1) return encodeRange(file, file.data(), file.size(), words);
  std::vector<Range> ranges = splitAtLines(file.data(), file.size(), n);
  std::vector<FastTextEncoded> parts(ranges.size());
  bool ok = parallelFor(ranges.size(), [&](size_t i) { parts[i] = encodeRange(file, ranges[i].begin, ranges[i].size, words); });
  if (!ok) return encodeRange(file, file.data(), file.size(), words);  // rethrows with the real line number
  FastTextEncoded out;
  size_t examples = 0, ids = 0, labelSetValues = 0;
  for (const auto& p : parts) {
    examples += p.labels.size();
    ids += p.ids.size();
    labelSetValues += p.labelSetValues.size();
  }
  out.labels.reserve(examples);
  out.labelSetLengths.reserve(examples);
  out.labelSetValues.reserve(labelSetValues);
  out.lengths.reserve(examples);
  out.ids.reserve(ids);
  for (auto& p : parts) {
    out.labels.insert(out.labels.end(), p.labels.begin(), p.labels.end());
    out.labelSetLengths.insert(out.labelSetLengths.end(), p.labelSetLengths.begin(), p.labelSetLengths.end());
    out.labelSetValues.insert(out.labelSetValues.end(), p.labelSetValues.begin(), p.labelSetValues.end());
    out.multiLabel += p.multiLabel;
    out.lengths.insert(out.lengths.end(), p.lengths.begin(), p.lengths.end());
    out.ids.insert(out.ids.end(), p.ids.begin(), p.ids.end());
    out.lines += p.lines;
    out.skipped += p.skipped;
    out.tokens += p.tokens;
    p = FastTextEncoded();  // frees the part now: peak memory stays near one copy
  }
  return out;
}

std::shared_ptr<const FastTextDictionary::Encoding> FastTextDictionary::cachedEncoding(const std::string& path, bool index64) const {
  std::lock_guard<std::mutex> lock(_cache->mutex);
  const auto& e = _cache->value;
  return e && e->path == path && e->index64 == index64 ? e : nullptr;
}

void FastTextDictionary::cacheEncoding(std::shared_ptr<const Encoding> e) const {
  std::lock_guard<std::mutex> lock(_cache->mutex);
  _cache->value = std::move(e);
}

}  // namespace hogwild::data
