#include "file_io.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "errors.h"

namespace hogwild::ckpt {

// ---- errors ----

const char* errnoName(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ETXTBSY: return "ETXTBSY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EOVERFLOW: return "EOVERFLOW";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ESTALE: return "ESTALE";
#ifdef EDQUOT
    case EDQUOT: return "EDQUOT";
#endif
    default: return "EUNKNOWN";
  }
}

namespace {
std::string ioMessage(int err, const char* syscall, const std::string& path) {
  std::ostringstream os;
  os << errnoName(err) << ": " << std::strerror(err) << ", " << syscall << " '" << path << "'";
  return os.str();
}

[[noreturn]] void throwIo(const char* syscall, const std::string& path, int err = errno) {
  throw IoError(err, syscall, path);
}
}  // namespace

IoError::IoError(int err, const char* syscall, const std::string& path)
    : Error(errnoName(err), ioMessage(err, syscall, path)), _err(err), _syscall(syscall), _path(path) {}

// ---- crash points ----

namespace {
long crashTarget() {
  static const long kTarget = [] {
    const char* v = std::getenv("HOGWILD_CRASH_AT");
    return v && *v ? std::strtol(v, nullptr, 10) : 0L;
  }();
  return kTarget;
}
}  // namespace

void crashPoint(const char* /*step*/) {
  static std::atomic<long> steps{0};
  long target = crashTarget();
  if (target <= 0) return;
  if (steps.fetch_add(1) + 1 == target) {
    ::raise(SIGKILL);
    ::_exit(137);  // not reached
  }
}

// ---- Fd ----

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (_fd >= 0) ::close(_fd);
    _fd = o._fd;
    o._fd = -1;
  }
  return *this;
}

Fd::~Fd() {
  if (_fd >= 0) ::close(_fd);
}

void Fd::close(const std::string& path) {
  crashPoint("close");
  int fd = _fd;
  _fd = -1;
  // Linux releases the descriptor even when close fails: never retry it.
  if (fd >= 0 && ::close(fd) != 0 && errno != EINTR) throwIo("close", path);
}

// ---- paths ----

std::string dirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string baseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ---- calls ----

Fd createExclusive(const std::string& path) {
  crashPoint("open");
  int fd;
  do fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) throwIo("open", path);
  return Fd(fd);
}

Fd openRegularForRead(const std::string& path, uint64_t* size) {
  int fd;
  do fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ELOOP) HW_CORRUPT(reasons::kNotRegularFile, "Checkpoint '" << path << "' is a symbolic link");
    throwIo("open", path);
  }
  Fd f(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) throwIo("fstat", path);
  if (!S_ISREG(st.st_mode)) HW_CORRUPT(reasons::kNotRegularFile, "Checkpoint '" << path << "' is not a regular file");
  *size = static_cast<uint64_t>(st.st_size);
  return f;
}

void writeAllAt(int fd, const void* data, size_t n, uint64_t offset, const std::string& path) {
  crashPoint("write");
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    // Linux moves at most 0x7ffff000 bytes per call.
    size_t chunk = n < (size_t{1} << 30) ? n : (size_t{1} << 30);
    ssize_t w = ::pwrite(fd, p, chunk, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      throwIo("write", path);
    }
    if (w == 0) throwIo("write", path, ENOSPC);  // no progress: treat as a full device
    p += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
}

void readAllAt(int fd, void* data, size_t n, uint64_t offset, const std::string& path) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    size_t chunk = n < (size_t{1} << 30) ? n : (size_t{1} << 30);
    ssize_t r = ::pread(fd, p, chunk, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      throwIo("read", path);
    }
    if (r == 0) HW_CORRUPT(reasons::kTruncated, "Checkpoint '" << path << "' ended early (it shrank while being read)");
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
}

void preallocate(int fd, uint64_t n, const std::string& path) {
  if (n == 0) return;
#if defined(__linux__)
  int rc;
  do rc = ::fallocate(fd, 0, 0, static_cast<off_t>(n));
  while (rc != 0 && errno == EINTR);
  if (rc == 0) return;
  if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) return;  // tmpfs on old kernels, FUSE, ...
  throwIo("fallocate", path);
#else
  (void)fd;
  (void)path;
#endif
}

void syncFile(int fd, const std::string& path) {
  crashPoint("fsync");
  if (::fsync(fd) != 0) throwIo("fsync", path);  // never retried: the page state is unknown after a failure
}

void syncDirectory(const std::string& dir) {
  crashPoint("fsync_dir");
  int fd;
  do fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) throwIo("open", dir);
  Fd f(fd);
  if (::fsync(fd) != 0 && errno != EINVAL) throwIo("fsync", dir);  // EINVAL: the FS cannot sync dirs
  f.close(dir);
}

void renameFile(const std::string& from, const std::string& to) {
  crashPoint("rename");
  if (::rename(from.c_str(), to.c_str()) != 0) throwIo("rename", to);
}

bool removeFile(const std::string& path) {
  crashPoint("unlink");
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  throwIo("unlink", path);
}

}  // namespace hogwild::ckpt
