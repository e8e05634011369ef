#pragma once
// A checkpoint file mapped into memory, and the parallel CRC check over it.
//
// The mapping is MAP_PRIVATE with PROT_READ|PROT_WRITE: tensors served from
// it read the page cache directly (no copy, no fresh pages), and a write into
// one (an op updating a tensor that was loaded read-only) copies that page
// privately instead of faulting or reaching the file. It lives as long as the
// MappedFile, which every tensor served from it shares (Tensor::fromExternal).
//
// Lifetime rules (docs/checkpoints.md §4): renaming or deleting the file
// while it is mapped is safe (the inode lives until the last mapping goes;
// the writer replaces files by rename, never in place). Writing into the
// file in place changes what mapped tensors read (pages not yet copied);
// truncating it makes reads past the new end raise SIGBUS. Neither is
// something this library does.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format.h"

namespace hogwild::ckpt {

class MappedFile {
 public:
  // Maps [0, size) of `fd` (the size fstat saw). Throws IoError(mmap).
  static std::shared_ptr<MappedFile> map(int fd, uint64_t size, const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  uint8_t* data() const { return _data; }
  uint64_t size() const { return _size; }

 private:
  MappedFile(uint8_t* data, uint64_t size) : _data(data), _size(size) {}
  uint8_t* _data;
  uint64_t _size;
};

// Checks every entry's CRC32C (and that BOOL bytes are 0 or 1) over the
// mapping, pieces of large tensors on several threads when the total is
// large. Throws CorruptError(tensor_checksum | dtype) naming the first bad
// entry in `entries` order.
void verifyMapped(const MappedFile& file, const Header& header, const std::vector<const Entry*>& entries,
                  const std::string& path);

}  // namespace hogwild::ckpt
