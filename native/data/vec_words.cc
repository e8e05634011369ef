#include "vec_words.h"

#include <cstdlib>

#include "../core/error.h"
#include "file_bytes.h"
#include "text.h"

namespace hogwild::data {

namespace {

// The first whitespace-separated token of `s` (fastText reads the file with `>>`).
std::string_view firstToken(std::string_view s) {
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  size_t e = b;
  while (e < s.size() && s[e] != ' ' && s[e] != '\t' && s[e] != '\r') ++e;
  return s.substr(b, e - b);
}

bool parseCount(std::string_view tok, int64_t* out) {
  if (tok.empty() || tok.size() > 12) return false;
  int64_t v = 0;
  for (char c : tok) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::vector<std::string> readVecWords(const std::string& path) {
  FileBytes file(path);
  LineReader lines(file.data(), file.size());
  Line line;
  HW_CHECK(lines.next(&line), codes::kData, path << ":1: expected a header \"<words> <dim>\" but the file is empty");
  std::string_view header = line.text;
  std::string_view nTok = firstToken(header);
  std::string_view rest = header.substr(static_cast<size_t>(nTok.data() - header.data()) + nTok.size());
  std::string_view dimTok = firstToken(rest);
  int64_t n = 0, dim = 0;
  HW_CHECK(parseCount(nTok, &n) && parseCount(dimTok, &dim) && dim > 0, codes::kData,
           path << ":1: expected a header \"<words> <dim>\" (two positive integers) but read '" << std::string(header.substr(0, 80)) << "'");
  std::vector<std::string> words;
  words.reserve(static_cast<size_t>(std::min<int64_t>(n, int64_t{1} << 24)));
  while (static_cast<int64_t>(words.size()) < n && lines.next(&line)) {
    std::string_view w = firstToken(line.text);
    HW_CHECK(!w.empty(), codes::kData, path << ":" << line.number << ": expected a word and " << dim << " numbers but the line is blank");
    words.emplace_back(w);
  }
  HW_CHECK(static_cast<int64_t>(words.size()) == n, codes::kData,
           path << ": the header announces " << n << " words but the file has " << words.size());
  return words;
}

}  // namespace hogwild::data
