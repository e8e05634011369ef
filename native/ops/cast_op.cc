// Cast(to): converts a tensor's dtype. `to` is a dtype name or a Caffe2 enum
// number. Float to integer conversions fail on NaN or out-of-range values
// (C++ leaves them undefined, numpy returns garbage); integer narrowing wraps
// and anything nonzero becomes true. The gradient casts the output gradient
// back to `from_type`, which must then be given (as in Caffe2).
#include <cmath>
#include <utility>

#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

// Exclusive bounds of the doubles that truncate into T.
template <typename T> bool fitsInteger(double v) {
  if constexpr (std::is_same_v<T, int32_t>) return v > -2147483649.0 && v < 2147483648.0;
  if constexpr (std::is_same_v<T, int64_t>) return v >= -9223372036854775808.0 && v < 9223372036854775808.0;
  if constexpr (std::is_same_v<T, uint8_t>) return v > -1.0 && v < 256.0;
  return true;
}

class CastOp final : public BasicOp {
 public:
  CastOp(const OperatorDef& def, Workspace& ws) : BasicOp(def, ws) {
    if (!hasArg("to")) fail(codes::kInvalidArgument, "Expected argument 'to'");
    _to = argDtype("to", DType::Float32);
    if (hasArg("from_type")) argDtype("from_type", DType::Float32);
  }

  void run(RunContext&) override {
    const Tensor& x = input(0);
    const bool alias = outputIsInput(0, 0);
    if (alias && x.dtype() == _to) return;
    Tensor& y = alias ? _scratch : output(0);
    y.resize(_to, x.shape());
    visitDtype(x.dtype(), [&](auto src) {
      visitDtype(_to, [&](auto dst) { convert<decltype(src), decltype(dst)>(x, y); });
    });
    if (alias) std::swap(output(0), _scratch);
  }

 private:
  template <typename S, typename D> void convert(const Tensor& x, Tensor& y) const {
    const S* in = elems<S>(x);
    D* out = elems<D>(y);
    const int64_t n = x.numel();
    const bool srcBool = x.dtype() == DType::Bool, dstBool = _to == DType::Bool;
    if (dstBool || srcBool) {
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<D>(in[i] != 0 ? 1 : 0);
      return;
    }
    if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
      for (int64_t i = 0; i < n; ++i) {
        const double v = static_cast<double>(in[i]);
        if (!fitsInteger<D>(v)) {
          fail(codes::kInvalidArgument, std::string("Expected values representable as ") + dtypeName(_to) +
                                            " in input 0 '" + inputName(0) + "' but element " + std::to_string(i) +
                                            " is " + std::to_string(v));
        }
        out[i] = static_cast<D>(v);
      }
    } else if constexpr (std::is_integral_v<S> && std::is_integral_v<D> && !std::is_same_v<S, D>) {
      // Two's complement wrap (well defined for unsigned, the usual result for signed).
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<D>(static_cast<std::make_unsigned_t<S>>(in[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<D>(in[i]);
    }
  }

  DType _to = DType::Float32;
  Tensor _scratch;
};

GradientDefs castGradient(const OperatorDef& def, const std::vector<std::string>& g) {
  GradientDefs r;
  if (g[0].empty()) return r;
  auto it = def.args.find("from_type");
  HW_CHECK(it != def.args.end(), codes::kInvalidArgument,
           "Cast: the gradient needs argument 'from_type' (the input's dtype)");
  r.ops.push_back(makeOp("Cast", {g[0]}, {gradName(def.inputs[0])}, {{"to", it->second}}));
  r.inputs = {denseGradient(gradName(def.inputs[0]))};
  return r;
}

}  // namespace

HW_REGISTER_OP(Cast, CastOp)
    .inputs(1).outputs(1).argList({"to", "from_type"}).gradientMaker(castGradient)
    .describe("Converts to dtype `to`; float to integer fails on NaN or out-of-range values.");

}  // namespace hogwild
