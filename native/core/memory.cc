#include "memory.h"

#include <cstdlib>

#include "error.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace hogwild {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

#if defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

std::shared_ptr<uint8_t> heapBytes(size_t bytes) {
  size_t rounded = ((bytes + 63) / 64) * 64;
  void* p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p) HW_THROW(codes::kOutOfMemory, "Failed to allocate " << bytes << " bytes");
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

}  // namespace

std::shared_ptr<uint8_t> allocateBytes(size_t bytes, bool populate) {
#if defined(__linux__)
  if (bytes >= kHugePage) {
    const size_t length = ((bytes + kHugePage - 1) / kHugePage) * kHugePage;
    // Map one huge page more, then unmap the ends so the block starts on a 2 MiB boundary.
    const size_t padded = length + kHugePage;
    void* raw = ::mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) HW_THROW(codes::kOutOfMemory, "Failed to map " << bytes << " bytes");
    const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned = (start + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
    if (aligned > start) ::munmap(raw, aligned - start);
    const uintptr_t end = start + padded;
    if (end > aligned + length) ::munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
    void* p = reinterpret_cast<void*>(aligned);
    // Hints only: without THP the pages stay 4 KiB; before 5.14 they fault as written.
    ::madvise(p, length, MADV_HUGEPAGE);
    if (populate) ::madvise(p, length, MADV_POPULATE_WRITE);
    return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [length](uint8_t* q) { ::munmap(q, length); });
  }
#endif
  (void)populate;
  return heapBytes(bytes);
}

}  // namespace hogwild
