#pragma once
// A dense, row-major tensor with 64-byte aligned storage. Resizing to the
// same byte size keeps the buffer, so ops that rewrite their outputs every
// iteration do not allocate in steady state.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dtype.h"
#include "error.h"

namespace hogwild {

using Shape = std::vector<int64_t>;

std::string shapeString(const Shape& shape);
// Product of dims; throws HOGWILD_INVALID_ARGUMENT on a negative dim or overflow.
int64_t checkedNumel(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape) { resize(dtype, std::move(shape)); }

  // A tensor over memory it did not allocate (a checkpoint file mapping,
  // huge-page staging): `data` must hold at least numel x dtype size bytes
  // and its owner stays alive as long as any tensor shares it. Aligned to
  // the element size (not 64 bytes). A later resize to more bytes allocates.
  static Tensor fromExternal(DType dtype, Shape shape, std::shared_ptr<uint8_t> data);

  // Sets dtype and shape; reallocates only when more bytes are needed.
  void resize(DType dtype, Shape shape);
  void resizeLike(const Tensor& other) { resize(other._dtype, other._shape); }
  // Changes the shape without touching data; numel must stay the same.
  void reshape(Shape shape);
  // Deep copy of dtype, shape and data.
  void copyFrom(const Tensor& other);
  void zero();

  bool initialized() const { return _initialized; }
  DType dtype() const { return _dtype; }
  const Shape& shape() const { return _shape; }
  int64_t ndim() const { return static_cast<int64_t>(_shape.size()); }
  int64_t dim(int64_t i) const { return _shape.at(static_cast<size_t>(i < 0 ? i + ndim() : i)); }
  int64_t numel() const { return _numel; }
  size_t nbytes() const { return static_cast<size_t>(_numel) * dtypeSize(_dtype); }
  // Elements per outer index of dim `axis` (product of dims after axis).
  int64_t sizeFrom(int64_t axis) const;
  int64_t sizeTo(int64_t axis) const;

  // True when another tensor shares this buffer (writing into it would change both).
  bool bufferShared() const { return _data.use_count() > 1; }

  void* raw() { return _data.get(); }
  const void* raw() const { return _data.get(); }

  template <typename T> T* data() {
    checkType<T>();
    return static_cast<T*>(raw());
  }
  template <typename T> const T* data() const {
    checkType<T>();
    return static_cast<const T*>(raw());
  }

 private:
  template <typename T> void checkType() const {
    HW_CHECK(DTypeOf<T>::value == _dtype, codes::kDtypeMismatch,
             "Expected " << dtypeName(DTypeOf<T>::value) << " tensor but received " << dtypeName(_dtype));
  }

  DType _dtype = DType::Float32;
  Shape _shape;
  int64_t _numel = 0;
  size_t _capacity = 0;
  bool _initialized = false;
  std::shared_ptr<uint8_t> _data;
};

}  // namespace hogwild
