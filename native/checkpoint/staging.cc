#include "staging.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "errors.h"

namespace hogwild::ckpt {
namespace {

constexpr size_t kMapMin = size_t{2} << 20;        // one huge page
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kCopyPiece = size_t{8} << 20;      // per-thread unit of a parallel copy
constexpr uint64_t kParallelMin = uint64_t{64} << 20;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

}  // namespace

std::shared_ptr<uint8_t> allocateStaging(size_t bytes) {
  if (bytes < kMapMin) {
    size_t rounded = ((bytes + 63) / 64) * 64;
    void* p = std::aligned_alloc(64, rounded ? rounded : 64);
    if (!p) HW_THROW(codes::kOutOfMemory, "Failed to allocate " << bytes << " bytes of checkpoint staging memory");
    return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
  }
#if defined(__linux__)
  size_t length = ((bytes + kHugePage - 1) / kHugePage) * kHugePage;
  void* p = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) HW_THROW(codes::kOutOfMemory, "Failed to map " << bytes << " bytes of checkpoint staging memory");
  // Hints only: without THP the pages are 4 KiB; before 5.14 they fault as written.
  ::madvise(p, length, MADV_HUGEPAGE);
  ::madvise(p, length, MADV_POPULATE_WRITE);
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [length](uint8_t* q) { ::munmap(q, length); });
#else
  void* p = std::aligned_alloc(64, ((bytes + 63) / 64) * 64);
  if (!p) HW_THROW(codes::kOutOfMemory, "Failed to allocate " << bytes << " bytes of checkpoint staging memory");
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
#endif
}

unsigned bulkThreads(uint64_t bytes) {
  if (bytes < kParallelMin) return 1;
  unsigned cpus = std::thread::hardware_concurrency();
  if (cpus == 0) cpus = 1;
  return cpus < 8 ? cpus : 8;
}

void detail::runParallel(size_t count, unsigned threads, void (*call)(void*, size_t), void* ctx) {
  if (count == 0) return;
  if (threads > count) threads = static_cast<unsigned>(count);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) call(ctx, i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (...) {
      break;  // fewer threads; the caller's thread still does every piece left
    }
  }
  worker();
  for (auto& t : pool) t.join();
}

void parallelCopy(void* dst, const void* src, size_t n) {
  unsigned threads = bulkThreads(n);
  if (threads <= 1) {
    if (n) std::memcpy(dst, src, n);
    return;
  }
  size_t pieces = (n + kCopyPiece - 1) / kCopyPiece;
  parallelFor(pieces, threads, [&](size_t i) {
    size_t at = i * kCopyPiece;
    size_t len = n - at < kCopyPiece ? n - at : kCopyPiece;
    std::memcpy(static_cast<char*>(dst) + at, static_cast<const char*>(src) + at, len);
  });
}

}  // namespace hogwild::ckpt
