#include "format.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "crc32c.h"
#include "errors.h"
#include "json.h"

namespace hogwild::ckpt {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checkpoint files are little-endian; add byte swapping first");

namespace {

constexpr const char* kMetadataKey = "__metadata__";
constexpr const char* kCrcPrefix = "crc32c:";
constexpr const char* kKindPrefix = "kind:";
constexpr const char* kMetaPrefix = "meta:";

bool startsWith(const std::string& s, const char* prefix, std::string* rest) {
  size_t n = std::strlen(prefix);
  if (s.compare(0, n, prefix) != 0) return false;
  *rest = s.substr(n);
  return true;
}

void appendJsonString(std::string& out, const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c < 0x20 || c == 0x7F) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::string hex8(uint32_t v) {
  static const char kHex[] = "0123456789abcdef";
  std::string s(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = kHex[v & 15];
  return s;
}

bool parseHex8(const std::string& s, uint32_t* out) {
  if (s.size() != 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    uint32_t d;
    if (c >= '0' && c <= '9') d = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<uint32_t>(c - 'a' + 10);
    else return false;
    v = v * 16 + d;
  }
  *out = v;
  return true;
}

bool validUtf8(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) { ++i; continue; }
    size_t len;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return false;
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool validKindName(const std::string& k) {
  if (k.empty() || k.size() > 64) return false;
  for (char c : k) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Canonical non-negative decimal <= 2^53-1 ("0", "12"; not "012", "+1", "1e3").
bool parseEpoch(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 16 || (s.size() > 1 && s[0] == '0')) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > json::kMaxSafeInteger) return false;
  *out = v;
  return true;
}

// ---- Header handler: a state machine over the parser's events ----

class HeaderBuilder final : public json::Handler {
 public:
  struct RawEntry {
    Entry entry;
    bool hasDtype = false, hasShape = false, hasOffsets = false;
    std::vector<int64_t> offsets;
  };

  std::vector<RawEntry> entries;
  std::map<std::string, std::string> metadata;
  bool hasMetadata = false;
  json::Span headerCrcSpan;

  void beginObject(json::Span) override {
    switch (_state) {
      case State::Start: _state = State::Top; return;
      case State::TopValue:
        if (_key == kMetadataKey) {
          if (hasMetadata) schema("__metadata__ appears twice");
          hasMetadata = true;
          _state = State::Meta;
        } else {
          std::string why = checkBlobName(_key);
          if (!why.empty()) HW_CORRUPT(reasons::kTensorName, "Invalid tensor name in checkpoint header: " << why);
          if (entries.size() >= kMaxTensors) HW_CORRUPT(reasons::kJsonLimit, "Checkpoint header lists more than " << kMaxTensors << " tensors");
          entries.emplace_back();
          entries.back().entry.name = _key;
          _state = State::Tensor;
        }
        return;
      default: schema("unexpected object");
    }
  }

  void key(std::string&& name, json::Span) override {
    switch (_state) {
      case State::Top: _key = std::move(name); _state = State::TopValue; return;
      case State::Meta: _metaKey = std::move(name); _state = State::MetaValue; return;
      case State::Tensor:
        _field = std::move(name);
        if (_field != "dtype" && _field != "shape" && _field != "data_offsets") {
          schema("unknown field '" + _field + "' in tensor '" + current().entry.name + "'");
        }
        _state = State::TensorValue;
        return;
      default: schema("unexpected key");
    }
  }

  void endObject() override {
    switch (_state) {
      case State::Top: _state = State::Done; return;
      case State::Meta: _state = State::Top; return;
      case State::Tensor: {
        RawEntry& r = current();
        if (!r.hasDtype || !r.hasShape || !r.hasOffsets) {
          schema("tensor '" + r.entry.name + "' needs dtype, shape and data_offsets");
        }
        _state = State::Top;
        return;
      }
      default: schema("unexpected end of object");
    }
  }

