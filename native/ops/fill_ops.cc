// Constant fills (docs/caffe2.md §11): ConstantFill, the GivenTensor*Fill family
// (what `Const` emits) and ZerosLike. Shapes follow FillerOp (filler_op.h).
// Values are checked and converted once, at instantiation; a run only copies.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <sstream>

#include "../core/objects.h"
#include "filler_op.h"
#include "registry.h"

namespace hogwild {
namespace {

// `v` converted to `dtype` into *out; false when it does not fit.
bool storeValue(DType dtype, double f, int64_t i, bool isInt, void* out) {
  switch (dtype) {
    case DType::Float32:
      if (std::isfinite(f) && std::fabs(f) > FLT_MAX) return false;
      *static_cast<float*>(out) = static_cast<float>(f);
      return true;
    case DType::Float64: *static_cast<double*>(out) = f; return true;
    default: break;
  }
  if (!isInt) {
    if (!(std::isfinite(f) && f == std::floor(f) && std::fabs(f) < 9.2e18)) return false;
    i = static_cast<int64_t>(f);
  }
  switch (dtype) {
    case DType::Int32:
      if (i < INT32_MIN || i > INT32_MAX) return false;
      *static_cast<int32_t*>(out) = static_cast<int32_t>(i);
      return true;
    case DType::Int64: *static_cast<int64_t*>(out) = i; return true;
    case DType::Uint8:
      if (i < 0 || i > 255) return false;
      *static_cast<uint8_t*>(out) = static_cast<uint8_t>(i);
      return true;
    case DType::Bool:
      if (i != 0 && i != 1) return false;
      *static_cast<uint8_t*>(out) = static_cast<uint8_t>(i);
      return true;
    default: return false;
  }
}

std::string numberText(const Argument& a, size_t k) {
  std::ostringstream os;
  if (a.type == Argument::Type::Int) os << a.i;
  else if (a.type == Argument::Type::Float) os << a.f;
  else if (a.type == Argument::Type::Ints) os << a.ints[k];
  else os << a.floats[k];
  return os.str();
}

// Fills `out` (already sized) with copies of the one element in `value`.
void fillWith(Tensor& out, const Tensor& value) {
  visitDtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = *elems<T>(value);
    T* p = elems<T>(out);
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = v;
  });
}

// ConstantFill: dtype from `dtype`, else from the value's argument type
// (integer -> int64, float or absent -> float32). A bool needs dtype "bool"
// (Caffe2's Python `Const(True)` passes it explicitly).
class ConstantFillOp final : public FillerOp {
 public:
  ConstantFillOp(const OperatorDef& def, Workspace& ws) : FillerOp(def, ws) {
    auto it = def.args.find("value");
    const Argument* v = it == def.args.end() ? nullptr : &it->second;
    if (v && v->type != Argument::Type::Int && v->type != Argument::Type::Float)
      fail(codes::kInvalidArgument, "Expected a number for argument 'value'");
    const DType fallback = v && v->type == Argument::Type::Int ? DType::Int64 : DType::Float32;
    const DType dtype = argDtype("dtype", fallback);
    const double f = argFloat("value", 0.0);
    _value.resize(dtype, {});
    if (!storeValue(dtype, f, v ? v->i : 0, v && v->type == Argument::Type::Int, _value.raw())) {
      fail(codes::kInvalidArgument, std::string("Expected a value representable as ") + dtypeName(dtype) +
                                        " for argument 'value' but received " + numberText(*v, 0));
    }
  }

  void run(RunContext&) override {
    Shape shape = fillShape();
    Tensor& out = output(0);
    out.resize(_value.dtype(), std::move(shape));
    fillWith(out, _value);
  }

 private:
  Tensor _value;
};

