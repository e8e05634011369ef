#include "reader.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>

#include "crc32c.h"
#include "errors.h"

namespace hogwild::ckpt {
namespace {

constexpr size_t kReadChunk = size_t{1} << 20;  // CRC each chunk while it is still in cache

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

// Maps the pages of fresh staging memory just before each read writes them,
// one MADV_POPULATE_WRITE call per chunk instead of one page fault per 4 KiB.
// Mapping new pages is what loading into new memory costs most on a VM. On
// the dev VM, 1 GiB: page cache 0.52-0.68 s with it, 0.70-0.77 s without;
// cold 0.74-0.93 s vs 0.85-0.96 s. (Mapping a whole tensor first was slower
// cold, as the disk then sat idle; a helper thread mapping ahead was no faster
// on 2 cores; POSIX_FADV_WILLNEED made cold loads slower.) A no-op before
// Linux 5.14: pages then fault as they are written.
void populate(void* p, size_t n) {
#if defined(__linux__)
  static const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) & ~(page - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)n;
#endif
}

// Large tensors live in fresh mmap'd memory; small ones come from the heap, mostly mapped already.
constexpr size_t kPopulateMin = size_t{1} << 20;

uint32_t readAndCrc(int fd, const std::string& path, const Entry& e, uint64_t dataStart, void* dst) {
  const bool fresh = e.bytes() >= kPopulateMin;
  char* p = static_cast<char*>(dst);
  uint64_t offset = dataStart + e.begin;
  uint64_t n = e.bytes();
  uint32_t crc = 0;
  while (n > 0) {
    size_t chunk = n < kReadChunk ? static_cast<size_t>(n) : kReadChunk;
    if (fresh) populate(p, chunk);
    readAllAt(fd, p, chunk, offset, path);
    crc = crc32cExtend(crc, p, chunk);
    p += chunk;
    offset += chunk;
    n -= chunk;
  }
  return crc;
}

[[noreturn]] void crcMismatch(const std::string& path, const Entry& e, uint32_t actual) {
  char want[9], got[9];
  std::snprintf(want, sizeof want, "%08x", e.crc);
  std::snprintf(got, sizeof got, "%08x", actual);
  HW_CORRUPT(reasons::kTensorChecksum,
             "CRC32C mismatch in tensor '" << e.name << "' of checkpoint '" << path << "' (stored " << want << ", computed " << got << ")");
}

}  // namespace

CheckpointFile CheckpointFile::open(const std::string& path) {
  uint64_t size = 0;
  Fd fd = openRegularForRead(path, &size);
  try {
    uint8_t prefix[8];
    if (size < 8) HW_CORRUPT(reasons::kTruncated, "Checkpoint is " << size << " bytes, shorter than its 8-byte prefix");
    readAllAt(fd.get(), prefix, 8, 0, path);
    uint64_t n = parseHeaderLength(prefix, size);
    std::string bytes(8 + static_cast<size_t>(n), '\0');
    std::memcpy(bytes.data(), prefix, 8);
    readAllAt(fd.get(), bytes.data() + 8, static_cast<size_t>(n), 8, path);
    Header header = parseHeader(bytes, size);
    return CheckpointFile(path, std::move(fd), size, std::move(header));
  } catch (const CorruptError& e) {
    // Name the file in every corruption message.
    if (std::strstr(e.what(), path.c_str())) throw;
    throw CorruptError(e.reason(), std::string(e.what()) + " (file '" + path + "')");
  }
}

Header CheckpointFile::parseBytes(const uint8_t* data, size_t n) {
  if (n < 8) HW_CORRUPT(reasons::kTruncated, "Checkpoint is " << n << " bytes, shorter than its 8-byte prefix");
  uint64_t headerBytes = parseHeaderLength(data, n);
  return parseHeader(std::string_view(reinterpret_cast<const char*>(data), 8 + static_cast<size_t>(headerBytes)), n);
}

void CheckpointFile::read(const Entry& e, void* dst) const {
  uint32_t crc = readAndCrc(_fd.get(), _path, e, _header.dataStart, dst);
  if (crc != e.crc) crcMismatch(_path, e, crc);
}

void CheckpointFile::verifyData() const {
  uint64_t largest = 0;
  for (const auto& e : _header.entries) largest = e.bytes() > largest ? e.bytes() : largest;
  size_t bufBytes = largest < kReadChunk ? static_cast<size_t>(largest) : kReadChunk;
  std::unique_ptr<char, decltype(&std::free)> buf(static_cast<char*>(std::malloc(bufBytes ? bufBytes : 1)), &std::free);
  if (!buf) HW_THROW(codes::kOutOfMemory, "Failed to allocate a checkpoint read buffer");
  for (const auto& e : _header.entries) {
    uint64_t offset = _header.dataStart + e.begin;
    uint64_t n = e.bytes();
    uint32_t crc = 0;
    while (n > 0) {
      size_t chunk = n < bufBytes ? static_cast<size_t>(n) : bufBytes;
      readAllAt(_fd.get(), buf.get(), chunk, offset, _path);
      crc = crc32cExtend(crc, buf.get(), chunk);
      offset += chunk;
      n -= chunk;
    }
    if (crc != e.crc) crcMismatch(_path, e, crc);
  }
}

std::vector<StagedBlob> readBlobs(const CheckpointFile& file, const std::vector<std::string>& names, bool all,
                                  bool allowMissing) {
  std::vector<const Entry*> wanted;
  if (all) {
    for (const auto& e : file.header().entries) wanted.push_back(&e);
  } else {
    std::set<std::string> seen;
    for (const auto& n : names) {
      if (!seen.insert(n).second) continue;
      const Entry* e = file.header().find(n);
      if (!e) {
        if (allowMissing) continue;
        HW_CORRUPT(reasons::kMissingBlob, "Blob '" << n << "' is not in checkpoint '" << file.path() << "'");
      }
      wanted.push_back(e);
    }
  }
  std::vector<StagedBlob> out(wanted.size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    const Entry* e = wanted[i];
    StagedBlob& s = out[i];
    s.name = e->name;
    s.kind = e->kind;
    s.tensor.resize(e->dtype, e->shape);  // size already checked against the file
    file.read(*e, s.tensor.raw());
    if (e->dtype == DType::Bool) {
      // Reading a byte other than 0/1 as bool is undefined behaviour.
      const uint8_t* b = static_cast<const uint8_t*>(s.tensor.raw());
      for (uint64_t k = 0; k < e->bytes(); ++k) {
        if (b[k] > 1) HW_CORRUPT(reasons::kDtype, "BOOL tensor '" << e->name << "' holds the byte " << int(b[k]) << " (only 0 and 1 are valid)");
      }
    }
  }
  return out;
}

}  // namespace hogwild::ckpt
