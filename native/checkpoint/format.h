#pragma once
// The checkpoint file format (dbType "safetensors"), a strict subset of
// safetensors so `safetensors.torch.load_file`, numpy and a 20-line reader
// open it:
//
//   [u64 LE: N] [N bytes: JSON header, padded with spaces so 8 + N is a multiple of 8] [data]
//
//   header = {"__metadata__": {"format": "hogwild", "format_version": "1",
//                              "epoch": "<decimal>", "node": "<node name>",
//                              "header_crc32c": "<8 hex>",
//                              "crc32c:<name>": "<8 hex>",   one per tensor, of its data bytes
//                              "kind:<name>": "<kind>",      only for non-tensor blobs
//                              "meta:<key>": "<value>"},     caller's extra strings
//             "<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
//
// Data offsets are relative to the first data byte; tensors are packed with no
// gap, widest dtype first, so every tensor is aligned to its element size.
// header_crc32c is the CRC32C of the first 8 + N bytes with its own 8 digits
// read as "00000000", so no header byte (dtype, shape, kind, epoch) can change
// unnoticed. Non-tensor blobs are stored as the tensor their
// BlobObject::serialize makes; empty blobs as kind "empty", U8 shape [0].
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/tensor.h"

namespace hogwild::ckpt {

inline constexpr const char* kFormatName = "hogwild";
inline constexpr const char* kFormatVersion = "1";
// Bounds that keep the loader's memory a small multiple of the header: a
// header of at most 16 MiB describing at most 131072 tensors of rank <= 32
// (a model with 10 000 blobs has a header of about 1.5 MB).
inline constexpr uint64_t kMaxHeaderBytes = uint64_t{16} << 20;
inline constexpr size_t kMaxTensors = size_t{1} << 17;
inline constexpr size_t kMaxRank = 32;
inline constexpr const char* kTensorKind = "tensor";
inline constexpr const char* kEmptyKind = "empty";

// safetensors dtype tags: F32 F64 I32 I64 U8 BOOL.
const char* dtypeTag(DType t);
bool parseDtypeTag(std::string_view tag, DType* out);

struct Entry {
  std::string name;
  std::string kind = kTensorKind;
  DType dtype = DType::Uint8;
  Shape shape;
  uint64_t begin = 0;  // data offsets, relative to the data start
  uint64_t end = 0;
  uint32_t crc = 0;
  uint64_t bytes() const { return end - begin; }
};

struct Header {
  int64_t epoch = 0;
  std::string node;
  std::vector<std::pair<std::string, std::string>> meta;  // "meta:" keys, without the prefix
  std::vector<Entry> entries;                             // in data order
  uint64_t headerBytes = 0;                               // N
  uint64_t dataStart = 0;                                 // 8 + N
  uint64_t dataBytes = 0;
  const Entry* find(const std::string& name) const;
};

// ---- Writing ----

// The first 8 + N bytes of a file, with the CRC fields at known offsets so the
// writer can stream the data first and patch the CRCs in afterwards.
struct EncodedHeader {
  std::string bytes;
  std::vector<size_t> crcAt;  // per entry (data order): offset of its 8 hex digits
  size_t headerCrcAt = 0;
};

// Validates names (throws HOGWILD_INVALID_ARGUMENT), orders `entries` for
// packing (widest dtype first, then by name), assigns their offsets and encodes
// the header. Entry CRCs are left as zeros.
EncodedHeader encodeHeader(std::vector<Entry>& entries, int64_t epoch, const std::string& node,
                           const std::vector<std::pair<std::string, std::string>>& meta);
void patchCrc(EncodedHeader& h, size_t at, uint32_t crc);
// Computes and writes header_crc32c (call after every entry CRC is patched).
void sealHeader(EncodedHeader& h);

// ---- Reading ----

// Parses and checks the 8-byte prefix: returns N. Throws CorruptError.
uint64_t parseHeaderLength(const uint8_t prefix[8], uint64_t fileSize);
// Parses and validates everything in the header against the file size
// (docs/reliability.md §2): JSON limits, schema, dtypes, shapes, offsets, packing,
// metadata, header CRC. `prefixAndHeader` is the first 8 + N bytes.
Header parseHeader(std::string_view prefixAndHeader, uint64_t fileSize);

// Checks a blob name for storage: non-empty, valid UTF-8, no control
// characters, not "__metadata__". Returns an error message or "" when valid.
std::string checkBlobName(const std::string& name);

}  // namespace hogwild::ckpt
