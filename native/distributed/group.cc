#include "group.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/rendezvous/redis_store.h>
#include <gloo/transport/tcp/device.h>

#include <vector>

#include "dist_error.h"

namespace hogwild::dist {

namespace {

std::string fingerprintKey(int rank) { return "hogwild/fingerprint/" + std::to_string(rank); }

std::unique_ptr<gloo::rendezvous::Store> openStore(const GroupOptions& o) {
  try {
    if (o.storeKind == "file") return std::make_unique<gloo::rendezvous::FileStore>(o.path);
    if (o.storeKind == "redis") return std::make_unique<gloo::rendezvous::RedisStore>(o.host, o.port);
  } catch (...) {
    auto c = classifyCurrent(Phase::Store, "Opening the " + o.storeKind + " store");
    throw DistError(c.code, c.message);
  }
  throw DistError(codes::kInvalidArgument, "Expected store kind 'file' or 'redis' but received '" + o.storeKind + "'");
}

// Every rank publishes its job fingerprint, waits for all the others and
// compares: two different jobs sharing a store prefix fail here, clearly,
// instead of exchanging tensors of different shapes later.
void checkFingerprints(gloo::rendezvous::Store& store, const GroupOptions& o) {
  // Never empty: FileStore cannot hold an empty value.
  const std::string tagged = "job:" + o.fingerprint;
  std::vector<char> mine(tagged.begin(), tagged.end());
  try {
    store.set(fingerprintKey(o.rank), mine);
  } catch (...) {
    auto c = classifyCurrent(Phase::Rendezvous, "Rank " + std::to_string(o.rank) + " joining prefix '" + o.prefix + "'");
    throw DistError(c.code, c.message);
  }
  std::vector<std::string> keys;
  for (int r = 0; r < o.size; ++r) keys.push_back(fingerprintKey(r));
  try {
    store.wait(keys, o.rendezvousTimeout);
  } catch (...) {
    std::string missing;
    for (int r = 0; r < o.size; ++r) {
      try {
        store.wait({fingerprintKey(r)}, std::chrono::milliseconds(1));
      } catch (...) {
        missing += (missing.empty() ? "" : ", ") + std::to_string(r);
      }
    }
    throw DistError(codes::kRendezvousTimeout,
                    "Rendezvous timed out after " + std::to_string(o.rendezvousTimeout.count()) + " ms: rank(s) " + missing +
                        " of " + std::to_string(o.size) + " never arrived under prefix '" + o.prefix + "'");
  }
  for (int r = 0; r < o.size; ++r) {
    if (r == o.rank) continue;
    std::vector<char> theirs;
    try {
      theirs = store.get(fingerprintKey(r));
    } catch (...) {
      auto c = classifyCurrent(Phase::Rendezvous, "Reading rank " + std::to_string(r) + "'s fingerprint");
      throw DistError(c.code, c.message);
    }
    std::string text(theirs.begin(), theirs.end());
    if (text.rfind("job:", 0) == 0) text = text.substr(4);
    if (text != o.fingerprint)
      throw DistError(codes::kJobMismatch, "Rank " + std::to_string(r) + " runs a different job (fingerprint " + text + ") than rank " +
                                               std::to_string(o.rank) + " (fingerprint " + o.fingerprint +
                                               "): every rank must start the same job module with the same arguments");
  }
}

gloo::AllreduceOptions::Func reducer(ReduceOp op) {
  using F = void (*)(void*, const void*, const void*, size_t);
  switch (op) {
    case ReduceOp::Max: return static_cast<F>(&gloo::max<float>);
    case ReduceOp::Min: return static_cast<F>(&gloo::min<float>);
    default: return static_cast<F>(&gloo::sum<float>);
  }
}

}  // namespace

std::shared_ptr<Group> Group::connect(const GroupOptions& o) {
  if (o.size < 1 || o.rank < 0 || o.rank >= o.size)
    throw DistError(codes::kInvalidArgument, "Expected 0 <= rank < size but received rank " + std::to_string(o.rank) + ", size " + std::to_string(o.size));
  if (o.prefix.empty()) throw DistError(codes::kInvalidArgument, "Expected a non-empty store prefix");
  std::shared_ptr<Group> g(new Group());
  g->rank_ = o.rank;
  g->size_ = o.size;
  g->timeout_ = o.timeout;
  g->store_ = openStore(o);
  g->prefixed_ = std::make_unique<gloo::rendezvous::PrefixStore>(o.prefix, *g->store_);
  checkFingerprints(*g->prefixed_, o);
  try {
    gloo::transport::tcp::attr attr;
    attr.hostname = o.hostname;
    g->device_ = gloo::transport::tcp::CreateDevice(attr);
    auto ctx = std::make_shared<gloo::rendezvous::Context>(o.rank, o.size);
    ctx->setTimeout(o.rendezvousTimeout);
    ctx->connectFullMesh(*g->prefixed_, g->device_);
    ctx->setTimeout(o.timeout);
    g->context_ = ctx;
  } catch (...) {
    auto c = classifyCurrent(Phase::Rendezvous, "Connecting rank " + std::to_string(o.rank) + " to its peers");
    throw DistError(c.code, c.message);
  }
  return g;
}

Group::~Group() = default;

void Group::allreduce(float* data, size_t count, ReduceOp op, uint32_t tag) {
  if (size_ > 1 && count > 0) {
    gloo::AllreduceOptions opts(context_);
    opts.setOutput(data, count);
    opts.setReduceFunction(reducer(op));
    opts.setTag(tag);
    opts.setTimeout(timeout_);
    gloo::allreduce(opts);
  }
  if (op == ReduceOp::Mean) {
    const float inv = 1.0f / static_cast<float>(size_);
    for (size_t i = 0; i < count; ++i) data[i] *= inv;
  }
}

void Group::broadcast(float* data, size_t count, int root, uint32_t tag) {
  if (root < 0 || root >= size_)
    throw DistError(codes::kInvalidArgument, "Expected a root rank in [0, " + std::to_string(size_) + ") but received " + std::to_string(root));
  if (size_ == 1 || count == 0) return;
  gloo::BroadcastOptions opts(context_);
  // The output doubles as the root's input.
  opts.setOutput(data, count);
  opts.setRoot(root);
  opts.setTag(tag);
  opts.setTimeout(timeout_);
  gloo::broadcast(opts);
}

void Group::barrier(uint32_t tag) {
  if (size_ == 1) return;
  gloo::BarrierOptions opts(context_);
  opts.setTag(tag);
  opts.setTimeout(timeout_);
  gloo::barrier(opts);
}

void Group::allgather(const float* in, float* out, size_t count, uint32_t tag) {
  if (size_ == 1 || count == 0) {
    std::copy(in, in + count, out);
    return;
  }
  gloo::AllgatherOptions opts(context_);
  opts.setInput(const_cast<float*>(in), count);
  opts.setOutput(out, count * static_cast<size_t>(size_));
  opts.setTag(tag);
  opts.setTimeout(timeout_);
  gloo::allgather(opts);
}

}  // namespace hogwild::dist
