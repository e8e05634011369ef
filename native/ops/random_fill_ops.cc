// Random fills: UniformFill(min, max), GaussianFill(mean, std), XavierFill and
// MSRAFill, float32 (default) or float64 via `dtype`.
//
// Deterministic by construction: each op owns a splitmix64 stream seeded by
// `seed` (default: a hash of the op type and output name, so two parameters
// get different values and a rebuilt job gets the same ones). Runs continue
// the stream. Integer steps are exact everywhere; Gaussians use Box-Muller in
// double, whose log/cos/sin may differ in the last bit between C libraries,
// which changes a float32 result only when it lies on a rounding boundary.
// std::normal_distribution is avoided: its algorithm is implementation-defined.
#include <algorithm>
#include <cmath>

#include "filler_op.h"
#include "registry.h"

namespace hogwild {
namespace {

// Steele, Lea, Flood: "Fast splittable pseudorandom number generators" (2014).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : _state(seed) {}
  uint64_t next() {
    uint64_t z = (_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // (0, 1]: safe to take the log of.
  double uniformOpenZero() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }

 private:
  uint64_t _state;
};

uint64_t fnv1a(const std::string& s, uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

enum class Dist { Uniform, Gaussian, Xavier, MSRA };

template <Dist K> class RandomFillOp final : public FillerOp {
 public:
  RandomFillOp(const OperatorDef& def, Workspace& ws)
      : FillerOp(def, ws),
        _dtype(argDtype("dtype", DType::Float32)),
        _rng(hasArg("seed") ? static_cast<uint64_t>(argInt("seed", 0)) : defaultSeed(def)) {
    if (!isFloatDtype(_dtype))
      fail(codes::kInvalidArgument, std::string("Expected dtype float32 or float64 but received ") + dtypeName(_dtype));
    if constexpr (K == Dist::Uniform) {
      _a = argFloat("min", 0.0);
      _b = argFloat("max", 1.0);
      // fill_count N >= 0: only the first N elements are drawn, the others are 0 (fastText 0.9.2
      // initializes only the first thread/10 of its input matrix; matching it keeps its dynamics).
      _fillCount = argInt("fill_count", -1);
      if (_fillCount < -1) fail(codes::kInvalidArgument, "Expected fill_count >= 0 (or -1: all) but received " + std::to_string(_fillCount));
      if (!std::isfinite(_a) || !std::isfinite(_b) || _a > _b) {
        fail(codes::kInvalidArgument, "Expected finite min <= max but received min " + std::to_string(_a) + ", max " +
                                          std::to_string(_b));
      }
    } else if constexpr (K == Dist::Gaussian) {
      _a = argFloat("mean", 0.0);
      _b = argFloat("std", 1.0);
      if (!std::isfinite(_a) || !std::isfinite(_b) || _b < 0) {
        fail(codes::kInvalidArgument, "Expected a finite mean and std >= 0 but received mean " + std::to_string(_a) +
                                          ", std " + std::to_string(_b));
      }
    }
    if (shapeKnown()) scaleFor(fillShape());
  }

  void run(RunContext&) override {
    Shape shape = fillShape();
    const double scale = scaleFor(shape);
    Tensor& out = output(0);
    out.resize(_dtype, std::move(shape));
    visitFloat(_dtype, [&](auto tag) {
      using T = decltype(tag);
      T* p = elems<T>(out);
      const int64_t n = out.numel();
      if constexpr (K == Dist::Uniform || K == Dist::Xavier) {
        const double lo = K == Dist::Uniform ? _a : -scale, hi = K == Dist::Uniform ? _b : scale;
        const int64_t drawn = _fillCount < 0 ? n : std::min(n, _fillCount);
        for (int64_t i = 0; i < drawn; ++i) p[i] = static_cast<T>(lo + (hi - lo) * _rng.uniform());
        for (int64_t i = drawn; i < n; ++i) p[i] = T(0);
      } else {
        const double mean = K == Dist::Gaussian ? _a : 0.0, sd = K == Dist::Gaussian ? _b : scale;
        for (int64_t i = 0; i < n; i += 2) {
          // Box-Muller gives a pair; an odd tail drops the second one.
          const double r = std::sqrt(-2.0 * std::log(_rng.uniformOpenZero()));
          const double t = 6.283185307179586 * _rng.uniform();
          p[i] = static_cast<T>(mean + sd * r * std::cos(t));
          if (i + 1 < n) p[i + 1] = static_cast<T>(mean + sd * r * std::sin(t));
        }
      }
    });
  }

 private:
  static uint64_t defaultSeed(const OperatorDef& def) {
    return fnv1a(def.outputs.empty() ? std::string() : def.outputs[0], fnv1a(def.type + '\0'));
  }

  // Xavier: uniform in +-sqrt(3/fan_in), fan_in = numel/dim0. MSRA: gaussian
  // with std sqrt(2/fan_out), fan_out = numel/dim1 (Caffe2's filler_op.h).
  double scaleFor(const Shape& shape) const {
    if constexpr (K == Dist::Xavier || K == Dist::MSRA) {
      const size_t dim = K == Dist::Xavier ? 0 : 1;
      const int64_t n = checkedNumel(shape);
      if (shape.size() <= dim || n == 0) {
        fail(codes::kShapeMismatch, std::string("Expected a non-empty shape with at least ") + std::to_string(dim + 1) +
                                        " dims but received " + shapeString(shape));
      }
      const double fan = static_cast<double>(n / shape[dim]);
      return std::sqrt((K == Dist::Xavier ? 3.0 : 2.0) / fan);
    } else {
      (void)shape;
      return 1.0;
    }
  }

  DType _dtype;
  double _a = 0, _b = 0;
  int64_t _fillCount = -1;
  SplitMix64 _rng;
};

}  // namespace

#define HW_RANDOM_FILL_ARGS "shape", "extra_shape", "input_as_shape", "dtype", "seed"
HW_REGISTER_OP(UniformFill, RandomFillOp<Dist::Uniform>)
    .inputs(0, 1).outputs(1).argList({HW_RANDOM_FILL_ARGS, "min", "max", "fill_count"})
    .describe("Uniform values in [min, max] (default [0, 1]); deterministic for a seed.");
HW_REGISTER_OP(GaussianFill, RandomFillOp<Dist::Gaussian>)
    .inputs(0, 1).outputs(1).argList({HW_RANDOM_FILL_ARGS, "mean", "std"})
    .describe("Normal values (mean 0, std 1 by default); deterministic for a seed.");
HW_REGISTER_OP(XavierFill, RandomFillOp<Dist::Xavier>)
    .inputs(0, 1).outputs(1).argList({HW_RANDOM_FILL_ARGS})
    .describe("Uniform in +-sqrt(3/fan_in), fan_in = numel/dim0; deterministic for a seed.");
HW_REGISTER_OP(MSRAFill, RandomFillOp<Dist::MSRA>)
    .inputs(0, 1).outputs(1).argList({HW_RANDOM_FILL_ARGS})
    .describe("Normal with std sqrt(2/fan_out), fan_out = numel/dim1; deterministic for a seed.");
#undef HW_RANDOM_FILL_ARGS

}  // namespace hogwild
