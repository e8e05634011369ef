#pragma once
// Opens and validates checkpoint files (docs/reliability.md §2), and reads
// tensors into fresh staging memory with their CRC32C checked. Nothing here
// touches a workspace; workspace_io.h swaps staged blobs in.
//
// Allocation bound: the header buffer is at most min(N, file size) and every
// staged tensor's size was checked against the file's size, so a hostile file
// never makes the loader allocate more than the file holds.
#include <cstdint>
#include <string>
#include <vector>

#include "../core/tensor.h"
#include "file_io.h"
#include "format.h"

namespace hogwild::ckpt {

class CheckpointFile {
 public:
  // Opens `path` and validates the whole header. Throws IoError (ENOENT, ...)
  // or CorruptError.
  static CheckpointFile open(const std::string& path);
  // Validates a header held in memory (fuzzing and tests). The data is not read.
  static Header parseBytes(const uint8_t* data, size_t n);

  const Header& header() const { return _header; }
  const std::string& path() const { return _path; }
  uint64_t fileSize() const { return _size; }

  // Reads entry `e` into `dst` (e.bytes() bytes) and checks its CRC.
  void read(const Entry& e, void* dst) const;
  // Reads every tensor through a bounded buffer and checks every CRC.
  void verifyData() const;

 private:
  CheckpointFile(std::string path, Fd fd, uint64_t size, Header header)
      : _path(std::move(path)), _fd(std::move(fd)), _size(size), _header(std::move(header)) {}

  std::string _path;
  Fd _fd;
  uint64_t _size;
  Header _header;
};

struct StagedBlob {
  std::string name;
  std::string kind;
  Tensor tensor;
};

// Reads `names` (all entries when `names` is empty and `all` is set) into
// fresh tensors, checking CRCs. A name missing from the file throws
// CorruptError(missing_blob) unless `allowMissing`, in which case it is skipped.
std::vector<StagedBlob> readBlobs(const CheckpointFile& file, const std::vector<std::string>& names, bool all,
                                  bool allowMissing);

}  // namespace hogwild::ckpt
