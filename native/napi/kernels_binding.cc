// The kernels part of the binding: which SIMD level runs (simdInfo), and the
// synchronous benchmark entry points of bench/gemm.ts (benchGemm, fmaPeak, gemmTilePeak).
// The benchmarks block the calling JS thread by design: they time one core, or
// with `threads` several cores at once (short-lived threads of their own).
#include <time.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../kernels/dense_kernels.h"
#include "errors.h"
#include "registrations.h"

namespace hogwild::napi {

namespace {

using kernels::Isa;

Napi::Array isaList(Napi::Env env, const std::vector<Isa>& isas) {
  Napi::Array a = Napi::Array::New(env, isas.size());
  for (size_t i = 0; i < isas.size(); ++i) a.Set(static_cast<uint32_t>(i), kernels::isaName(isas[i]));
  return a;
}

Napi::Value simdInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("active", kernels::isaName(kernels::denseKernels().isa));
  o.Set("supported", isaList(env, kernels::supportedIsas()));
  o.Set("compiledWith", isaList(env, kernels::compiledIsas()));
  return o;
}

// Options object helpers (the TS side validates first; these re-check).
const kernels::DenseKernels& tableFrom(Napi::Object o) {
  if (!o.Has("isa") || o.Get("isa").IsUndefined()) return kernels::denseKernels();
  Napi::Value v = o.Get("isa");
  Isa isa;
  if (!v.IsString() || !kernels::parseIsa(v.As<Napi::String>().Utf8Value(), &isa))
    HW_THROW(codes::kInvalidArgument, "Expected 'scalar', 'neon', 'avx2' or 'avx512' for isa");
  return kernels::denseKernelsFor(isa);
}
int64_t intOpt(Napi::Object o, const char* name, int64_t lo, int64_t hi, int64_t fallback) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return fallback;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  HW_CHECK(std::isfinite(d) && d == std::floor(d) && d >= lo && d <= hi, codes::kInvalidArgument,
           "Expected an integer in [" << lo << ", " << hi << "] for " << name);
  return static_cast<int64_t>(d);
}
double numOpt(Napi::Object o, const char* name, double lo, double hi, double fallback) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return fallback;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  HW_CHECK(std::isfinite(d) && d >= lo && d <= hi, codes::kInvalidArgument,
           "Expected a number in [" << lo << ", " << hi << "] for " << name);
  return d;
}
bool boolOpt(Napi::Object o, const char* name) {
  Napi::Value v = o.Get(name);
  return !v.IsUndefined() && v.ToBoolean().Value();
}
Napi::Object optionsArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || info[0].IsUndefined()) return Napi::Object::New(info.Env());
  HW_CHECK(info[0].IsObject(), codes::kInvalidArgument, "Expected an options object");
  return info[0].As<Napi::Object>();
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
// CPU time of the calling thread: unlike wall time it does not count the
// time other processes hold the core, so figures stay comparable on a busy machine.
double cpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// One timed measurement: best seconds per call, from wall and thread CPU time.
struct Timing {
  double seconds = 1e30, cpuSeconds = 1e30;
};

// sgemm C = op(A)·op(B) on seeded data: warm-up, then the best of `rounds`
// rounds of at least minSeconds each. Every caller thread owns its buffers.
struct GemmJob {
  const kernels::DenseKernels* K;
  int64_t m, n, k;
  bool ta, tb;
  double minSeconds;
  int64_t rounds;

