#pragma once
// Workspaces map names to blobs (docs/caffe2.md §1.1). A child looks names up locally
// and then in its parent chain; creating a name that exists anywhere up the
// chain returns that blob, so a child writes its parent's blobs but keeps the
// blobs it creates to itself. Blob addresses are stable for the workspace's life.
// Lookups and creation are thread-safe; the blob contents are the ops' business.
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "blob.h"

namespace hogwild {

class Workspace {
 public:
  // `parent` must outlive this workspace.
  explicit Workspace(Workspace* parent = nullptr) : _parent(parent) {}
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  Workspace* parent() const { return _parent; }

  // Local first, then the parent chain; nullptr when missing.
  Blob* findBlob(const std::string& name) const;
  // Like findBlob but throws HOGWILD_MISSING_BLOB.
  Blob& getBlob(const std::string& name) const;
  // Existing blob anywhere in the chain, or a new local one.
  Blob& createBlob(const std::string& name);
  // A blob in this workspace only (shadowing the parent's one).
  Blob& createLocalBlob(const std::string& name);
  bool hasBlob(const std::string& name) const { return findBlob(name) != nullptr; }
  // Removes a local blob; returns false when there was none.
  bool removeBlob(const std::string& name);

  // Sorted names: local only, or with the parent chain's.
  std::vector<std::string> localBlobNames() const;
  std::vector<std::string> blobNames() const;

 private:
  Blob* findLocal(const std::string& name) const;

  Workspace* _parent;
  mutable std::shared_mutex _mu;
  std::map<std::string, std::unique_ptr<Blob>> _blobs;
};

}  // namespace hogwild
