#pragma once
// Errors raised anywhere in the native core. Each carries a stable code that the
// binding copies onto the JS error (`err.code`), so callers can branch on it.
#include <stdexcept>
#include <string>
#include <sstream>

namespace hogwild {

// Stable codes; the TS facade maps each to a HogwildError subclass.
namespace codes {
inline constexpr const char* kInvalidArgument = "HOGWILD_INVALID_ARGUMENT";
inline constexpr const char* kShapeMismatch = "HOGWILD_SHAPE_MISMATCH";
inline constexpr const char* kDtypeMismatch = "HOGWILD_DTYPE_MISMATCH";
inline constexpr const char* kUnknownOp = "HOGWILD_UNKNOWN_OP";
inline constexpr const char* kUnknownArgument = "HOGWILD_UNKNOWN_ARGUMENT";
inline constexpr const char* kMissingBlob = "HOGWILD_MISSING_BLOB";
inline constexpr const char* kIndexOutOfRange = "HOGWILD_INDEX_OUT_OF_RANGE";
inline constexpr const char* kBlobKind = "HOGWILD_BLOB_KIND";
inline constexpr const char* kInvalidPlan = "HOGWILD_INVALID_PLAN";
inline constexpr const char* kOpFailed = "HOGWILD_OP_FAILED";
inline constexpr const char* kAborted = "HOGWILD_ABORTED";
inline constexpr const char* kDisposed = "HOGWILD_DISPOSED";
inline constexpr const char* kOutOfMemory = "HOGWILD_OUT_OF_MEMORY";
inline constexpr const char* kCheckpointCorrupt = "HOGWILD_CHECKPOINT_CORRUPT";
inline constexpr const char* kIo = "HOGWILD_IO";
inline constexpr const char* kData = "HOGWILD_DATA";
inline constexpr const char* kInternal = "HOGWILD_INTERNAL";
// A workspace's blobs were read or written from JS while a plan runs on it.
inline constexpr const char* kBusy = "HOGWILD_BUSY";
}  // namespace codes

class Error : public std::runtime_error {
 public:
  Error(const char* code, const std::string& message) : std::runtime_error(message), _code(code) {}
  const char* code() const noexcept { return _code; }

 private:
  const char* _code;
};

// Builds a message from stream pieces: HW_THROW(codes::kShapeMismatch, "FC: expected " << a).
#define HW_THROW(code, pieces)                         \
  do {                                                 \
    std::ostringstream hw_oss_;                        \
    hw_oss_ << pieces;                                 \
    throw ::hogwild::Error((code), hw_oss_.str());     \
  } while (0)

#define HW_CHECK(cond, code, pieces) \
  do {                               \
    if (!(cond)) HW_THROW(code, pieces); \
  } while (0)

}  // namespace hogwild
