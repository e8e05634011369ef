#include "json.h"

#include <set>
#include <sstream>
#include <vector>

#include "errors.h"

namespace hogwild::ckpt::json {
namespace {

class Parser {
 public:
  Parser(std::string_view text, Handler& handler, const Limits& limits)
      : _s(text), _h(handler), _limits(limits) {}

  void run() {
    skipSpace();
    value(1);
    skipSpace();
    if (_pos != _s.size()) fail(reasons::kJsonSyntax, "unexpected data after the top-level value");
  }

 private:
  [[noreturn]] void fail(const char* reason, const char* what) const {
    HW_CORRUPT(reason, "Invalid checkpoint header JSON at byte " << _pos << ": " << what);
  }

  bool atEnd() const { return _pos >= _s.size(); }
  unsigned char peek() const { return atEnd() ? 0 : static_cast<unsigned char>(_s[_pos]); }

  void skipSpace() {
    while (!atEnd()) {
      char c = _s[_pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++_pos;
    }
  }

  void expectLiteral(const char* word) {
    for (const char* p = word; *p; ++p, ++_pos) {
      if (atEnd() || _s[_pos] != *p) fail(reasons::kJsonSyntax, "invalid literal");
    }
  }

  // `depth` is the nesting level the value would occupy if it is a container.
  void value(int depth) {
    if (atEnd()) fail(reasons::kJsonSyntax, "unexpected end of header");
    size_t begin = _pos;
    switch (peek()) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': {
        std::string s = string();
        _h.string(std::move(s), {begin, _pos});
        return;
      }
      case 't': expectLiteral("true"); _h.boolean(true, {begin, _pos}); return;
      case 'f': expectLiteral("false"); _h.boolean(false, {begin, _pos}); return;
      case 'n': expectLiteral("null"); _h.null({begin, _pos}); return;
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
          int64_t v = number();
          _h.integer(v, {begin, _pos});
          return;
        }
        fail(reasons::kJsonSyntax, "unexpected character");
    }
  }

  void enter(int depth) {
    if (depth > _limits.maxDepth) fail(reasons::kJsonDepth, "nesting too deep");
  }

  void object(int depth) {
    enter(depth);
    _h.beginObject({_pos, _pos + 1});
    ++_pos;
    std::set<std::string> seen;
    skipSpace();
    if (peek() == '}') {
      ++_pos;
      _h.endObject();
      return;
    }
    for (;;) {
      skipSpace();
      if (peek() != '"') fail(reasons::kJsonSyntax, "expected a string key");
      size_t begin = _pos;
      std::string k = string();
      if (!seen.insert(k).second) {
        _pos = begin;
        fail(reasons::kJsonDuplicateKey, "duplicate key");
      }
      _h.key(std::move(k), {begin, _pos});
      skipSpace();
      if (peek() != ':') fail(reasons::kJsonSyntax, "expected ':'");
      ++_pos;
      skipSpace();
      value(depth + 1);
      skipSpace();
      if (peek() == ',') {
        ++_pos;
        continue;
      }
      if (peek() == '}') {
        ++_pos;
        _h.endObject();
        return;
      }
      fail(reasons::kJsonSyntax, "expected ',' or '}'");
    }
  }

  void array(int depth) {
    enter(depth);
    _h.beginArray({_pos, _pos + 1});
    ++_pos;
    skipSpace();
    if (peek() == ']') {
      ++_pos;
      _h.endArray();
      return;
    }
    for (size_t n = 1;; ++n) {
      if (n > _limits.maxArrayLength) fail(reasons::kJsonLimit, "array too long");
      skipSpace();
      value(depth + 1);
      skipSpace();
      if (peek() == ',') {
        ++_pos;
        continue;
      }
      if (peek() == ']') {
        ++_pos;
        _h.endArray();
        return;
      }
      fail(reasons::kJsonSyntax, "expected ',' or ']'");
    }
  }

  int64_t number() {
    bool negative = false;
    if (peek() == '-') {
      negative = true;
      ++_pos;
    }
    if (!(peek() >= '0' && peek() <= '9')) fail(reasons::kJsonSyntax, "invalid number");
    if (peek() == '0' && _pos + 1 < _s.size() && _s[_pos + 1] >= '0' && _s[_pos + 1] <= '9') {
      fail(reasons::kJsonSyntax, "leading zero in number");
    }
    int64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      v = v * 10 + (peek() - '0');
      if (v > kMaxSafeInteger) fail(reasons::kJsonNumber, "integer larger than 2^53-1");
      ++_pos;
    }
    if (peek() == '.' || peek() == 'e' || peek() == 'E') fail(reasons::kJsonNumber, "expected an integer");
    return negative ? -v : v;
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      unsigned char c = peek();
      unsigned d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else fail(reasons::kJsonString, "invalid \\u escape");
      v = v * 16 + d;
      ++_pos;
    }
    return v;
  }

  static void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // One UTF-8 sequence starting at _pos (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
  void utf8Sequence(std::string& out) {
    unsigned char c = peek();
    size_t len;
    uint32_t min;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
    else fail(reasons::kJsonString, "invalid UTF-8 lead byte");
    if (_s.size() - _pos < len) fail(reasons::kJsonString, "truncated UTF-8 sequence");
    for (size_t i = 1; i < len; ++i) {
      unsigned char cc = static_cast<unsigned char>(_s[_pos + i]);
      if ((cc & 0xC0) != 0x80) fail(reasons::kJsonString, "invalid UTF-8 continuation byte");
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail(reasons::kJsonString, "invalid UTF-8 code point");
    out.append(_s.data() + _pos, len);
    _pos += len;
  }

  std::string string() {
    ++_pos;  // opening quote
    std::string out;
    for (;;) {
      if (atEnd()) fail(reasons::kJsonString, "unterminated string");
      unsigned char c = peek();
      if (c == '"') {
        ++_pos;
        return out;
      }
      if (c < 0x20) fail(reasons::kJsonString, "unescaped control character in string");
      if (c == '\\') {
        ++_pos;
        unsigned char e = peek();
        ++_pos;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            uint32_t cp = hex4();
            if (cp >= 0xDC00 && cp <= 0xDFFF) fail(reasons::kJsonString, "lone low surrogate escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              if (peek() != '\\' || _pos + 1 >= _s.size() || _s[_pos + 1] != 'u') {
                fail(reasons::kJsonString, "unpaired surrogate escape");
              }
              _pos += 2;
              uint32_t lo = hex4();
              if (lo < 0xDC00 || lo > 0xDFFF) fail(reasons::kJsonString, "unpaired surrogate escape");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            appendUtf8(out, cp);
            break;
          }
          default:
            --_pos;
            fail(reasons::kJsonString, "invalid escape");
        }
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++_pos;
      } else {
        utf8Sequence(out);
      }
    }
  }

  std::string_view _s;
  Handler& _h;
  Limits _limits;
  size_t _pos = 0;
};

}  // namespace

void parse(std::string_view text, Handler& handler, const Limits& limits) { Parser(text, handler, limits).run(); }

}  // namespace hogwild::ckpt::json
