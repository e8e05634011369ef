#pragma once
// The two ways a checkpoint operation fails besides bad arguments:
//  - CorruptError: the file is not a valid checkpoint. `reason` is a stable
//    token (see format.h) the JS side exposes as CheckpointCorruptError.reason.
//  - IoError: a system call failed. `code()` is the errno's name ("ENOSPC",
//    "EIO", ...) like Node's fs errors, with errno, syscall and path.
#include <cerrno>
#include <string>

#include "../core/error.h"

namespace hogwild::ckpt {

// Stable CorruptError reasons, one per loader check (docs/checkpoints.md lists them).
namespace reasons {
inline constexpr const char* kNotRegularFile = "not_regular_file";  // directory, symlink, device
inline constexpr const char* kTruncated = "truncated";              // shorter than its header says
inline constexpr const char* kHeaderSize = "header_size";           // N = 0, > limit, > file
inline constexpr const char* kHeaderStart = "header_start";         // header does not start with '{'
inline constexpr const char* kJsonSyntax = "json_syntax";
inline constexpr const char* kJsonDepth = "json_depth";             // nesting deeper than 3
inline constexpr const char* kJsonDuplicateKey = "json_duplicate_key";
inline constexpr const char* kJsonNumber = "json_number";           // non-integer or > 2^53-1
inline constexpr const char* kJsonString = "json_string";           // bad UTF-8, escape, control char
inline constexpr const char* kJsonLimit = "json_limit";             // array too long, too many tensors
inline constexpr const char* kSchema = "schema";                    // wrong field, type or count
inline constexpr const char* kTensorName = "tensor_name";           // empty, NUL, control character
inline constexpr const char* kDtype = "dtype";
inline constexpr const char* kShape = "shape";                      // rank, negative or overflowing dims
inline constexpr const char* kOffsets = "offsets";                  // end < begin, size != shape x dtype
inline constexpr const char* kLayout = "layout";                    // gap, overlap, not from 0, trailing bytes
inline constexpr const char* kMetadata = "metadata";                // format, version, epoch, node, orphan keys
inline constexpr const char* kHeaderChecksum = "header_checksum";
inline constexpr const char* kTensorChecksum = "tensor_checksum";
inline constexpr const char* kKind = "kind";                        // unknown blob kind or undecodable value
inline constexpr const char* kMissingBlob = "missing_blob";         // a requested blob is not in the file
inline constexpr const char* kMismatch = "mismatch";                // epoch / node differ from the file name
}  // namespace reasons

class CorruptError : public Error {
 public:
  CorruptError(const char* reason, const std::string& message)
      : Error(codes::kCheckpointCorrupt, message), _reason(reason) {}
  const char* reason() const noexcept { return _reason; }

 private:
  const char* _reason;
};

// Static name of an errno value ("ENOSPC"); "EUNKNOWN" when it has none.
const char* errnoName(int err);

class IoError : public Error {
 public:
  IoError(int err, const char* syscall, const std::string& path);
  int err() const noexcept { return _err; }
  const char* syscall() const noexcept { return _syscall; }
  const std::string& path() const noexcept { return _path; }

 private:
  int _err;
  const char* _syscall;
  std::string _path;
};

#define HW_CORRUPT(reason, pieces)                           \
  do {                                                       \
    std::ostringstream hw_oss_;                              \
    hw_oss_ << pieces;                                       \
    throw ::hogwild::ckpt::CorruptError((reason), hw_oss_.str()); \
  } while (0)

}  // namespace hogwild::ckpt
