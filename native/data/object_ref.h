#pragma once
// Shared ownership of a blob's object for the length of an op run, so a
// blocking op keeps its queue or cursor alive even if the blob is replaced.
#include <memory>
#include <string>

#include "../core/blob.h"

namespace hogwild::data {

template <typename T> std::shared_ptr<T> objectRef(const Blob& blob, const std::string& name) {
  auto p = std::dynamic_pointer_cast<T>(blob.objectPtr());
  HW_CHECK(p != nullptr, codes::kBlobKind,
           "Expected blob '" << name << "' to hold a " << T::kKind << " but it holds " << blob.kindName());
  return p;
}

}  // namespace hogwild::data
