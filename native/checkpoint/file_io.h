#pragma once
// POSIX file helpers for the checkpoint writer and loader: every call retries
// EINTR, loops over short reads and writes, and turns a failure into an
// IoError carrying the errno, the system call and the path.
//
// Crash points (tests only): with HOGWILD_CRASH_AT=n in the environment, the
// n-th I/O step of this process (counted from 1 across saves and retention
// deletes: open, each write, fsync, close, rename, directory fsync, unlink)
// raises SIGKILL just before it happens, so a test can stop the writer at
// every step of the commit protocol.
#include <cstddef>
#include <cstdint>
#include <string>

namespace hogwild::ckpt {

// Counts an I/O step; kills the process when it is the one HOGWILD_CRASH_AT names.
void crashPoint(const char* step);

// Owns a file descriptor; closes it (ignoring errors) unless released.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : _fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : _fd(o._fd) { o._fd = -1; }
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const { return _fd; }
  bool valid() const { return _fd >= 0; }
  // Closes and reports the error (close can report delayed write errors).
  void close(const std::string& path);

 private:
  int _fd = -1;
};

std::string dirName(const std::string& path);
std::string baseName(const std::string& path);

// Opens a new file for writing (O_CREAT|O_EXCL); throws IoError.
Fd createExclusive(const std::string& path);
// Opens an existing regular file for reading without following a final
// symlink. Throws IoError (ENOENT, EACCES, ...) or CorruptError
// (not_regular_file) for a directory, symlink or device. Sets *size.
Fd openRegularForRead(const std::string& path, uint64_t* size);

// Writes all of [data, data + n) at `offset`.
void writeAllAt(int fd, const void* data, size_t n, uint64_t offset, const std::string& path);
// Reads exactly n bytes at `offset`; a short file is CorruptError(truncated).
void readAllAt(int fd, void* data, size_t n, uint64_t offset, const std::string& path);
// Reserves [0, n) (ENOSPC/EFBIG/EDQUOT fail early); a no-op where unsupported.
void preallocate(int fd, uint64_t n, const std::string& path);
void syncFile(int fd, const std::string& path);
// fsync of a directory opened O_RDONLY|O_DIRECTORY (docs/reliability.md §1).
void syncDirectory(const std::string& dir);
void renameFile(const std::string& from, const std::string& to);
// Removes a file; ENOENT is not an error. Returns whether it existed.
bool removeFile(const std::string& path);

}  // namespace hogwild::ckpt
