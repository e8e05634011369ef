#pragma once
// Element types a tensor blob can hold, with their sizes and names (names match
// the TS `DType` strings and safetensors' dtype tags where one exists).
#include <cstddef>
#include <cstdint>
#include <string>

namespace hogwild {

enum class DType : uint8_t { Float32, Float64, Int32, Int64, Uint8, Bool };

inline size_t dtypeSize(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int32: return 4;
    case DType::Int64: return 8;
    case DType::Uint8: return 1;
    case DType::Bool: return 1;
  }
  return 0;
}

inline const char* dtypeName(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Uint8: return "uint8";
    case DType::Bool: return "bool";
  }
  return "?";
}

// Returns false when `name` is not a dtype name.
bool parseDtype(const std::string& name, DType* out);

template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::Float32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::Float64; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::Uint8; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::Bool; };

}  // namespace hogwild
