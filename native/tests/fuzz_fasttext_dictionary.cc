// libFuzzer target for the fastText dictionary record, the part of a model
// file (<prefix>.bin) and of a fastText checkpoint that is not plain tensors
// (built by scripts/fuzz-fasttext-dictionary.sh, not by ctest).
//
// Input: the record's raw bytes ("HWFD", version, label prefix, options,
// ntokens, entries). The target runs what loading a model runs on it:
// FastTextDictionary::deserialize (every bound, option and entry check, the
// hash table, the subword tables), then, when it is accepted, what a loaded
// model does with it: serialize (a fixed point: reloading and saving again
// gives the same bytes) and encode a few lines through it (every id inside
// the input matrix, every label known or -1). Any outcome but a clean accept or
// a HOGWILD_CHECKPOINT_CORRUPT error is a bug: ASan/UBSan report memory
// errors, and an unexpected exception aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

#include "../core/error.h"
#include "../core/tensor.h"
#include "../data/fasttext.h"

using namespace hogwild;
using namespace hogwild::data;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Tensor in(DType::Uint8, {static_cast<int64_t>(size)});
  if (size) std::memcpy(in.raw(), data, size);
  try {
    FastTextDictionary d;
    d.deserialize(in);
    // Options are normalized on load (fastText drops the buckets when nothing hashes into
    // them), so the input need not come back byte for byte, but its serialization must be a
    // fixed point that loads again.
    Tensor once, twice;
    if (!d.serialize(&once)) std::abort();
    FastTextDictionary again;
    again.deserialize(once);
    if (!again.serialize(&twice)) std::abort();
    if (once.numel() != twice.numel() || std::memcmp(once.raw(), twice.raw(), static_cast<size_t>(once.numel())) != 0) {
      std::fprintf(stderr, "a dictionary does not serialize to the same record after a reload\n");
      std::abort();
    }
    std::vector<int32_t> ids, labels, hashes;
    const char* lines[] = {"__label__a hello world", "", "a b c d e f g h", "\xff\xfe broken utf8", "__label__"};
    for (const char* line : lines) {
      ids.clear();
      labels.clear();
      try {
        d.encodeLine(line, true, &ids, &labels, &hashes);
      } catch (const Error& e) {
        if (std::strcmp(e.code(), codes::kData) == 0) continue;  // a line the dictionary's options reject
        throw;
      }
      for (int32_t id : ids)
        if (id < 0 || id >= d.inputRows()) std::abort();
      for (int32_t l : labels)
        if (l < -1 || l >= d.nlabels()) std::abort();  // -1: a label the dictionary does not know
    }
  } catch (const Error& e) {
    if (std::strcmp(e.code(), codes::kCheckpointCorrupt) != 0 && std::strcmp(e.code(), codes::kOutOfMemory) != 0) {
      std::fprintf(stderr, "unexpected hogwild::Error %s: %s\n", e.code(), e.what());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception: %s\n", e.what());
    std::abort();
  }
  return 0;
}
