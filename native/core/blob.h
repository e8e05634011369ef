#pragma once
// A named slot in a workspace. It holds nothing, a tensor, or an object of
// another kind (counter, timer, string list, cursor, queue, ...). Object kinds
// are open: anything deriving from BlobObject can live in a blob.
#include <memory>
#include <string>

#include "error.h"
#include "tensor.h"

namespace hogwild {

class BlobObject {
 public:
  virtual ~BlobObject() = default;
  // Short stable name of the kind ("counter", "timer", "stringList", ...).
  virtual const char* kind() const = 0;
  // Checkpoint hooks: encode the state as a tensor and restore it. Kinds that
  // cannot be saved keep the defaults.
  virtual bool serialize(Tensor* /*out*/) const { return false; }
  virtual void deserialize(const Tensor& /*in*/) {
    HW_THROW(codes::kBlobKind, "Blob kind '" << kind() << "' cannot be restored from a checkpoint");
  }
};

class Blob {
 public:
  bool isEmpty() const { return !_isTensor && !_object; }
  bool isTensor() const { return _isTensor; }
  const char* kindName() const { return _isTensor ? "tensor" : _object ? _object->kind() : "empty"; }

  // Makes this blob a tensor blob (dropping any object) and returns it.
  Tensor& mutableTensor() {
    if (!_isTensor) {
      _object.reset();
      _isTensor = true;
    }
    return _tensor;
  }
  // The tensor held; throws when the blob holds an object or nothing.
  const Tensor& tensor(const std::string& name) const {
    HW_CHECK(_isTensor && _tensor.initialized(), codes::kMissingBlob,
             "Expected an initialized tensor in blob '" << name << "' but it holds " << kindName());
    return _tensor;
  }
  Tensor* tensorOrNull() { return _isTensor && _tensor.initialized() ? &_tensor : nullptr; }
  const Tensor* tensorOrNull() const { return _isTensor && _tensor.initialized() ? &_tensor : nullptr; }

  void setObject(std::shared_ptr<BlobObject> object) {
    _isTensor = false;
    _tensor = Tensor();
    _object = std::move(object);
  }
  const std::shared_ptr<BlobObject>& objectPtr() const { return _object; }

  // The object held, as T; throws HOGWILD_BLOB_KIND naming the blob otherwise.
  template <typename T> T& object(const std::string& name) const {
    T* p = dynamic_cast<T*>(_object.get());
    HW_CHECK(p != nullptr, codes::kBlobKind,
             "Expected blob '" << name << "' to hold a " << T::kKind << " but it holds " << kindName());
    return *p;
  }
  void reset() {
    _isTensor = false;
    _tensor = Tensor();
    _object.reset();
  }

 private:
  bool _isTensor = false;
  Tensor _tensor;
  std::shared_ptr<BlobObject> _object;
};

}  // namespace hogwild