  void beginArray(json::Span) override {
    if (_state != State::TensorValue) schema("unexpected array");
    if (_field == "shape") {
      current().hasShape = true;
      _state = State::Shape;
    } else if (_field == "data_offsets") {
      current().hasOffsets = true;
      _state = State::Offsets;
    } else {
      schema("expected a string for '" + _field + "' of tensor '" + current().entry.name + "'");
    }
  }

  void endArray() override {
    RawEntry& r = current();
    if (_state == State::Shape) {
      if (r.entry.shape.size() > kMaxRank) {
        HW_CORRUPT(reasons::kShape, "Tensor '" << r.entry.name << "' has rank " << r.entry.shape.size() << " (at most " << kMaxRank << ")");
      }
    } else if (_state == State::Offsets) {
      if (r.offsets.size() != 2) schema("data_offsets of tensor '" + r.entry.name + "' must hold 2 integers");
    } else {
      schema("unexpected end of array");
    }
    _state = State::Tensor;
  }

  void string(std::string&& value, json::Span at) override {
    if (_state == State::MetaValue) {
      if (_metaKey == "header_crc32c") headerCrcSpan = at;
      metadata.emplace(std::move(_metaKey), std::move(value));
      _state = State::Meta;
      return;
    }
    if (_state == State::TensorValue && _field == "dtype") {
      RawEntry& r = current();
      if (!parseDtypeTag(value, &r.entry.dtype)) {
        HW_CORRUPT(reasons::kDtype, "Unknown dtype '" << value << "' for tensor '" << r.entry.name << "'");
      }
      r.hasDtype = true;
      _state = State::Tensor;
      return;
    }
    schema("unexpected string");
  }

  void integer(int64_t value, json::Span) override {
    if (_state == State::Shape) {
      RawEntry& r = current();
      if (value < 0) HW_CORRUPT(reasons::kShape, "Negative dim " << value << " in tensor '" << r.entry.name << "'");
      r.entry.shape.push_back(value);
      return;
    }
    if (_state == State::Offsets) {
      RawEntry& r = current();
      if (value < 0) HW_CORRUPT(reasons::kOffsets, "Negative data offset in tensor '" << r.entry.name << "'");
      r.offsets.push_back(value);
      return;
    }
    schema("unexpected number");
  }

  void boolean(bool, json::Span) override { schema("unexpected boolean"); }
  void null(json::Span) override { schema("unexpected null"); }

 private:
  enum class State { Start, Top, TopValue, Meta, MetaValue, Tensor, TensorValue, Shape, Offsets, Done };

  [[noreturn]] static void schema(const std::string& what) {
    HW_CORRUPT(reasons::kSchema, "Invalid checkpoint header: " << what);
  }
  RawEntry& current() { return entries.back(); }

  State _state = State::Start;
  std::string _key, _metaKey, _field;
};

}  // namespace

const char* dtypeTag(DType t) {
  switch (t) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int32: return "I32";
    case DType::Int64: return "I64";
    case DType::Uint8: return "U8";
    case DType::Bool: return "BOOL";
  }
  return "?";
}

bool parseDtypeTag(std::string_view tag, DType* out) {
  static const struct { const char* tag; DType type; } kTags[] = {
      {"F32", DType::Float32}, {"F64", DType::Float64}, {"I32", DType::Int32},
      {"I64", DType::Int64},   {"U8", DType::Uint8},    {"BOOL", DType::Bool},
  };
  for (const auto& t : kTags) {
    if (tag == t.tag) {
      *out = t.type;
      return true;
    }
  }
  return false;
}

const Entry* Header::find(const std::string& name) const {
  for (const auto& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string checkBlobName(const std::string& name) {
  if (name.empty()) return "an empty name";
  if (name.size() > 4096) return "a name longer than 4096 bytes";
  if (name == kMetadataKey) return "the reserved name '__metadata__'";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7F) return "a control character in '" + name + "'";
  }
  if (!validUtf8(name)) return "invalid UTF-8 in a name";
  return "";
}

// ---- Writing ----

