#pragma once
// Errors of the Gloo module. Gloo reports failures as generic exceptions whose
// type and text say what happened; classify() turns them into one stable code
// at the boundary, so JS never sees a raw Gloo message without a code.
#include <exception>
#include <stdexcept>
#include <string>

namespace hogwild::dist {

namespace codes {
inline constexpr const char* kPeerLost = "HOGWILD_PEER_LOST";
inline constexpr const char* kRendezvousTimeout = "HOGWILD_RENDEZVOUS_TIMEOUT";
inline constexpr const char* kPrefixReused = "HOGWILD_STORE_PREFIX_REUSED";
inline constexpr const char* kJobMismatch = "HOGWILD_JOB_MISMATCH";
inline constexpr const char* kStoreUnavailable = "HOGWILD_STORE_UNAVAILABLE";
inline constexpr const char* kInvalidArgument = "HOGWILD_INVALID_ARGUMENT";
inline constexpr const char* kClosed = "HOGWILD_DISPOSED";
inline constexpr const char* kFailed = "HOGWILD_DISTRIBUTED_FAILED";
}  // namespace codes

// An error that already carries its code.
class DistError : public std::runtime_error {
 public:
  DistError(const char* code, const std::string& message) : std::runtime_error(message), code_(code) {}
  const char* code() const { return code_; }

 private:
  const char* code_;
};

// Which phase an exception came from decides what a timeout means.
enum class Phase { Store, Rendezvous, Collective };

struct Classified {
  const char* code;
  std::string message;
};

// Call inside a catch block: classifies the exception in flight.
Classified classifyCurrent(Phase phase, const std::string& what);

}  // namespace hogwild::dist
