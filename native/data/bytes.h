#pragma once
// Little-endian byte records for object blobs saved in checkpoints (cursor,
// fastText dictionary). The reader bounds-checks every read and throws
// HOGWILD_CHECKPOINT_CORRUPT, so a damaged record is rejected, never overread.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../core/error.h"
#include "../core/tensor.h"

namespace hogwild::data {

class ByteWriter {
 public:
  void raw(const void* p, size_t n) { _b.insert(_b.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n); }
  void u8(uint8_t v) { _b.push_back(v); }
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) _b.push_back(uint8_t(v >> (8 * i))); }
  void i64(int64_t v) { for (int i = 0; i < 8; ++i) _b.push_back(uint8_t(static_cast<uint64_t>(v) >> (8 * i))); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void toTensor(Tensor* out) const {
    out->resize(DType::Uint8, {static_cast<int64_t>(_b.size())});
    if (!_b.empty()) std::memcpy(out->raw(), _b.data(), _b.size());
  }

 private:
  std::vector<uint8_t> _b;
};

class ByteReader {
 public:
  ByteReader(const Tensor& t, const char* what) : _what(what) {
    HW_CHECK(t.initialized() && t.dtype() == DType::Uint8 && t.ndim() == 1, codes::kCheckpointCorrupt,
             "Expected a 1-D uint8 tensor for a " << what << " record");
    _p = static_cast<const uint8_t*>(t.raw());
    _n = static_cast<size_t>(t.numel());
  }
  void need(size_t k) const {
    HW_CHECK(k <= _n - _pos, codes::kCheckpointCorrupt, "Truncated " << _what << " record (" << _n << " bytes)");
  }
  void magic(const char* m) {
    need(4);
    HW_CHECK(std::memcmp(_p + _pos, m, 4) == 0, codes::kCheckpointCorrupt, "Expected a " << _what << " record (magic " << m << ")");
    _pos += 4;
  }
  uint8_t u8() { need(1); return _p[_pos++]; }
  uint32_t u32() {
    need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(_p[_pos++]) << (8 * i);
    return v;
  }
  int64_t i64() {
    need(8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(_p[_pos++]) << (8 * i);
    return static_cast<int64_t>(v);
  }
  std::string str(size_t maxLen) {
    uint32_t len = u32();
    HW_CHECK(len <= maxLen, codes::kCheckpointCorrupt, "String of " << len << " bytes in a " << _what << " record");
    need(len);
    std::string s(reinterpret_cast<const char*>(_p + _pos), len);
    _pos += len;
    return s;
  }
  void expectEnd() const {
    HW_CHECK(_pos == _n, codes::kCheckpointCorrupt, "Trailing bytes in a " << _what << " record");
  }

 private:
  const char* _what;
  const uint8_t* _p = nullptr;
  size_t _n = 0, _pos = 0;
};

}  // namespace hogwild::data
