#pragma once
// Tensors to and from JS: typed arrays are copied both ways, so native code
// never holds JS memory that could be detached or collected under it.
#include <napi.h>

#include <string>

#include "../core/tensor.h"

namespace hogwild::napi {

// Copies a typed array into `out` (resized to dtype/shape). Rejects detached
// buffers, the wrong array type for the dtype, and a length other than numel.
void copyTypedArray(const Napi::Value& data, DType dtype, Shape shape, Tensor* out, const std::string& name);
// { dtype, shape, data } with a fresh copy of the tensor's data.
Napi::Object tensorToJs(Napi::Env env, const Tensor& t);
// Reads { dtype, shape, data } into a tensor (copying).
void tensorFromJs(const Napi::Value& v, Tensor* out, const std::string& name);

}  // namespace hogwild::napi
