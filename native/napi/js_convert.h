#pragma once
// Checked conversions from JS values to plain C++ values (done on the JS thread,
// so native threads never see a napi_value). Every failure throws
// hogwild::Error with the sharp grammar:
//   "Expected <what> for <name> but received <value> of type <type>".
#include <napi.h>

#include <string>
#include <vector>

#include "../core/tensor.h"
#include "../ops/operator_def.h"
#include "tensor_convert.h"  // tensors <-> JS (kept reachable from here for other bindings)

namespace hogwild::napi {

// "'abc' of type string", "NaN of type number", "null", "an object of type Array".
std::string describeValue(const Napi::Value& v);
[[noreturn]] void throwExpected(const std::string& what, const std::string& name, const Napi::Value& v,
                                const char* code = nullptr);

std::string toStr(const Napi::Value& v, const std::string& name, bool allowEmpty = true);
bool toBool(const Napi::Value& v, const std::string& name);
// An integral number in [lo, hi] (NaN, fractions and out-of-range values throw).
int64_t toInt(const Napi::Value& v, const std::string& name, int64_t lo, int64_t hi);
std::vector<std::string> toStrings(const Napi::Value& v, const std::string& name);
// Non-negative integral dims, at most kMaxDims of them.
Shape toShape(const Napi::Value& v, const std::string& name);
inline constexpr size_t kMaxDims = 32;

// Throws when `obj[key]` is present but not an object / array.
Napi::Object toObject(const Napi::Value& v, const std::string& name);
Napi::Array toArray(const Napi::Value& v, const std::string& name);
inline bool isMissing(const Napi::Value& v) { return v.IsUndefined(); }

DType toDtype(const Napi::Value& v, const std::string& name);

OperatorDef toOpDef(const Napi::Value& v, const std::string& name);
Napi::Object opDefToJs(Napi::Env env, const OperatorDef& def);

}  // namespace hogwild::napi
