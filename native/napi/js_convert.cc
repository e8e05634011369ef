#include "js_convert.h"

#include <cmath>
#include <cstring>

namespace hogwild::napi {

namespace {
constexpr double kMaxSafe = 9007199254740991.0;  // Number.MAX_SAFE_INTEGER

std::string typeOf(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    case napi_bigint: return "bigint";
    default: break;
  }
  if (v.IsArray()) return "Array";
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_int8_array: return "Int8Array";
      case napi_uint8_array: return "Uint8Array";
      case napi_uint8_clamped_array: return "Uint8ClampedArray";
      case napi_int16_array: return "Int16Array";
      case napi_uint16_array: return "Uint16Array";
      case napi_int32_array: return "Int32Array";
      case napi_uint32_array: return "Uint32Array";
      case napi_float32_array: return "Float32Array";
      case napi_float64_array: return "Float64Array";
      case napi_bigint64_array: return "BigInt64Array";
      case napi_biguint64_array: return "BigUint64Array";
    }
  }
  if (v.IsArrayBuffer()) return "ArrayBuffer";
  if (v.IsDataView()) return "DataView";
  return "object";
}
}  // namespace

std::string describeValue(const Napi::Value& v) {
  std::string type = typeOf(v);
  if (v.IsUndefined() || v.IsNull()) return type;
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return "'" + s + "' of type string";
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    std::string s = std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : "";
    if (s.empty()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      s = buf;
    }
    return s + " of type number";
  }
  if (v.IsBoolean()) return std::string(v.As<Napi::Boolean>().Value() ? "true" : "false") + " of type boolean";
  return "a value of type " + type;
}

void throwExpected(const std::string& what, const std::string& name, const Napi::Value& v, const char* code) {
  throw Error(code ? code : codes::kInvalidArgument, "Expected " + what + " for " + name + " but received " + describeValue(v));
}

std::string toStr(const Napi::Value& v, const std::string& name, bool allowEmpty) {
  if (!v.IsString()) throwExpected(allowEmpty ? "a string" : "a non-empty string", name, v);
  std::string s = v.As<Napi::String>().Utf8Value();
  if (!allowEmpty && s.empty()) throwExpected("a non-empty string", name, v);
  return s;
}

bool toBool(const Napi::Value& v, const std::string& name) {
  if (!v.IsBoolean()) throwExpected("a boolean", name, v);
  return v.As<Napi::Boolean>().Value();
}

int64_t toInt(const Napi::Value& v, const std::string& name, int64_t lo, int64_t hi) {
  std::string what = "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!v.IsNumber()) throwExpected(what, name, v);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi) ||
      std::fabs(d) > kMaxSafe)
    throwExpected(what, name, v);
  return static_cast<int64_t>(d);
}

Napi::Object toObject(const Napi::Value& v, const std::string& name) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) throwExpected("an object", name, v);
  return v.As<Napi::Object>();
}

Napi::Array toArray(const Napi::Value& v, const std::string& name) {
  if (!v.IsArray()) throwExpected("an array", name, v);
  return v.As<Napi::Array>();
}

std::vector<std::string> toStrings(const Napi::Value& v, const std::string& name) {
  Napi::Array a = toArray(v, name);
  std::vector<std::string> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(toStr(a.Get(i), name + "[" + std::to_string(i) + "]"));
  return out;
}

Shape toShape(const Napi::Value& v, const std::string& name) {
  Napi::Array a = toArray(v, name);
  if (a.Length() > kMaxDims) throwExpected("at most " + std::to_string(kMaxDims) + " dims", name, v);
  Shape shape;
  for (uint32_t i = 0; i < a.Length(); ++i)
    shape.push_back(toInt(a.Get(i), name + "[" + std::to_string(i) + "]", 0, static_cast<int64_t>(kMaxSafe)));
  return shape;
}

DType toDtype(const Napi::Value& v, const std::string& name) {
  DType t;
  if (!v.IsString() || !parseDtype(v.As<Napi::String>().Utf8Value(), &t))
    throwExpected("one of float32, float64, int32, int64, uint8, bool", name, v, codes::kDtypeMismatch);
  return t;
}

// ---- Ops ----