EncodedHeader encodeHeader(std::vector<Entry>& entries, int64_t epoch, const std::string& node,
                           const std::vector<std::pair<std::string, std::string>>& meta) {
  HW_CHECK(epoch >= 0 && epoch <= json::kMaxSafeInteger, codes::kInvalidArgument,
           "Expected an epoch in [0, 2^53-1] but received " << epoch);
  HW_CHECK(validUtf8(node), codes::kInvalidArgument, "Expected a UTF-8 node name");
  HW_CHECK(entries.size() <= kMaxTensors, codes::kInvalidArgument,
           "Expected at most " << kMaxTensors << " blobs in a checkpoint but received " << entries.size());
  std::set<std::string> names;
  for (const auto& e : entries) {
    std::string why = checkBlobName(e.name);
    HW_CHECK(why.empty(), codes::kInvalidArgument, "Expected a storable blob name but received " << why);
    HW_CHECK(names.insert(e.name).second, codes::kInvalidArgument, "Blob '" << e.name << "' is listed twice");
    HW_CHECK(e.kind == kTensorKind || validKindName(e.kind), codes::kInvalidArgument,
             "Invalid blob kind '" << e.kind << "' for blob '" << e.name << "'");
  }
  for (const auto& kv : meta) {
    HW_CHECK(validUtf8(kv.first) && validUtf8(kv.second), codes::kInvalidArgument, "Expected UTF-8 metadata");
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    size_t sa = dtypeSize(a.dtype), sb = dtypeSize(b.dtype);
    return sa != sb ? sa > sb : a.name < b.name;
  });
  uint64_t offset = 0;
  for (auto& e : entries) {
    uint64_t bytes = static_cast<uint64_t>(checkedNumel(e.shape)) * dtypeSize(e.dtype);
    e.begin = offset;
    e.end = offset + bytes;
    offset = e.end;
  }

  EncodedHeader h;
  std::string& s = h.bytes;
  s.assign(8, '\0');
  s += "{\"__metadata__\":{\"format\":\"";
  s += kFormatName;
  s += "\",\"format_version\":\"";
  s += kFormatVersion;
  s += "\",\"epoch\":\"" + std::to_string(epoch) + "\",\"node\":";
  appendJsonString(s, node);
  s += ",\"header_crc32c\":\"";
  h.headerCrcAt = s.size();
  s += "00000000\"";
  for (const auto& kv : meta) {
    s += ',';
    appendJsonString(s, kMetaPrefix + kv.first);
    s += ':';
    appendJsonString(s, kv.second);
  }
  for (const auto& e : entries) {
    s += ',';
    appendJsonString(s, kCrcPrefix + e.name);
    s += ":\"";
    h.crcAt.push_back(s.size());
    s += "00000000\"";
    if (e.kind != kTensorKind) {
      s += ',';
      appendJsonString(s, kKindPrefix + e.name);
      s += ':';
      appendJsonString(s, e.kind);
    }
  }
  s += '}';
  for (const auto& e : entries) {
    s += ',';
    appendJsonString(s, e.name);
    s += ":{\"dtype\":\"";
    s += dtypeTag(e.dtype);
    s += "\",\"shape\":[";
    for (size_t i = 0; i < e.shape.size(); ++i) {
      if (i) s += ',';
      s += std::to_string(e.shape[i]);
    }
    s += "],\"data_offsets\":[" + std::to_string(e.begin) + "," + std::to_string(e.end) + "]}";
  }
  s += '}';
  while (s.size() % 8) s += ' ';
  uint64_t n = s.size() - 8;
  HW_CHECK(n <= kMaxHeaderBytes, codes::kInvalidArgument,
           "Expected a checkpoint header under " << kMaxHeaderBytes << " bytes but it would take " << n);
  for (int i = 0; i < 8; ++i) s[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return h;
}

void patchCrc(EncodedHeader& h, size_t at, uint32_t crc) { h.bytes.replace(at, 8, hex8(crc)); }

void sealHeader(EncodedHeader& h) {
  h.bytes.replace(h.headerCrcAt, 8, "00000000");
  patchCrc(h, h.headerCrcAt, crc32c(h.bytes.data(), h.bytes.size()));
}

