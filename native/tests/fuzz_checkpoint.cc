// libFuzzer target for the checkpoint loader (built by scripts/fuzz-checkpoint.sh,
// not by ctest: its name does not match test_*.cc).
//
// Input: raw file bytes. Random mutations almost never keep header_crc32c
// right, which would stop every input at that check; so, like fuzzers of other
// checksummed formats, the target first re-seals the header CRC of a copy
// (when the field is there), and it stages tensors whatever their data CRC
// says (the mismatch paths are covered by the unit tests). It then runs what
// the loader runs on a file:
// header length, strict JSON, schema, layout, metadata and header CRC
// (CheckpointFile::parseBytes), then, when the header is valid, every
// tensor's CRC over the bytes that follow it, staging into tensors and the
// all-or-nothing swap into a workspace (object kinds decoded). Any outcome but
// a clean accept or a CorruptError is a bug: ASan/UBSan report memory errors,
// and an unexpected exception aborts.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

#include "../checkpoint/crc32c.h"
#include "../checkpoint/errors.h"
#include "../checkpoint/reader.h"
#include "../checkpoint/workspace_io.h"
#include "../core/workspace.h"

using namespace hogwild;
using namespace hogwild::ckpt;

namespace {

// Rewrites the 8 hex digits of "header_crc32c" so the header CRC holds.
void resealHeaderCrc(std::vector<uint8_t>& b) {
  if (b.size() < 8) return;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(b[i]) << (8 * i);
  if (n > b.size() - 8) return;
  static const char kKey[] = "\"header_crc32c\":\"";
  const size_t keyLen = sizeof(kKey) - 1;
  const uint8_t* begin = b.data() + 8;
  const uint8_t* end = begin + n;
  const uint8_t* at = std::search(begin, end, kKey, kKey + keyLen);
  if (at == end || static_cast<size_t>(end - at) < keyLen + 8) return;
  uint8_t* digits = b.data() + (at - b.data()) + keyLen;
  std::memset(digits, '0', 8);
  uint32_t crc = crc32c(b.data(), static_cast<size_t>(8 + n));
  static const char kHex[] = "0123456789abcdef";
  for (int i = 7; i >= 0; --i, crc >>= 4) digits[i] = static_cast<uint8_t>(kHex[crc & 15]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* raw, size_t size) {
  std::vector<uint8_t> copy(raw, raw + size);
  resealHeaderCrc(copy);
  const uint8_t* data = copy.data();
  try {
    Header h = CheckpointFile::parseBytes(data, size);
    // parseBytes checked that the entries tile [dataStart, size) exactly.
    std::vector<StagedBlob> staged;
    for (const Entry& e : h.entries) {
      const uint8_t* p = data + h.dataStart + e.begin;
      volatile uint32_t crc = crc32c(p, static_cast<size_t>(e.bytes()));  // exercised, not enforced
      (void)crc;
      StagedBlob s;
      s.name = e.name;
      s.kind = e.kind;
      s.tensor.resize(e.dtype, e.shape);
      if (e.bytes()) std::memcpy(s.tensor.raw(), p, static_cast<size_t>(e.bytes()));
      if (e.dtype == DType::Bool) {
        for (uint64_t i = 0; i < e.bytes(); ++i)
          if (p[i] > 1) return 0;
      }
      staged.push_back(std::move(s));
    }
    Workspace ws;
    applyBlobs(ws, std::move(staged));
  } catch (const CorruptError&) {
    // the expected way to reject
  } catch (const Error& e) {
    // Allocation limits (HOGWILD_OUT_OF_MEMORY) are acceptable; anything else is a loader bug.
    if (std::strcmp(e.code(), codes::kOutOfMemory) != 0) {
      std::fprintf(stderr, "unexpected hogwild::Error %s: %s\n", e.code(), e.what());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception: %s\n", e.what());
    std::abort();
  }
  return 0;
}