// GivenTensor*Fill: `values` reshaped to the fill shape; count must equal numel.
// D is the variant's dtype (only GivenTensorFill's schema accepts a `dtype` arg).
template <DType D> class GivenTensorFillOp final : public FillerOp {
 public:
  GivenTensorFillOp(const OperatorDef& def, Workspace& ws) : FillerOp(def, ws) {
    const DType dtype = argDtype("dtype", D);
    auto it = def.args.find("values");
    if (it == def.args.end()) fail(codes::kInvalidArgument, "Expected argument 'values'");
    const Argument& a = it->second;
    const bool ints = a.type == Argument::Type::Ints || a.type == Argument::Type::Int;
    if (!ints && a.type != Argument::Type::Floats && a.type != Argument::Type::Float)
      fail(codes::kInvalidArgument, "Expected a list of numbers for argument 'values'");
    const std::vector<double> fs = argFloats("values");  // rejects NaN
    const size_t n = fs.size();
    _values.resize(dtype, {static_cast<int64_t>(n)});
    uint8_t* p = static_cast<uint8_t*>(_values.raw());
    for (size_t k = 0; k < n; ++k) {
      if (std::isnan(fs[k])) fail(codes::kInvalidArgument, "Expected numbers in 'values' but value " + std::to_string(k) + " is NaN");
      const int64_t iv = a.type == Argument::Type::Ints ? a.ints[k] : a.i;
      if (!storeValue(dtype, fs[k], iv, ints, p + k * dtypeSize(dtype))) {
        fail(codes::kInvalidArgument, std::string("Expected values representable as ") + dtypeName(dtype) +
                                          " but value " + std::to_string(k) + " is " + numberText(a, k));
      }
    }
    if (shapeKnown()) checkCount(fillShape());
  }

  void run(RunContext&) override {
    Shape shape = fillShape();
    checkCount(shape);
    Tensor& out = output(0);
    out.resize(_values.dtype(), std::move(shape));
    if (out.nbytes()) std::memcpy(out.raw(), _values.raw(), out.nbytes());
  }

 private:
  void checkCount(const Shape& shape) const {
    if (checkedNumel(shape) != _values.numel()) {
      fail(codes::kShapeMismatch, "Expected " + std::to_string(checkedNumel(shape)) + " values for shape " +
                                      shapeString(shape) + " but received " + std::to_string(_values.numel()));
    }
  }

  Tensor _values;
};

// Strings go to a StringList (we have no string tensors); the shape only checks the count.
class GivenTensorStringFillOp final : public FillerOp {
 public:
  GivenTensorStringFillOp(const OperatorDef& def, Workspace& ws) : FillerOp(def, ws) {
    if (!hasArg("values")) fail(codes::kInvalidArgument, "Expected argument 'values'");
    _values = argStrings("values");
    if (shapeKnown()) checkCount(fillShape());
  }
  void run(RunContext&) override {
    checkCount(fillShape());
    // A copy per run: a checkpoint restore may deserialize into the blob's object.
    outputBlob(0).setObject(std::make_shared<StringList>(_values));
  }

 private:
  void checkCount(const Shape& shape) const {
    if (static_cast<size_t>(checkedNumel(shape)) != _values.size()) {
      fail(codes::kShapeMismatch, "Expected " + std::to_string(checkedNumel(shape)) + " values for shape " +
                                      shapeString(shape) + " but received " + std::to_string(_values.size()));
    }
  }

  std::vector<std::string> _values;
};

class ZerosLikeOp final : public BasicOp {
 public:
  using BasicOp::BasicOp;
  void run(RunContext&) override {
    const Tensor& x = input(0);
    Tensor& y = output(0);
    y.resize(x.dtype(), x.shape());
    y.zero();
  }
};

}  // namespace

HW_REGISTER_OP(ConstantFill, ConstantFillOp)
    .inputs(0, 1).outputs(1).argList({"shape", "extra_shape", "input_as_shape", "value", "dtype"})
    .describe("A tensor of `shape` (or the input's) filled with `value`; dtype from `dtype` or the value's type.");
#define HW_GIVEN_FILL_ARGS "shape", "extra_shape", "input_as_shape", "values"
HW_REGISTER_OP(GivenTensorFill, GivenTensorFillOp<DType::Float32>)
    .inputs(0, 1).outputs(1).argList({HW_GIVEN_FILL_ARGS, "dtype"})
    .describe("`values` as a float32 tensor (or of `dtype`) of `shape` or the input's shape.");
HW_REGISTER_OP(GivenTensorDoubleFill, GivenTensorFillOp<DType::Float64>)
    .inputs(0, 1).outputs(1).argList({HW_GIVEN_FILL_ARGS}).describe("`values` as a float64 tensor.");
HW_REGISTER_OP(GivenTensorIntFill, GivenTensorFillOp<DType::Int32>)
    .inputs(0, 1).outputs(1).argList({HW_GIVEN_FILL_ARGS}).describe("`values` as an int32 tensor.");
HW_REGISTER_OP(GivenTensorInt64Fill, GivenTensorFillOp<DType::Int64>)
    .inputs(0, 1).outputs(1).argList({HW_GIVEN_FILL_ARGS}).describe("`values` as an int64 tensor.");
HW_REGISTER_OP(GivenTensorBoolFill, GivenTensorFillOp<DType::Bool>)
    .inputs(0, 1).outputs(1).argList({HW_GIVEN_FILL_ARGS}).describe("`values` (0/1) as a bool tensor.");
HW_REGISTER_OP(GivenTensorStringFill, GivenTensorStringFillOp)
    .inputs(0, 1).outputs(1).argList({HW_GIVEN_FILL_ARGS})
    .describe("`values` (strings) as a string list; the shape must hold as many elements.");
#undef HW_GIVEN_FILL_ARGS
HW_REGISTER_OP(ZerosLike, ZerosLikeOp)
    .inputs(1).outputs(1).describe("Zeros with the input's shape and dtype.");

}  // namespace hogwild
