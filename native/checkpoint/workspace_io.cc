#include "workspace_io.h"

#include <cstring>
#include <memory>

#include "../core/objects.h"
#include "errors.h"
#include "format.h"
#include "staging.h"

namespace hogwild::ckpt {

std::vector<SaveItem> captureBlobs(const Workspace& ws, const std::vector<std::string>& names) {
  std::vector<SaveItem> items;
  items.reserve(names.size());
  for (const auto& name : names) {
    const Blob* b = ws.findBlob(name);
    HW_CHECK(b != nullptr, codes::kMissingBlob, "Blob '" << name << "' is in the checkpoint blob list but not in the workspace");
    SaveItem item;
    item.name = name;
    if (const Tensor* t = b->tensorOrNull()) {
      item.kind = kTensorKind;
      item.tensor = *t;  // shares the buffer
    } else if (const auto& obj = b->objectPtr()) {
      item.kind = obj->kind();
      HW_CHECK(obj->serialize(&item.tensor) && item.tensor.initialized(), codes::kBlobKind,
               "Blob '" << name << "' holds a " << obj->kind() << ", which cannot be saved in a checkpoint");
    } else {
      item.kind = kEmptyKind;
      item.tensor.resize(DType::Uint8, {0});
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::map<std::string, std::pair<DType, Shape>> ownedTensorShapes(const Workspace& ws, const std::vector<std::string>& names,
                                                                bool all) {
  std::map<std::string, std::pair<DType, Shape>> out;
  for (const auto& name : all ? ws.blobNames() : names) {
    const Blob* b = ws.findBlob(name);
    const Tensor* t = b ? b->tensorOrNull() : nullptr;
    if (t && !t->bufferShared()) out.emplace(name, std::make_pair(t->dtype(), t->shape()));
  }
  return out;
}

void applyBlobs(Workspace& ws, std::vector<StagedBlob>&& staged) {
  // 1. Decode every object into a fresh instance; nothing live is touched yet.
  std::vector<std::shared_ptr<BlobObject>> objects(staged.size());
  for (size_t i = 0; i < staged.size(); ++i) {
    const StagedBlob& s = staged[i];
    if (s.kind == kTensorKind || s.kind == kEmptyKind) continue;
    try {
      objects[i] = newObjectOfKind(s.kind);
      objects[i]->deserialize(s.tensor);
    } catch (const CorruptError&) {
      throw;
    } catch (const std::exception& e) {
      HW_CORRUPT(reasons::kKind, "Blob '" << s.name << "' of kind '" << s.kind << "' could not be restored: " << e.what());
    }
  }
  // 2. Resolve every destination and allocate what must be fresh (this may
  //    throw; still nothing changed). A tensor left in the mapping goes into
  //    the blob's own memory when it still has that dtype and shape and
  //    shares its buffer with nothing (a resume touches no fresh pages).
  std::vector<Blob*> blobs(staged.size());
  std::vector<Tensor*> into(staged.size(), nullptr);
  for (size_t i = 0; i < staged.size(); ++i) {
    blobs[i] = &ws.createBlob(staged[i].name);
    StagedBlob& s = staged[i];
    if (!s.copyFrom) continue;
    Tensor* t = blobs[i]->tensorOrNull();
    if (t && t->dtype() == s.tensor.dtype() && t->shape() == s.tensor.shape() && !t->bufferShared()) {
      into[i] = t;
    } else {
      s.tensor = Tensor::fromExternal(s.tensor.dtype(), s.tensor.shape(), allocateStaging(s.tensor.nbytes()));
    }
  }
  // 3. Fill and swap in: copies of validated bytes and moves, nothing here
  //    can fail half-way.
  for (size_t i = 0; i < staged.size(); ++i) {
    StagedBlob& s = staged[i];
    if (s.copyFrom) parallelCopy(into[i] ? into[i]->raw() : s.tensor.raw(), s.copyFrom, s.tensor.nbytes());
    if (into[i]) continue;
    if (objects[i]) blobs[i]->setObject(std::move(objects[i]));
    else if (s.kind == kEmptyKind) blobs[i]->reset();
    else blobs[i]->mutableTensor() = std::move(s.tensor);
  }
}

}  // namespace hogwild::ckpt
