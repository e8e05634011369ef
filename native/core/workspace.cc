#include "workspace.h"

#include <algorithm>
#include <mutex>
#include <set>

namespace hogwild {

Blob* Workspace::findLocal(const std::string& name) const {
  std::shared_lock<std::shared_mutex> lock(_mu);
  auto it = _blobs.find(name);
  return it == _blobs.end() ? nullptr : it->second.get();
}

Blob* Workspace::findBlob(const std::string& name) const {
  for (const Workspace* ws = this; ws; ws = ws->_parent) {
    if (Blob* b = ws->findLocal(name)) return b;
  }
  return nullptr;
}

Blob& Workspace::getBlob(const std::string& name) const {
  Blob* b = findBlob(name);
  HW_CHECK(b != nullptr, codes::kMissingBlob, "Blob '" << name << "' does not exist in the workspace");
  return *b;
}

Blob& Workspace::createBlob(const std::string& name) {
  if (Blob* b = findBlob(name)) return *b;
  return createLocalBlob(name);
}

Blob& Workspace::createLocalBlob(const std::string& name) {
  HW_CHECK(!name.empty(), codes::kInvalidArgument, "Expected a non-empty blob name");
  std::unique_lock<std::shared_mutex> lock(_mu);
  auto& slot = _blobs[name];
  if (!slot) slot = std::make_unique<Blob>();
  return *slot;
}

bool Workspace::removeBlob(const std::string& name) {
  std::unique_lock<std::shared_mutex> lock(_mu);
  return _blobs.erase(name) > 0;
}

std::vector<std::string> Workspace::localBlobNames() const {
  std::shared_lock<std::shared_mutex> lock(_mu);
  std::vector<std::string> names;
  names.reserve(_blobs.size());
  for (const auto& kv : _blobs) names.push_back(kv.first);
  return names;
}

std::vector<std::string> Workspace::blobNames() const {
  std::set<std::string> all;
  for (const Workspace* ws = this; ws; ws = ws->_parent) {
    for (auto& n : ws->localBlobNames()) all.insert(n);
  }
  return {all.begin(), all.end()};
}

}  // namespace hogwild