  Timing run(int64_t* calls) const {
    std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n)), c(static_cast<size_t>(m * n));
    uint32_t s = 12345;
    for (auto* v : {&a, &b})
      for (float& x : *v) {
        s = s * 1664525u + 1013904223u;
        x = static_cast<float>(s >> 8) / 16777216.f - 0.5f;
      }
    const int64_t lda = ta ? m : k, ldb = tb ? k : n;
    auto call = [&] { K->sgemm(ta, tb, m, n, k, 1.f, a.data(), lda, b.data(), ldb, 0.f, c.data(), n); };
    call();  // warm-up: packing buffers, caches
    Timing best;
    for (int64_t r = 0; r < rounds; ++r) {
      int64_t it = 0;
      const double t0 = now(), c0 = cpuNow();
      double el;
      do {
        call();
        ++it;
        el = now() - t0;
      } while (el < minSeconds);
      *calls += it;
      best.seconds = std::fmin(best.seconds, el / static_cast<double>(it));
      best.cpuSeconds = std::fmin(best.cpuSeconds, (cpuNow() - c0) / static_cast<double>(it));
    }
    return best;
  }
};

// The best FMA rate (flops/s, wall and CPU) over `rounds` rounds.
std::pair<double, double> fmaRate(const kernels::DenseKernels& K, double minSeconds, int64_t rounds) {
  double best = 0, bestCpu = 0;
  for (int64_t r = 0; r < rounds; ++r) {
    double flops = 0, el;
    const double t0 = now(), c0 = cpuNow();
    do {
      flops += K.fmaPeakLoop(1 << 20);
      el = now() - t0;
    } while (el < minSeconds);
    best = std::fmax(best, flops / el);
    bestCpu = std::fmax(bestCpu, flops / (cpuNow() - c0));
  }
  return {best, bestCpu};
}

// Runs body(i) on `threads` threads released together (the caller is thread 0),
// so a multi-core figure times every core busy at once. Each body owns its data.
template <class F> void onThreadsAtOnce(int64_t threads, F body) {
  std::atomic<int64_t> arrived{0};
  auto start = [&](int64_t i) {
    arrived.fetch_add(1);
    while (arrived.load() < threads) std::this_thread::yield();
    body(i);
  };
  std::vector<std::thread> pool;
  for (int64_t i = 1; i < threads; ++i) pool.emplace_back(start, i);
  start(0);
  for (auto& t : pool) t.join();
}

Napi::Array numbers(Napi::Env env, const std::vector<double>& xs) {
  Napi::Array a = Napi::Array::New(env, xs.size());
  for (size_t i = 0; i < xs.size(); ++i) a.Set(static_cast<uint32_t>(i), xs[i]);
  return a;
}
double mean(const std::vector<double>& xs) {
  double s = 0;
  for (double x : xs) s += x;
  return s / static_cast<double>(xs.size());
}

// benchGemm({ isa?, m, n, k, transA?, transB?, minSeconds?, rounds?, threads? }):
// C = op(A)·op(B) on random data; best of `rounds` timed rounds of at least
// minSeconds each. threads > 1: the same measurement on that many threads at
// once, each its own copy (nothing shared); the rates are per thread (mean,
// and perThread).
Napi::Value benchGemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    Napi::Object o = optionsArg(info);
    const kernels::DenseKernels& K = tableFrom(o);
    const int64_t m = intOpt(o, "m", 1, 16384, 0), n = intOpt(o, "n", 1, 16384, 0), k = intOpt(o, "k", 1, 16384, 0);
    HW_CHECK(m && n && k, codes::kInvalidArgument, "Expected m, n and k");
    const int64_t threads = intOpt(o, "threads", 1, 64, 1);
    const GemmJob job{&K, m, n, k, boolOpt(o, "transA"), boolOpt(o, "transB"), numOpt(o, "minSeconds", 0, 60, 0.05),
                      intOpt(o, "rounds", 1, 1000, 7)};
    std::vector<Timing> t(static_cast<size_t>(threads));
    std::vector<int64_t> calls(static_cast<size_t>(threads), 0);
    onThreadsAtOnce(threads, [&](int64_t i) { t[i] = job.run(&calls[i]); });
    const double flop = 2.0 * static_cast<double>(m) * n * k;
    std::vector<double> g, gc, sec, csec;
    for (const Timing& x : t) {
      g.push_back(flop / x.seconds / 1e9);
      gc.push_back(flop / x.cpuSeconds / 1e9);
      sec.push_back(x.seconds);
      csec.push_back(x.cpuSeconds);
    }
    double allCalls = 0;
    for (int64_t c : calls) allCalls += static_cast<double>(c);
    Napi::Object out = Napi::Object::New(env);
    out.Set("isa", kernels::isaName(K.isa));
    out.Set("seconds", mean(sec));
    out.Set("gflops", mean(g));
    out.Set("cpuSeconds", mean(csec));
    out.Set("gflopsCpu", mean(gc));
    out.Set("calls", allCalls);
    out.Set("perThread", numbers(env, g));
    return out;
  });
}

