#include "file_bytes.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "../core/error.h"

#if defined(__has_include)
#if __has_include(<zlib.h>)
#include <zlib.h>
#define HOGWILD_HAVE_ZLIB_H 1
#endif
#endif

namespace hogwild::data {

namespace {

std::string osError(int err) { return std::strerror(err); }

#ifdef HOGWILD_HAVE_ZLIB_H
struct Zlib {
  int (*init2)(z_streamp, int, const char*, int) = nullptr;
  int (*inflate)(z_streamp, int) = nullptr;
  int (*inflateEnd)(z_streamp) = nullptr;
  int (*inflateReset)(z_streamp) = nullptr;
  bool ok() const { return init2 && inflate && inflateEnd && inflateReset; }
};

template <typename F> void resolve(void* handle, const char* name, F* out) {
  *out = reinterpret_cast<F>(dlsym(handle, name));
}

const Zlib& zlib() {
  static Zlib z;
  static std::once_flag once;
  std::call_once(once, [] {
    auto tryHandle = [](void* handle) {
      resolve(handle, "inflateInit2_", &z.init2);
      resolve(handle, "inflate", &z.inflate);
      resolve(handle, "inflateEnd", &z.inflateEnd);
      resolve(handle, "inflateReset", &z.inflateReset);
      return z.ok();
    };
    if (tryHandle(RTLD_DEFAULT)) return;  // inside node: its own zlib
    void* lib = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib && tryHandle(lib)) return;  // kept open for the process's life
    z = Zlib();
  });
  return z;
}
#endif

}  // namespace

bool gzipAvailable() {
#ifdef HOGWILD_HAVE_ZLIB_H
  return zlib().ok();
#else
  return false;
#endif
}

FileBytes::FileBytes(const std::string& path, uint64_t maxInflated) : _path(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    HW_THROW(codes::kIo, "Could not open '" << path << "': " << osError(err));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int err = errno;
    ::close(fd);
    HW_THROW(codes::kIo, "Expected a regular file at '" << path << "'" << (err ? ": " + osError(err) : std::string()));
  }
  _mapSize = static_cast<size_t>(st.st_size);
  if (_mapSize > 0) {
    _map = ::mmap(nullptr, _mapSize, PROT_READ, MAP_PRIVATE, fd, 0);
    if (_map == MAP_FAILED) {
      int err = errno;
      _map = nullptr;
      ::close(fd);
      HW_THROW(codes::kIo, "Could not map '" << path << "': " << osError(err));
    }
    ::madvise(_map, _mapSize, MADV_SEQUENTIAL);
  }
  ::close(fd);
  _data = static_cast<const uint8_t*>(_map);
  _size = _mapSize;
  if (_size >= 2 && _data[0] == 0x1f && _data[1] == 0x8b) {
    try {
      inflateFrom(_data, _size, maxInflated);
    } catch (...) {
      ::munmap(_map, _mapSize);
      _map = nullptr;
      throw;
    }
    ::munmap(_map, _mapSize);
    _map = nullptr;
    _gzipped = true;
    _data = _inflated.data();
    _size = _inflated.size();
  }
}

FileBytes::~FileBytes() {
  if (_map) ::munmap(_map, _mapSize);
}

void FileBytes::inflateFrom(const uint8_t* src, size_t n, uint64_t maxInflated) {
#ifdef HOGWILD_HAVE_ZLIB_H
  const Zlib& z = zlib();
  HW_CHECK(z.ok(), codes::kIo, "Could not read gzip file '" << _path << "': zlib is not available in this process; gunzip it first");
  // ISIZE (the last 4 bytes) is the size mod 2^32 of the last member: a hint only.
  if (n >= 18) {
    uint64_t hint = uint64_t(src[n - 4]) | uint64_t(src[n - 3]) << 8 | uint64_t(src[n - 2]) << 16 | uint64_t(src[n - 1]) << 24;
    if (hint <= maxInflated) _inflated.reserve(static_cast<size_t>(hint));
  }
  z_stream s;
  std::memset(&s, 0, sizeof(s));
  HW_CHECK(z.init2(&s, 15 + 32, ZLIB_VERSION, static_cast<int>(sizeof(z_stream))) == Z_OK, codes::kIo,
           "Could not start inflating '" << _path << "'");
  s.next_in = const_cast<Bytef*>(src);
  s.avail_in = 0;
  size_t consumed = 0;
  uint8_t chunk[1 << 16];
  int rc = Z_OK;
  for (;;) {
    if (s.avail_in == 0 && consumed < n) {
      size_t take = std::min<size_t>(n - consumed, 1u << 30);
      s.next_in = const_cast<Bytef*>(src + consumed);
      s.avail_in = static_cast<uInt>(take);
      consumed += take;
    }
    s.next_out = chunk;
    s.avail_out = sizeof(chunk);
    rc = z.inflate(&s, Z_NO_FLUSH);
    size_t produced = sizeof(chunk) - s.avail_out;
    if (_inflated.size() + produced > maxInflated) {
      z.inflateEnd(&s);
      HW_THROW(codes::kIo, "Gzip file '" << _path << "' inflates to more than " << maxInflated << " bytes");
    }
    _inflated.insert(_inflated.end(), chunk, chunk + produced);
    if (rc == Z_STREAM_END) {
      // Concatenated members: go on while input remains.
      if (s.avail_in == 0 && consumed >= n) break;
      z.inflateReset(&s);
      continue;
    }
    if (rc == Z_BUF_ERROR && s.avail_in == 0 && consumed >= n) break;  // truncated
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
  }
  z.inflateEnd(&s);
  HW_CHECK(rc == Z_STREAM_END, codes::kIo,
           "Gzip file '" << _path << "' is " << (rc == Z_BUF_ERROR ? "truncated" : "corrupt") << " (zlib code " << rc << ")");
#else
  (void)src;
  (void)n;
  (void)maxInflated;
  HW_THROW(codes::kIo, "Could not read gzip file '" << _path << "': this build has no zlib headers; gunzip it first");
#endif
}

}  // namespace hogwild::data
