#pragma once
// Opens and validates checkpoint files (docs/reliability.md §2), maps them, and stages tensors with
// their CRC32C checked over the mapping (no copy). Each staged tensor is
// either served from the mapping (read-only use), copied into fresh staging
// memory, or left in the mapping for applyBlobs to copy into memory the
// workspace already owns. Nothing here touches a workspace; workspace_io.h
// swaps staged blobs in.
//
// Allocation bound: the header buffer is at most min(N, file size) and every
// staged tensor's size was checked against the file's size, so a hostile file
// never makes the loader allocate more than the file holds.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../core/tensor.h"
#include "file_io.h"
#include "format.h"
#include "mapped.h"

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

  // Checks every tensor's CRC over the mapping (in parallel when large).
  void verifyData() const;
  // The whole file mapped (once; later calls share it).
  const std::shared_ptr<MappedFile>& mapping() const;

 private:
  CheckpointFile(std::string path, Fd fd, uint64_t size, Header header)
      : _path(std::move(path)), _fd(std::move(fd)), _size(size), _header(std::move(header)) {}

  std::string _path;
  Fd _fd;
  uint64_t _size;
  Header _header;
  mutable std::shared_ptr<MappedFile> _mapping;
};

struct StagedBlob {
  std::string name;
  std::string kind;
  Tensor tensor;
  // Set when the validated bytes are still only in the mapping: applyBlobs
  // copies them into the workspace's tensor of the same dtype and shape (or
  // fresh memory when it has none) and `tensor` holds only dtype and shape.
  const uint8_t* copyFrom = nullptr;
  std::shared_ptr<MappedFile> mapping;  // keeps copyFrom valid
};

struct StageOptions {
  bool all = false;           // every entry (`names` ignored)
  bool allowMissing = false;  // skip requested names the file lacks
  // Tensors served from the mapping (read-only use): every one, or these names.
  bool mapAll = false;
  std::set<std::string> mapNames;
  // Tensors the workspace already holds with this dtype and shape (and
  // memory of its own): left in the mapping for applyBlobs to copy in.
  std::map<std::string, std::pair<DType, Shape>> inPlace;
};

// Validates every wanted entry (CRC over the mapping) and stages it. A name
// missing from the file throws CorruptError(missing_blob) unless allowMissing.
std::vector<StagedBlob> stageBlobs(const CheckpointFile& file, const std::vector<std::string>& names,
                                   const StageOptions& options);

// stageBlobs with every tensor in fresh memory.
std::vector<StagedBlob> readBlobs(const CheckpointFile& file, const std::vector<std::string>& names, bool all,
                                  bool allowMissing);

}  // namespace hogwild::ckpt
