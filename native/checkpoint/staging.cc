#include "staging.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "../core/memory.h"
#include "errors.h"

namespace hogwild::ckpt {
namespace {

constexpr size_t kCopyPiece = size_t{8} << 20;      // per-thread unit of a parallel copy
constexpr uint64_t kParallelMin = uint64_t{64} << 20;

}  // namespace

std::shared_ptr<uint8_t> allocateStaging(size_t bytes) {
  // Filled in bulk right away: map every page up front.
  return allocateBytes(bytes, /*populate=*/true);
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
