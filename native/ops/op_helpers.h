#pragma once
// What the basic op families share: typed argument parsing (dtypes, shapes,
// axes), dtype checks and dispatch, in-place rules and scalar outputs.
// Ops derive from BasicOp instead of Operator to get them.
#include <cstdint>
#include <string>
#include <type_traits>

#include "registry.h"

namespace hogwild {

// A dtype by our name ("float32"…) or Caffe2's ("float", "double", "int",
// "long", "byte", any case). False when it names no dtype we hold.
bool parseDtypeAlias(const std::string& name, DType* out);
// Caffe2 TensorProto.DataType numbers: 1 FLOAT, 2 INT32, 3 BYTE, 5 BOOL, 6 UINT8, 10 INT64, 13 DOUBLE.
bool dtypeFromCaffe2Enum(int64_t value, DType* out);

inline bool isFloatDtype(DType t) { return t == DType::Float32 || t == DType::Float64; }
// The dtypes arithmetic ops accept (Caffe2's NumericTypes).
inline bool isNumericDtype(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Int32 || t == DType::Int64;
}

// Calls f(T{}) with the C++ type of `t`. Bool tensors are visited as uint8_t
// so kernels never load a byte that is not 0/1 through a `bool` (UB).
template <typename F> void visitDtype(DType t, F&& f) {
  switch (t) {
    case DType::Float32: f(float{}); return;
    case DType::Float64: f(double{}); return;
    case DType::Int32: f(int32_t{}); return;
    case DType::Int64: f(int64_t{}); return;
    case DType::Uint8:
    case DType::Bool: f(uint8_t{}); return;
  }
}
// Only float32/float64/int32/int64 instantiate `f` (callers checked the dtype).
template <typename F> void visitNumeric(DType t, F&& f) {
  switch (t) {
    case DType::Float32: f(float{}); return;
    case DType::Float64: f(double{}); return;
    case DType::Int32: f(int32_t{}); return;
    case DType::Int64: f(int64_t{}); return;
    default: HW_THROW(codes::kInternal, "visitNumeric on " << dtypeName(t));
  }
}
template <typename F> void visitFloat(DType t, F&& f) {
  switch (t) {
    case DType::Float32: f(float{}); return;
    case DType::Float64: f(double{}); return;
    default: HW_THROW(codes::kInternal, "visitFloat on " << dtypeName(t));
  }
}

// a + b that wraps like numpy on integers instead of overflowing (signed overflow is UB).
template <typename T> T wrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}

// Element pointers that see bool tensors as bytes (see visitDtype).
template <typename T> const T* elems(const Tensor& t) { return static_cast<const T*>(t.raw()); }
template <typename T> T* elems(Tensor& t) { return static_cast<T*>(t.raw()); }

inline GradientSpec denseGradient(const std::string& blob) {
  GradientSpec s;
  s.kind = GradientSpec::Kind::Dense;
  s.dense = blob;
  return s;
}
// When one blob feeds several inputs of `def`, its gradient is the sum of
// their slots. Slots that the gradient ops write are renamed apart and slots
// that pass another blob through are kept; a Sum adds them into the blob's
// gradient name, which every such input's spec then names (the gradient
// builder counts a name repeated within one op's group once).
void sumRepeatedInputGradients(const OperatorDef& def, GradientDefs* g);
// The args of `def` named in `names` (for gradient ops that repeat their forward op's args).
std::map<std::string, Argument> copyArgs(const OperatorDef& def, std::initializer_list<const char*> names);

class BasicOp : public Operator {
 public:
  using Operator::Operator;

 protected:
  // The dtype argument `name` (a dtype name or a Caffe2 enum number); `fallback` when absent.
  DType argDtype(const std::string& name, DType fallback) const;
  // A shape argument; every dim must be >= 0.
  Shape argShape(const std::string& name) const;
  // `axis` normalized into [0, rank) (negative counts from the end).
  int64_t normalizeAxis(int64_t axis, int64_t rank, const std::string& argName) const;

  void expectSameDtype(size_t i, const Tensor& a, size_t j, const Tensor& b) const;
  void expectFloat(size_t i, const Tensor& t) const;
  void expectNumeric(size_t i, const Tensor& t) const;
  // The values of a 1-D int32/int64 input (shapes, split sizes).
  std::vector<int64_t> intValues(size_t i, const Tensor& t) const;
  // Size-1 float tensors (weights, learning rates); returns the value as double.
  double scalarValue(size_t i, const Tensor& t) const;

  bool outputIsInput(size_t out, size_t in) const { return &outputBlob(out) == &inputBlob(in); }
  // True when output `out` is any input (ops that must not overwrite what they still read
  // write such an output into a scratch tensor and swap it in at the end).
  bool outputIsAnyInput(size_t out) const {
    for (size_t i = 0; i < numInputs(); ++i)
      if (outputIsInput(out, i)) return true;
    return false;
  }
  // Output `out` written in place over input `in` must keep that input's shape,
  // or the kernel would read what it already overwrote.
  void checkInPlaceShape(size_t out, size_t in, const Shape& outShape) const;
  // Fails unless no output is input `in` (ops that read it after writing).
  void forbidInPlace(size_t in) const;

  // Writes a 0-D scalar (Caffe2's scalar outputs are shape []).
  template <typename T> void setScalar(size_t out, T value) {
    Tensor& t = output(out);
    t.resize(DTypeOf<T>::value, {});
    *static_cast<T*>(t.raw()) = value;
  }
  void setBoolScalar(size_t out, bool value) {
    Tensor& t = output(out);
    t.resize(DType::Bool, {});
    *static_cast<uint8_t*>(t.raw()) = value ? 1 : 0;
  }
};

// splitmix64's finalizer: a well-mixed hash of 64 bits.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Per-element random draws that do not depend on thread timing (Dropout,
// SampleLabel): the r-th run of op instance `instance` draws mix64(stream + e·φ)
// for element e, with stream = runStream(seed, instance, r).
constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ull;
inline uint64_t runStream(uint64_t seed, uint64_t instance, uint64_t run) {
  return mix64(seed ^ mix64(instance + kGoldenGamma)) ^ mix64(run);
}
inline uint64_t elementDraw(uint64_t stream, uint64_t e) { return mix64(stream + e * kGoldenGamma); }

}  // namespace hogwild
