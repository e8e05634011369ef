#include "mapped.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "crc32c.h"
#include "errors.h"
#include "file_io.h"
#include "staging.h"

namespace hogwild::ckpt {
namespace {

// A piece is checksummed while its pages are fresh in cache; pieces of one
// tensor are merged with crc32cCombine.
constexpr uint64_t kPiece = uint64_t{8} << 20;

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif

// Maps a piece's pages with one call instead of one fault per 4 KiB page;
// cold, the kernel reads the piece with large requests. A hint: before 5.14
// the pages fault as the CRC reads them.
void populateRead(const uint8_t* p, uint64_t n) {
#if defined(__linux__)
  static const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t begin = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
  uintptr_t end = reinterpret_cast<uintptr_t>(p) + n;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ);
#else
  (void)p;
  (void)n;
#endif
}

struct Piece {
  size_t entry;  // index into `entries`
  uint64_t offset;
  uint64_t length;
  uint32_t crc = 0;
  bool badBool = false;
};

}  // namespace

std::shared_ptr<MappedFile> MappedFile::map(int fd, uint64_t size, const std::string& path) {
  void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) throw IoError(errno, "mmap", path);
  return std::shared_ptr<MappedFile>(new MappedFile(static_cast<uint8_t*>(p), size));
}

MappedFile::~MappedFile() { ::munmap(_data, static_cast<size_t>(_size)); }

void verifyMapped(const MappedFile& file, const Header& header, const std::vector<const Entry*>& entries,
                  const std::string& path) {
  std::vector<Piece> pieces;
  uint64_t total = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = *entries[i];
    total += e.bytes();
    uint64_t at = 0;
    do {
      uint64_t len = e.bytes() - at < kPiece ? e.bytes() - at : kPiece;
      pieces.push_back({i, header.dataStart + e.begin + at, len});
      at += len;
    } while (at < e.bytes());
  }
  HW_CHECK(header.dataStart + header.dataBytes <= file.size(), codes::kInternal, "Checkpoint mapping is shorter than its header says");
  const uint8_t* base = file.data();
  parallelFor(pieces.size(), bulkThreads(total), [&](size_t k) {
    Piece& p = pieces[k];
    const uint8_t* at = base + p.offset;
    populateRead(at, p.length);
    p.crc = crc32c(at, static_cast<size_t>(p.length));
    if (entries[p.entry]->dtype == DType::Bool) {
      // Reading a byte other than 0/1 as bool is undefined behaviour.
      for (uint64_t b = 0; b < p.length; ++b) p.badBool |= at[b] > 1;
    }
  });
  size_t k = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = *entries[i];
    uint32_t crc = 0;
    bool badBool = false;
    for (; k < pieces.size() && pieces[k].entry == i; ++k) {
      crc = crc32cCombine(crc, pieces[k].crc, pieces[k].length);
      badBool |= pieces[k].badBool;
    }
    if (crc != e.crc) {
      char want[9], got[9];
      std::snprintf(want, sizeof want, "%08x", e.crc);
      std::snprintf(got, sizeof got, "%08x", crc);
      HW_CORRUPT(reasons::kTensorChecksum, "CRC32C mismatch in tensor '" << e.name << "' of checkpoint '" << path << "' (stored "
                                                                          << want << ", computed " << got << ")");
    }
    if (badBool) HW_CORRUPT(reasons::kDtype, "BOOL tensor '" << e.name << "' holds a byte other than 0 and 1");
  }
}

}  // namespace hogwild::ckpt
