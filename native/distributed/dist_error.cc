#include "dist_error.h"

#include <gloo/common/error.h>

namespace hogwild::dist {

namespace {
bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

Classified classifyText(Phase phase, const std::string& what, const std::string& msg, bool io) {
  if (has(msg, "already exists") || has(msg, "already set"))
    return {codes::kPrefixReused, what + ": the store prefix was used by an earlier attempt (" + msg + "); use a fresh prefix per attempt"};
  if (phase == Phase::Store)
    return {codes::kStoreUnavailable, what + ": cannot reach the rendezvous store (" + msg + ")"};
  if (phase == Phase::Rendezvous && (has(msg, "Wait timeout") || has(msg, "imed out")))
    return {codes::kRendezvousTimeout, what + ": not every rank arrived before the rendezvous timeout (" + msg + ")"};
  if (io || has(msg, "imed out") || has(msg, "closed") || has(msg, "reset") || has(msg, "refused") || has(msg, "Broken pipe"))
    return {codes::kPeerLost, what + ": a peer was lost (" + msg + ")"};
  return {codes::kFailed, what + ": " + msg};
}
}  // namespace

Classified classifyCurrent(Phase phase, const std::string& what) {
  try {
    throw;
  } catch (const DistError& e) {
    return {e.code(), e.what()};
  } catch (const ::gloo::IoException& e) {
    return classifyText(phase, what, e.what(), true);
  } catch (const std::bad_alloc&) {
    return {"HOGWILD_OUT_OF_MEMORY", what + ": out of memory"};
  } catch (const std::exception& e) {
    return classifyText(phase, what, e.what(), false);
  } catch (...) {
    return {codes::kFailed, what + ": unknown Gloo error"};
  }
}

}  // namespace hogwild::dist
