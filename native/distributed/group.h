#pragma once
// One process's membership in a Gloo group: the store it met its peers in,
// the TCP context, and the collectives (new-style Gloo API only: mixing the
// legacy algorithm classes into one context stalls later operations).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace gloo {
class Context;
namespace rendezvous {
class Store;
}
namespace transport {
class Device;
}
}  // namespace gloo

namespace hogwild::dist {

struct GroupOptions {
  int rank = 0;
  int size = 1;
  // "file" (path = a directory every rank can see) or "redis" (host, port).
  std::string storeKind;
  std::string path;
  std::string host;
  int port = 0;
  // Fresh per attempt: every key lives under it, so a restarted job never
  // reads the addresses of a dead attempt.
  std::string prefix;
  // Identifies the job; ranks with different fingerprints refuse to connect.
  std::string fingerprint;
  // Address this rank listens on (an interface's address or a host name).
  std::string hostname = "127.0.0.1";
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds rendezvousTimeout{30000};
};

enum class ReduceOp { Sum, Max, Min, Mean };

// Tags keep concurrent operations apart: JS-issued collectives run one at a
// time under kJsTag; the model averager's rounds run beside them under its own.
inline constexpr uint32_t kJsTag = 1;
inline constexpr uint32_t kAveragerTag = 2;

class Group {
 public:
  // Rendezvous: meets the other ranks in the store (checking the fingerprint)
  // and connects a full mesh. Blocks; call off the JS thread.
  static std::shared_ptr<Group> connect(const GroupOptions& options);
  ~Group();

  int rank() const { return rank_; }
  int size() const { return size_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  void allreduce(float* data, size_t count, ReduceOp op, uint32_t tag);
  void broadcast(float* data, size_t count, int root, uint32_t tag);
  void barrier(uint32_t tag);
  // `out` holds size() * count floats, rank r's input at r * count.
  void allgather(const float* in, float* out, size_t count, uint32_t tag);

  // Serializes the collectives JS issues (they must run in one order on every rank).
  std::mutex& jsOrder() { return jsOrder_; }

 private:
  Group() = default;
  int rank_ = 0;
  int size_ = 1;
  std::chrono::milliseconds timeout_{30000};
  std::unique_ptr<gloo::rendezvous::Store> store_;
  std::unique_ptr<gloo::rendezvous::Store> prefixed_;
  std::shared_ptr<gloo::transport::Device> device_;
  std::shared_ptr<gloo::Context> context_;
  std::mutex jsOrder_;
};

}  // namespace hogwild::dist