// fmaPeak({ isa?, minSeconds?, rounds?, threads? }): independent FMAs on
// registers, best of `rounds`: one core's FMA peak at that level; threads > 1:
// that many cores at once, per core (mean, and perThread).
Napi::Value fmaPeak(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    Napi::Object o = optionsArg(info);
    const kernels::DenseKernels& K = tableFrom(o);
    const double minSeconds = numOpt(o, "minSeconds", 0, 60, 0.05);
    const int64_t rounds = intOpt(o, "rounds", 1, 1000, 7);
    const int64_t threads = intOpt(o, "threads", 1, 64, 1);
    std::vector<double> g(static_cast<size_t>(threads)), gc(static_cast<size_t>(threads));
    onThreadsAtOnce(threads, [&](int64_t i) {
      const auto r = fmaRate(K, minSeconds, rounds);
      g[i] = r.first / 1e9;
      gc[i] = r.second / 1e9;
    });
    Napi::Object out = Napi::Object::New(env);
    out.Set("isa", kernels::isaName(K.isa));
    out.Set("gflops", mean(g));
    out.Set("gflopsCpu", mean(gc));
    out.Set("perThread", numbers(env, g));
    return out;
  });
}

// gemmTilePeak({ isa?, minSeconds?, rounds?, tiles?, kc? }): the GEMM register
// tile alone (kernels' gemmTileLoop: `tiles` A panels from L2, one B panel in
// L1, no packing), best of `rounds`; against fmaPeak it separates the tile's
// efficiency from the blocking's. Defaults: the driver's L2 block (24 panels)
// and K block (256).
Napi::Value gemmTilePeak(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    Napi::Object o = optionsArg(info);
    const kernels::DenseKernels& K = tableFrom(o);
    const double minSeconds = numOpt(o, "minSeconds", 0, 60, 0.05);
    const int64_t rounds = intOpt(o, "rounds", 1, 1000, 7);
    const int64_t tiles = intOpt(o, "tiles", 1, 4096, 24), kc = intOpt(o, "kc", 1, 4096, 256);
    double best = 0, bestCpu = 0;
    for (int64_t r = 0; r < rounds; ++r) {
      double flops = 0, el;
      const double t0 = now(), c0 = cpuNow();
      do {
        flops += K.gemmTileLoop(tiles, kc, 16);
        el = now() - t0;
      } while (el < minSeconds);
      best = std::fmax(best, flops / el / 1e9);
      bestCpu = std::fmax(bestCpu, flops / (cpuNow() - c0) / 1e9);
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("isa", kernels::isaName(K.isa));
    out.Set("gflops", best);
    out.Set("gflopsCpu", bestCpu);
    return out;
  });
}

}  // namespace

void registerKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("simdInfo", Napi::Function::New(env, simdInfo, "simdInfo"));
  exports.Set("benchGemm", Napi::Function::New(env, benchGemm, "benchGemm"));
  exports.Set("fmaPeak", Napi::Function::New(env, fmaPeak, "fmaPeak"));
  exports.Set("gemmTilePeak", Napi::Function::New(env, gemmTilePeak, "gemmTilePeak"));
}

}  // namespace hogwild::napi
