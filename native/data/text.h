#pragma once
// Line iteration and UTF-8 validation over a file's bytes, shared by the text
// parsers (fastText, CSV). Lines end at '\n'; the terminator is not part of
// the line, and `hadNewline` says whether there was one (fastText emits an
// end-of-sentence token for it).
#include <cstdint>
#include <cstring>
#include <string_view>

namespace hogwild::data {

struct Line {
  std::string_view text;
  int64_t number = 0;  // 1-based
  bool hadNewline = false;
};

class LineReader {
 public:
  LineReader(const uint8_t* data, size_t size) : _p(reinterpret_cast<const char*>(data)), _end(_p + size) {}
  bool next(Line* line) {
    if (_p >= _end) return false;
    const char* nl = static_cast<const char*>(std::memchr(_p, '\n', static_cast<size_t>(_end - _p)));
    const char* stop = nl ? nl : _end;
    line->text = std::string_view(_p, static_cast<size_t>(stop - _p));
    line->number = ++_number;
    line->hadNewline = nl != nullptr;
    _p = nl ? nl + 1 : _end;
    return true;
  }

 private:
  const char* _p;
  const char* _end;
  int64_t _number = 0;
};

// Byte offset of the first invalid UTF-8 sequence in `s`, or -1 when valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
inline int64_t invalidUtf8At(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return static_cast<int64_t>(i);
    }
    if (i + len > n) return static_cast<int64_t>(i);
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return static_cast<int64_t>(i);
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return static_cast<int64_t>(i);
    i += len;
  }
  return -1;
}

}  // namespace hogwild::data