// ---- Reading ----

uint64_t parseHeaderLength(const uint8_t prefix[8], uint64_t fileSize) {
  if (fileSize < 8) HW_CORRUPT(reasons::kTruncated, "Checkpoint is " << fileSize << " bytes, shorter than its 8-byte prefix");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(prefix[i]) << (8 * i);
  if (n < 2 || n > kMaxHeaderBytes) {
    HW_CORRUPT(reasons::kHeaderSize, "Checkpoint header length " << n << " is outside [2, " << kMaxHeaderBytes << "]");
  }
  if (n > fileSize - 8) {
    HW_CORRUPT(reasons::kTruncated, "Checkpoint header length " << n << " runs past the end of a " << fileSize << "-byte file");
  }
  return n;
}

Header parseHeader(std::string_view bytes, uint64_t fileSize) {
  if (bytes.size() < 8) HW_CORRUPT(reasons::kTruncated, "Checkpoint is " << bytes.size() << " bytes, shorter than its 8-byte prefix");
  uint64_t n = parseHeaderLength(reinterpret_cast<const uint8_t*>(bytes.data()), fileSize);
  if (bytes.size() != 8 + n) HW_CORRUPT(reasons::kTruncated, "Checkpoint header is shorter than its declared " << n << " bytes");
  std::string_view text = bytes.substr(8);
  if (text[0] != '{') HW_CORRUPT(reasons::kHeaderStart, "Checkpoint header does not start with '{'");

  HeaderBuilder b;
  json::parse(text, b);

  Header h;
  h.headerBytes = n;
  h.dataStart = 8 + n;
  h.dataBytes = fileSize - h.dataStart;

  // Metadata: fixed keys, then per-tensor keys that must name a tensor.
  if (!b.hasMetadata) HW_CORRUPT(reasons::kMetadata, "Checkpoint header has no __metadata__");
  auto need = [&](const char* key) -> const std::string& {
    auto it = b.metadata.find(key);
    if (it == b.metadata.end()) HW_CORRUPT(reasons::kMetadata, "Checkpoint metadata lacks '" << key << "'");
    return it->second;
  };
  if (need("format") != kFormatName) HW_CORRUPT(reasons::kMetadata, "Checkpoint metadata format is not '" << kFormatName << "'");
  if (need("format_version") != kFormatVersion) {
    HW_CORRUPT(reasons::kMetadata, "Unsupported checkpoint format_version '" << need("format_version") << "' (this build reads " << kFormatVersion << ")");
  }
  if (!parseEpoch(need("epoch"), &h.epoch)) HW_CORRUPT(reasons::kMetadata, "Checkpoint metadata epoch is not a canonical integer");
  h.node = need("node");
  uint32_t headerCrc = 0;
  if (!parseHex8(need("header_crc32c"), &headerCrc) || b.headerCrcSpan.end - b.headerCrcSpan.begin != 10) {
    HW_CORRUPT(reasons::kMetadata, "Checkpoint metadata header_crc32c is not 8 lowercase hex digits");
  }
  {
    std::string copy(bytes);
    copy.replace(8 + b.headerCrcSpan.begin + 1, 8, "00000000");
    uint32_t actual = crc32c(copy.data(), copy.size());
    if (actual != headerCrc) HW_CORRUPT(reasons::kHeaderChecksum, "Checkpoint header CRC32C mismatch");
  }

  std::map<std::string, size_t> index;
  for (size_t i = 0; i < b.entries.size(); ++i) index.emplace(b.entries[i].entry.name, i);
  std::vector<bool> hasCrc(b.entries.size(), false);
  for (const auto& kv : b.metadata) {
    const std::string& key = kv.first;
    std::string rest;
    if (key == "format" || key == "format_version" || key == "epoch" || key == "node" || key == "header_crc32c") continue;
    if (startsWith(key, kMetaPrefix, &rest)) {
      h.meta.emplace_back(rest, kv.second);
      continue;
    }
    bool isCrc = startsWith(key, kCrcPrefix, &rest);
    if (!isCrc && !startsWith(key, kKindPrefix, &rest)) HW_CORRUPT(reasons::kMetadata, "Unknown checkpoint metadata key '" << key << "'");
    auto it = index.find(rest);
    if (it == index.end()) HW_CORRUPT(reasons::kMetadata, "Checkpoint metadata '" << key << "' names no tensor");
    Entry& e = b.entries[it->second].entry;
    if (isCrc) {
      if (!parseHex8(kv.second, &e.crc)) HW_CORRUPT(reasons::kMetadata, "CRC of tensor '" << rest << "' is not 8 lowercase hex digits");
      hasCrc[it->second] = true;
    } else {
      if (kv.second == kTensorKind || !validKindName(kv.second)) HW_CORRUPT(reasons::kKind, "Invalid kind '" << kv.second << "' for blob '" << rest << "'");
      e.kind = kv.second;
    }
  }

  // Each tensor: size from shape x dtype must match its offsets.
  for (size_t i = 0; i < b.entries.size(); ++i) {
    HeaderBuilder::RawEntry& r = b.entries[i];
    Entry& e = r.entry;
    if (!hasCrc[i]) HW_CORRUPT(reasons::kMetadata, "Tensor '" << e.name << "' has no CRC in the metadata");
    uint64_t numel = 1;
    for (int64_t d : e.shape) {
      uint64_t ud = static_cast<uint64_t>(d);
      if (ud != 0 && numel > static_cast<uint64_t>(json::kMaxSafeInteger) / ud) {
        HW_CORRUPT(reasons::kShape, "Shape " << shapeString(e.shape) << " of tensor '" << e.name << "' overflows");
      }
      numel *= ud;
    }
    uint64_t bytesNeeded = numel * dtypeSize(e.dtype);
    if (bytesNeeded / dtypeSize(e.dtype) != numel || bytesNeeded > static_cast<uint64_t>(json::kMaxSafeInteger)) {
      HW_CORRUPT(reasons::kShape, "Shape " << shapeString(e.shape) << " of tensor '" << e.name << "' overflows");
    }
    e.begin = static_cast<uint64_t>(r.offsets[0]);
    e.end = static_cast<uint64_t>(r.offsets[1]);
    if (e.end < e.begin) HW_CORRUPT(reasons::kOffsets, "Tensor '" << e.name << "' ends before it begins");
    if (e.end - e.begin != bytesNeeded) {
      HW_CORRUPT(reasons::kOffsets, "Tensor '" << e.name << "' spans " << (e.end - e.begin) << " bytes but " << dtypeTag(e.dtype)
                                               << " " << shapeString(e.shape) << " needs " << bytesNeeded);
    }
    if (e.kind == kEmptyKind && (e.dtype != DType::Uint8 || e.shape != Shape{0})) {
      HW_CORRUPT(reasons::kKind, "Empty blob '" << e.name << "' must be stored as U8 [0]");
    }
    h.entries.push_back(std::move(e));
  }

  // Packing: sorted by offset, the tensors tile [0, dataBytes) exactly.
  std::stable_sort(h.entries.begin(), h.entries.end(), [](const Entry& x, const Entry& y) {
    return x.begin != y.begin ? x.begin < y.begin : x.end < y.end;
  });
  uint64_t expected = 0;
  for (const auto& e : h.entries) {
    if (e.begin != expected) {
      HW_CORRUPT(reasons::kLayout, "Tensor '" << e.name << "' starts at " << e.begin << " but the previous data ends at " << expected
                                              << (e.begin < expected ? " (overlap)" : " (gap)"));
    }
    expected = e.end;
  }
  if (expected > h.dataBytes) {
    HW_CORRUPT(reasons::kTruncated, "Checkpoint data needs " << expected << " bytes but the file holds " << h.dataBytes);
  }
  if (expected < h.dataBytes) {
    HW_CORRUPT(reasons::kLayout, "Checkpoint has " << (h.dataBytes - expected) << " trailing bytes after its data");
  }
  return h;
}

}  // namespace hogwild::ckpt
