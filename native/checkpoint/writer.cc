#include "writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>

#include "crc32c.h"
#include "errors.h"
#include "file_io.h"
#include "format.h"

namespace hogwild::ckpt {
namespace {

constexpr size_t kBufferBytes = size_t{4} << 20;  // staging for small tensors
constexpr size_t kChunkBytes = size_t{4} << 20;   // CRC-then-write unit for large ones

// Coalesces small tensors into one staging buffer so a model of many small
// blobs is written with few system calls; large tensors bypass it.
class DataWriter {
 public:
  DataWriter(int fd, uint64_t offset, const std::string& path)
      : _fd(fd), _offset(offset), _kicked(offset), _path(path), _buffer(static_cast<char*>(std::malloc(kBufferBytes)), &std::free) {
    if (!_buffer) HW_THROW(codes::kOutOfMemory, "Failed to allocate the checkpoint write buffer");
  }

  // Appends `n` bytes; returns their CRC32C.
  uint32_t append(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    uint32_t crc = 0;
    if (n >= kChunkBytes) {
      flush();
      while (n > 0) {
        size_t chunk = n < kChunkBytes ? n : kChunkBytes;
        crc = crc32cExtend(crc, p, chunk);
        writeAllAt(_fd, p, chunk, _offset, _path);
        _offset += chunk;
        p += chunk;
        n -= chunk;
        startWriteback();
      }
      return crc;
    }
    crc = crc32c(p, n);
    while (n > 0) {
      size_t room = kBufferBytes - _used;
      size_t take = n < room ? n : room;
      std::memcpy(_buffer.get() + _used, p, take);
      _used += take;
      p += take;
      n -= take;
      if (_used == kBufferBytes) flush();
    }
    return crc;
  }

  void flush() {
    if (_used == 0) return;
    writeAllAt(_fd, _buffer.get(), _used, _offset, _path);
    _offset += _used;
    _used = 0;
    startWriteback();
  }

 private:
  // Asks the kernel to start writing what we wrote so far (without waiting),
  // every kWritebackBytes: the disk works while we compute CRCs and copy the
  // next chunks, and the final fsync has little left to do. Only a hint:
  // errors surface at fsync, which is what decides durability.
  void startWriteback() {
#if defined(__linux__)
    if (_offset - _kicked < kWritebackBytes) return;
    ::sync_file_range(_fd, static_cast<off_t>(_kicked), static_cast<off_t>(_offset - _kicked), SYNC_FILE_RANGE_WRITE);
    _kicked = _offset;
#endif
  }

  static constexpr uint64_t kWritebackBytes = uint64_t{32} << 20;
  int _fd;
  uint64_t _offset;
  uint64_t _kicked;  // data before this offset was handed to writeback
  const std::string& _path;
  std::unique_ptr<char, decltype(&std::free)> _buffer;
  size_t _used = 0;
};

bool isHex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !s.empty();
}

}  // namespace

std::string tempPathFor(const std::string& finalPath) {
  const char* fixed = std::getenv("HOGWILD_CKPT_FIXED_TMP");
  if (fixed && std::strcmp(fixed, "1") == 0) return finalPath + ".tmp-0-0000000000000000";
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ (static_cast<uint64_t>(::getpid()) << 32)};
  uint64_t r = rng();
  char hex[17];
  for (int i = 15; i >= 0; --i, r >>= 4) hex[i] = "0123456789abcdef"[r & 15];
  hex[16] = '\0';
  return finalPath + ".tmp-" + std::to_string(::getpid()) + "-" + hex;
}

bool parseTempName(const std::string& name, std::string* finalName, long* pid) {
  size_t at = name.rfind(".tmp-");
  if (at == std::string::npos || at == 0) return false;
  std::string rest = name.substr(at + 5);
  size_t dash = rest.find('-');
  if (dash == std::string::npos || dash == 0 || dash > 10) return false;
  std::string pidText = rest.substr(0, dash), hex = rest.substr(dash + 1);
  for (char c : pidText) {
    if (c < '0' || c > '9') return false;
  }
  if (hex.size() != 16 || !isHex(hex)) return false;
  *finalName = name.substr(0, at);
  *pid = std::strtol(pidText.c_str(), nullptr, 10);
  return true;
}

SaveResult writeCheckpoint(const SaveRequest& request) {
  const std::string& path = request.path;
  HW_CHECK(!path.empty(), codes::kInvalidArgument, "Expected a checkpoint path");

  std::vector<Entry> entries;
  entries.reserve(request.items.size());
  std::map<std::string, const SaveItem*> byName;
  for (const auto& item : request.items) {
    HW_CHECK(item.tensor.initialized(), codes::kInternal, "Checkpoint item '" << item.name << "' has no tensor");
    Entry e;
    e.name = item.name;
    e.kind = item.kind;
    e.dtype = item.tensor.dtype();
    e.shape = item.tensor.shape();
    entries.push_back(std::move(e));
    byName[item.name] = &item;
  }
  EncodedHeader header = encodeHeader(entries, request.epoch, request.node, request.meta);
  uint64_t dataBytes = entries.empty() ? 0 : entries.back().end;
  uint64_t fileBytes = header.bytes.size() + dataBytes;

  const std::string tmp = tempPathFor(path);
  Fd fd = createExclusive(tmp);
  try {
    preallocate(fd.get(), fileBytes, tmp);
    DataWriter out(fd.get(), header.bytes.size(), tmp);
    for (size_t i = 0; i < entries.size(); ++i) {
      const Tensor& t = byName.at(entries[i].name)->tensor;
      uint32_t crc = out.append(t.raw(), t.nbytes());
      patchCrc(header, header.crcAt[i], crc);
    }
    out.flush();
    sealHeader(header);
    writeAllAt(fd.get(), header.bytes.data(), header.bytes.size(), 0, tmp);
    syncFile(fd.get(), tmp);
    fd.close(tmp);
    renameFile(tmp, path);
  } catch (...) {
    fd = Fd();             // close quietly if still open
    ::unlink(tmp.c_str());  // best effort; a leftover is swept when a manager opens the directory
    throw;
  }
  syncDirectory(dirName(path));
  return {fileBytes};
}

}  // namespace hogwild::ckpt
