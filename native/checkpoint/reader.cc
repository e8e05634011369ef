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

uint32_t readAndCrc(int fd, const std::string& path, const Entry& e, uint64_t dataStart, void* dst) {
  char* p = static_cast<char*>(dst);
  uint64_t offset = dataStart + e.begin;
  uint64_t n = e.bytes();
  uint32_t crc = 0;
  while (n > 0) {
    size_t chunk = n < kReadChunk ? static_cast<size_t>(n) : kReadChunk;
    readAllAt(fd, p, chunk, offset, path);
    crc = crc32cExtend(crc, p, chunk);
    p += chunk;
    offset += chunk;
    n -= chunk;
  }
  return crc;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

// Maps every page of fresh staging memory in one call: page-fault traps are
// what loading into new memory costs most on virtual machines (measured here:
// ~1.3 s per GiB touched page by page). Best effort: old kernels say EINVAL.
void populate(void* p, size_t n) {
#if defined(__linux__)
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) & ~(page - 1);
  if (n >= (size_t{1} << 20) && end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)n;
#endif
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
  std::vector<StagedBlob> out;
  out.reserve(wanted.size());
  for (const Entry* e : wanted) {
    StagedBlob s;
    s.name = e->name;
    s.kind = e->kind;
    s.tensor.resize(e->dtype, e->shape);  // size already checked against the file
    populate(s.tensor.raw(), static_cast<size_t>(e->bytes()));
    file.read(*e, s.tensor.raw());
    if (e->dtype == DType::Bool) {
      // Reading a byte other than 0/1 as bool is undefined behaviour.
      const uint8_t* b = static_cast<const uint8_t*>(s.tensor.raw());
      for (uint64_t i = 0; i < e->bytes(); ++i) {
        if (b[i] > 1) HW_CORRUPT(reasons::kDtype, "BOOL tensor '" << e->name << "' holds the byte " << int(b[i]) << " (only 0 and 1 are valid)");
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hogwild::ckpt