namespace {
Argument toArgument(const Napi::Value& v, const std::string& name) {
  if (v.IsBoolean()) return Argument::ofInt(v.As<Napi::Boolean>().Value() ? 1 : 0);
  if (v.IsString()) return Argument::ofString(v.As<Napi::String>().Utf8Value());
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d)) throwExpected("a number", name, v);
    if (d == std::floor(d) && std::fabs(d) <= kMaxSafe) return Argument::ofInt(static_cast<int64_t>(d));
    return Argument::ofFloat(d);
  }
  if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    uint32_t n = a.Length();
    bool strings = n > 0 && a.Get(0u).IsString();
    std::vector<std::string> ss;
    std::vector<double> ds;
    bool allInts = true;
    for (uint32_t i = 0; i < n; ++i) {
      Napi::Value e = a.Get(i);
      std::string en = name + "[" + std::to_string(i) + "]";
      if (strings) {
        ss.push_back(toStr(e, en));
        continue;
      }
      if (!e.IsNumber()) throwExpected("a number", en, e);
      double d = e.As<Napi::Number>().DoubleValue();
      if (std::isnan(d)) throwExpected("a number", en, e);
      allInts = allInts && d == std::floor(d) && std::fabs(d) <= kMaxSafe;
      ds.push_back(d);
    }
    if (strings) return Argument::ofStrings(std::move(ss));
    if (allInts) return Argument::ofInts(std::vector<int64_t>(ds.begin(), ds.end()));
    return Argument::ofFloats(std::move(ds));
  }
  throwExpected("a number, string, boolean or array", name, v);
}

Napi::Value argumentToJs(Napi::Env env, const Argument& a) {
  switch (a.type) {
    case Argument::Type::Int: return Napi::Number::New(env, static_cast<double>(a.i));
    case Argument::Type::Float: return Napi::Number::New(env, a.f);
    case Argument::Type::String: return Napi::String::New(env, a.s);
    case Argument::Type::Ints: {
      Napi::Array arr = Napi::Array::New(env, a.ints.size());
      for (size_t i = 0; i < a.ints.size(); ++i) arr.Set(i, Napi::Number::New(env, static_cast<double>(a.ints[i])));
      return arr;
    }
    case Argument::Type::Floats: {
      Napi::Array arr = Napi::Array::New(env, a.floats.size());
      for (size_t i = 0; i < a.floats.size(); ++i) arr.Set(i, Napi::Number::New(env, a.floats[i]));
      return arr;
    }
    case Argument::Type::Strings: {
      Napi::Array arr = Napi::Array::New(env, a.strings.size());
      for (size_t i = 0; i < a.strings.size(); ++i) arr.Set(i, Napi::String::New(env, a.strings[i]));
      return arr;
    }
  }
  return env.Undefined();
}

Napi::Array stringsToJs(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array arr = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) arr.Set(i, Napi::String::New(env, v[i]));
  return arr;
}
}  // namespace

OperatorDef toOpDef(const Napi::Value& v, const std::string& name) {
  Napi::Object o = toObject(v, name);
  OperatorDef d;
  d.type = toStr(o.Get("type"), name + ".type", false);
  d.inputs = toStrings(o.Get("inputs"), name + ".inputs");
  d.outputs = toStrings(o.Get("outputs"), name + ".outputs");
  Napi::Value label = o.Get("name");
  if (!isMissing(label)) d.name = toStr(label, name + ".name");
  Napi::Value args = o.Get("args");
  if (!isMissing(args)) {
    Napi::Object a = toObject(args, name + ".args");
    Napi::Array keys = a.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      std::string key = keys.Get(i).ToString().Utf8Value();
      Napi::Value value = a.Get(key);
      if (value.IsUndefined()) continue;  // { lr: undefined } means "not given", as in TS option bags
      d.args[key] = toArgument(value, name + ".args." + key);
    }
  }
  return d;
}

Napi::Object opDefToJs(Napi::Env env, const OperatorDef& def) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", def.type);
  o.Set("inputs", stringsToJs(env, def.inputs));
  o.Set("outputs", stringsToJs(env, def.outputs));
  Napi::Object args = Napi::Object::New(env);
  for (const auto& kv : def.args) args.Set(kv.first, argumentToJs(env, kv.second));
  o.Set("args", args);
  if (!def.name.empty()) o.Set("name", def.name);
  return o;
}

}  // namespace hogwild::napi
