#pragma once
// Writes one checkpoint file with the commit protocol of docs/reliability.md §1:
//   1. create `<final>.tmp-<pid>-<random>` in the same directory (O_EXCL);
//   2. reserve the space, stream every tensor straight from blob memory in
//      bounded chunks (CRC32C computed on the way), then write the header with
//      the CRCs patched in, at offset 0;
//   3. fsync, close (checked), rename onto the final name, fsync the directory.
// Any failure before the rename closes and unlinks the temp file and rethrows,
// so the file under the final name (an older save of the same epoch, if any)
// is untouched. A failure of the directory fsync is reported after the rename:
// the new file is complete and valid, but its name may not be durable yet.
// Peak extra memory: one 4 MiB staging buffer plus the header text. Every
// 32 MiB the kernel is asked to start writeback (sync_file_range), so the disk
// works while the next chunks are CRCed and copied and the fsync is short.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../core/tensor.h"

namespace hogwild::ckpt {

struct SaveItem {
  std::string name;
  std::string kind;  // "tensor", "empty", or a BlobObject kind
  Tensor tensor;     // shares the blob's buffer (no copy)
};

struct SaveRequest {
  std::string path;
  int64_t epoch = 0;
  std::string node;
  std::vector<std::pair<std::string, std::string>> meta;
  std::vector<SaveItem> items;
};

struct SaveResult {
  uint64_t bytes = 0;  // file size
};

SaveResult writeCheckpoint(const SaveRequest& request);

// `<final>.tmp-<pid>-<16 hex>`; with HOGWILD_CKPT_FIXED_TMP=1 (tests that need a
// known path, e.g. strace -P) `<final>.tmp-0-0000000000000000`.
std::string tempPathFor(const std::string& finalPath);
// True when `name` (a file name, no directory) is a temp file of ours; sets the
// final name it was meant for and the writer's pid.
bool parseTempName(const std::string& name, std::string* finalName, long* pid);

}  // namespace hogwild::ckpt
