#include "tensor_convert.h"

#include <cstring>

#include "js_convert.h"

namespace hogwild::napi {

namespace {
napi_typedarray_type arrayTypeFor(DType t) {
  switch (t) {
    case DType::Float32: return napi_float32_array;
    case DType::Float64: return napi_float64_array;
    case DType::Int32: return napi_int32_array;
    case DType::Int64: return napi_bigint64_array;
    case DType::Uint8: case DType::Bool: return napi_uint8_array;
  }
  return napi_uint8_array;
}
const char* arrayNameFor(DType t) {
  switch (t) {
    case DType::Float32: return "a Float32Array";
    case DType::Float64: return "a Float64Array";
    case DType::Int32: return "an Int32Array";
    case DType::Int64: return "a BigInt64Array";
    case DType::Uint8: case DType::Bool: return "a Uint8Array";
  }
  return "a typed array";
}
}  // namespace

void copyTypedArray(const Napi::Value& data, DType dtype, Shape shape, Tensor* out, const std::string& name) {
  std::string what = std::string(arrayNameFor(dtype)) + " (dtype " + dtypeName(dtype) + ")";
  if (!data.IsTypedArray()) throwExpected(what, name, data, codes::kDtypeMismatch);
  napi_env env = data.Env();
  napi_typedarray_type type;
  size_t length = 0;
  void* ptr = nullptr;
  napi_value buffer;
  size_t offset = 0;
  NAPI_THROW_IF_FAILED_VOID(env, napi_get_typedarray_info(env, data, &type, &length, &ptr, &buffer, &offset));
  if (type != arrayTypeFor(dtype)) throwExpected(what, name, data, codes::kDtypeMismatch);
  bool detached = false;
  NAPI_THROW_IF_FAILED_VOID(env, napi_is_detached_arraybuffer(env, buffer, &detached));
  if (detached) throwExpected("a typed array with an attached buffer", name, data);
  int64_t numel = checkedNumel(shape);
  HW_CHECK(static_cast<uint64_t>(numel) == length, codes::kShapeMismatch,
           "Expected " << numel << " elements for " << name << " (shape " << shapeString(shape) << ") but received "
                       << length);
  out->resize(dtype, std::move(shape));
  size_t bytes = out->nbytes();
  if (bytes == 0) return;
  if (dtype == DType::Bool) {
    // Normalize to 0/1 so every reader of a bool tensor sees a valid bool.
    const uint8_t* src = static_cast<const uint8_t*>(ptr);
    bool* dst = out->data<bool>();
    for (size_t i = 0; i < length; ++i) dst[i] = src[i] != 0;
  } else {
    std::memcpy(out->raw(), ptr, bytes);
  }
}

Napi::Object tensorToJs(Napi::Env env, const Tensor& t) {
  size_t n = static_cast<size_t>(t.numel());
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, t.nbytes());
  if (t.nbytes()) std::memcpy(ab.Data(), t.raw(), t.nbytes());
  napi_value arr;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, arrayTypeFor(t.dtype()), n, ab, 0, &arr), Napi::Object());
  Napi::Array shape = Napi::Array::New(env, t.shape().size());
  for (size_t i = 0; i < t.shape().size(); ++i) shape.Set(i, Napi::Number::New(env, static_cast<double>(t.shape()[i])));
  Napi::Object o = Napi::Object::New(env);
  o.Set("dtype", dtypeName(t.dtype()));
  o.Set("shape", shape);
  o.Set("data", Napi::Value(env, arr));
  return o;
}

void tensorFromJs(const Napi::Value& v, Tensor* out, const std::string& name) {
  Napi::Object o = toObject(v, name);
  DType dtype = toDtype(o.Get("dtype"), name + ".dtype");
  Shape shape = toShape(o.Get("shape"), name + ".shape");
  copyTypedArray(o.Get("data"), dtype, std::move(shape), out, name + ".data");
}

}  // namespace hogwild::napi
