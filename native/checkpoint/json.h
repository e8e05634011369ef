#pragma once
// A small strict JSON parser for checkpoint headers (RFC 8259 grammar with
// tighter limits): nesting depth <= maxDepth, duplicate keys rejected, numbers
// must be integers with |n| <= 2^53-1, strings must be valid UTF-8 with
// control characters escaped and surrogate escapes paired, arrays hold at most
// maxArrayLength items, and only whitespace may follow the top-level value.
// It builds nothing itself: it reports events to a Handler (SAX style), so the
// memory it uses is the decoded strings plus one key set per open object.
// Every failure throws CorruptError with a json_* reason and the byte offset.
#include <cstdint>
#include <string>
#include <string_view>

namespace hogwild::ckpt::json {

inline constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

struct Limits {
  int maxDepth = 3;
  size_t maxArrayLength = 64;
};

// Byte range of a token in the parsed text ([begin, end), quotes included for strings).
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;
  virtual void beginObject(Span at) = 0;
  virtual void key(std::string&& name, Span at) = 0;
  virtual void endObject() = 0;
  virtual void beginArray(Span at) = 0;
  virtual void endArray() = 0;
  virtual void string(std::string&& value, Span at) = 0;
  virtual void integer(int64_t value, Span at) = 0;
  virtual void boolean(bool value, Span at) = 0;
  virtual void null(Span at) = 0;
};

void parse(std::string_view text, Handler& handler, const Limits& limits = {});

}  // namespace hogwild::ckpt::json
