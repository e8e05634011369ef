#include "tensor.h"

#include "memory.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace hogwild {

bool parseDtype(const std::string& name, DType* out) {
  static const struct { const char* name; DType type; } kNames[] = {
      {"float32", DType::Float32}, {"float64", DType::Float64}, {"int32", DType::Int32},
      {"int64", DType::Int64},     {"uint8", DType::Uint8},     {"bool", DType::Bool},
  };
  for (const auto& entry : kNames) {
    if (name == entry.name) {
      *out = entry.type;
      return true;
    }
  }
  return false;
}

std::string shapeString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t checkedNumel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    HW_CHECK(d >= 0, codes::kInvalidArgument, "Expected non-negative dims but received shape " << shapeString(shape));
    HW_CHECK(d == 0 || n <= std::numeric_limits<int64_t>::max() / d, codes::kInvalidArgument,
             "Expected a shape whose size fits in 64 bits but received " << shapeString(shape));
    n *= d;
  }
  return n;
}

void Tensor::resize(DType dtype, Shape shape) {
  // Same dtype and shape: change nothing. In-place ops on a shared parameter
  // (Hogwild threads running WeightedSum(W, …) -> W) call resize on the same
  // tensor concurrently; writing _shape there would race on the vector.
  if (_initialized && dtype == _dtype && shape == _shape) return;
  int64_t numel = checkedNumel(shape);
  size_t item = dtypeSize(dtype);
  HW_CHECK(static_cast<uint64_t>(numel) <= (uint64_t{1} << 40) / item, codes::kOutOfMemory,
           "Expected a tensor under 1 TiB but received shape " << shapeString(shape));
  size_t bytes = static_cast<size_t>(numel) * item;
  if (bytes > _capacity || !_data) {
    size_t rounded = ((bytes + 63) / 64) * 64;
    if (rounded == 0) rounded = 64;
    try {
      _data = allocateBytes(rounded);  // huge pages from 2 MiB (core/memory.h)
    } catch (const Error&) {
      HW_THROW(codes::kOutOfMemory, "Failed to allocate " << bytes << " bytes for shape " << shapeString(shape));
    }
    _capacity = rounded;
  }
  _dtype = dtype;
  _shape = std::move(shape);
  _numel = numel;
  _initialized = true;
}

Tensor Tensor::fromExternal(DType dtype, Shape shape, std::shared_ptr<uint8_t> data) {
  int64_t numel = checkedNumel(shape);
  HW_CHECK(data != nullptr, codes::kInternal, "Expected memory for an external tensor of shape " << shapeString(shape));
  Tensor t;
  t._dtype = dtype;
  t._shape = std::move(shape);
  t._numel = numel;
  t._capacity = static_cast<size_t>(numel) * dtypeSize(dtype);
  t._data = std::move(data);
  t._initialized = true;
  return t;
}

void Tensor::reshape(Shape shape) {
  int64_t numel = checkedNumel(shape);
  HW_CHECK(numel == _numel, codes::kShapeMismatch,
           "Expected a shape with " << _numel << " elements but received " << shapeString(shape));
  _shape = std::move(shape);
}

void Tensor::copyFrom(const Tensor& other) {
  if (this == &other) return;
  resize(other._dtype, other._shape);
  if (other.nbytes()) std::memcpy(raw(), other.raw(), other.nbytes());
}

void Tensor::zero() {
  if (nbytes()) std::memset(raw(), 0, nbytes());
}

int64_t Tensor::sizeFrom(int64_t axis) const {
  int64_t n = 1;
  for (int64_t i = axis; i < ndim(); ++i) n *= _shape[static_cast<size_t>(i)];
  return n;
}

int64_t Tensor::sizeTo(int64_t axis) const {
  int64_t n = 1;
  for (int64_t i = 0; i < axis && i < ndim(); ++i) n *= _shape[static_cast<size_t>(i)];
  return n;
}

}  // namespace hogwild
