// Sparse lookup and Hogwild update throughput against a measured memory bound.
//
//   cmake -S . -B build-sparse-tests -G Ninja -DHOGWILD_BUILD_TESTS=ON
//   cmake --build build-sparse-tests --target bench_sparse && build-sparse-tests/bench_sparse [rows] [reps] [flags]
//
// Flags: --json (one JSON object on stdout instead of the tables; bench/sparse.ts reads it),
// --ops-only (skip the kernel-table runs, which are the same code in every build), --bound-mib N
// (size of the streaming-read buffer, default 1024; the memcpy copies half of it).
//
// For dims 16 and 64 on a table of `rows` rows (default 2^21: 128 MiB at dim 16, 512 MiB at 64,
// far beyond L2): SparseLengthsSum / SparseLengthsMean forward, the gradient expansion
// (SparseLengthsSumGradient) and SparseAdagrad, each through the op (the build's default
// variant) and through the kernel table with plain (racy) and relaxed-atomic accesses side by
// side; SparseAdagrad also on 2 threads sharing the table. Indices are uniform random, segments
// of 20. Bounds: a streaming read (XOR of 64-bit words), memcpy, and random reads of one
// 64-byte line per row (the latency/parallelism bound of a lookup). Best of `reps` runs (the
// machine is shared: the best run is the least disturbed one).
//
// Bytes counted per index: forward: the row (4*dim) + the index; gradient: the written row;
// SparseAdagrad: param and moment rows read and written + the gradient row read (5 * 4*dim).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../exec/net.h"
#include "../kernels/hogwild_updates.h"
#include "../kernels/sparse_kernels.h"
#include "../ops/registry.h"

using namespace hogwild;
using namespace hogwild::kernels;

namespace {

int gReps = 5;

double seconds(const std::function<void()>& f) {
  double best = 1e30;
  for (int r = 0; r < gReps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s < best) best = s;
  }
  return best;
}

bool gJson = false;
std::string gJsonRows;  // comma-separated JSON objects, printed at the end with --json

std::string jsonString(const std::string& x) {
  std::string out = "\"";
  for (char c : x) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// One measurement: `name` and `kind` ("op" or "kernel"), the `variant` of the accesses ("plain",
// "relaxed" or "scalar"), `threads`; `what` is the table's label.
struct Meas {
  const char* name;
  const char* kind;
  const char* variant;
  int threads;
  std::string what;
};

void row(int64_t dim, const Meas& m, double items, double bytes, double s, double bound) {
  const double gbs = bytes / s / 1e9;
  if (!gJson) {
    std::printf("| %-44s | %8.1f | %7.2f | %5.0f%% |\n", m.what.c_str(), items / s / 1e6, gbs, 100.0 * gbs / bound);
    return;
  }
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"dim\": %lld, \"name\": %s, \"kind\": \"%s\", \"variant\": \"%s\", \"threads\": %d, "
                "\"label\": %s, \"items\": %.0f, \"bytes\": %.0f, \"seconds\": %.9g, \"rowsPerSec\": %.6g, "
                "\"GBs\": %.6g, \"ofReadBound\": %.6g}",
                static_cast<long long>(dim), jsonString(m.name).c_str(), m.kind, m.variant, m.threads,
                jsonString(m.what).c_str(), items, bytes, s, items / s, gbs, gbs / bound);
  if (!gJsonRows.empty()) gJsonRows += ",\n  ";
  gJsonRows += buf;
}

// Tensor with no shape checks, for the kernel-level runs.
float* floats(Workspace& ws, const std::string& name, Shape shape, float fill) {
  Tensor& t = ws.createBlob(name).mutableTensor();
  t.resize(DType::Float32, std::move(shape));
  float* d = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) d[i] = fill;
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = int64_t{1} << 21;
  bool opsOnly = false;
  size_t boundMiB = 1024;
  int positional = 0;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--json") {
      gJson = true;
    } else if (arg == "--ops-only") {
      opsOnly = true;
    } else if (arg == "--bound-mib" && a + 1 < argc) {
      boundMiB = static_cast<size_t>(std::atoll(argv[++a]));
    } else if (arg.rfind("--", 0) != 0 && positional == 0) {
      rows = std::atoll(argv[a]), ++positional;
    } else if (arg.rfind("--", 0) != 0 && positional == 1) {
      gReps = std::atoi(argv[a]), ++positional;
    } else {
      std::fprintf(stderr, "usage: %s [rows] [reps] [--json] [--ops-only] [--bound-mib N]\n", argv[0]);
      return 2;
    }
  }
  if (rows < 1 || gReps < 1 || boundMiB < 1) {
    std::fprintf(stderr, "rows, reps and --bound-mib must be positive\n");
    return 2;
  }
  const int64_t nIdx = 1 << 18, segLen = 20, nSeg = nIdx / segLen, used = nSeg * segLen;
  const char* buildVariant = kRelaxedUpdates ? "relaxed" : "plain";
  if (!gJson)
    std::printf("bench_sparse: %lld rows, %lld indices per run (segments of %lld), level %s, best of %d\n",
                static_cast<long long>(rows), static_cast<long long>(used), static_cast<long long>(segLen),
                isaName(activeIsa()), gReps);

  // ---- bounds ---- (the buffers are freed before the tables are allocated)
  volatile uint64_t sink = 0;
  const size_t boundBytes = boundMiB << 20;
  double readGBs = 0, copyGBs = 0;
  {
    std::vector<uint64_t> big(boundBytes / 8);
    for (size_t i = 0; i < big.size(); ++i) big[i] = i * 0x9E3779B97F4A7C15ull;
    const double readS = seconds([&] {
      uint64_t x0 = 0, x1 = 0, x2 = 0, x3 = 0;
      for (size_t i = 0; i + 3 < big.size(); i += 4) x0 ^= big[i], x1 ^= big[i + 1], x2 ^= big[i + 2], x3 ^= big[i + 3];
      sink = x0 ^ x1 ^ x2 ^ x3;
    });
    std::vector<uint64_t> dst(big.size() / 2);
    const double copyS = seconds([&] { std::memcpy(dst.data(), big.data(), dst.size() * 8); });
    readGBs = boundBytes / readS / 1e9, copyGBs = 2.0 * dst.size() * 8 / copyS / 1e9;
  }
  if (!gJson) std::printf("\nstream read %.2f GB/s, memcpy %.2f GB/s (read + write)\n", readGBs, copyGBs);
  std::string lineJson;  // per dim: the random-line bound

  std::mt19937 rng(1);
  std::vector<int32_t> idx(static_cast<size_t>(used));
  std::uniform_int_distribution<int64_t> pick(0, rows - 1);
  for (auto& i : idx) i = static_cast<int32_t>(pick(rng));

  for (int64_t dim : {int64_t{16}, int64_t{64}}) {
    Workspace ws;
    float* table = floats(ws, "emb", {rows, dim}, 0.01f);
    floats(ws, "h", {rows, dim}, 0.0f);
    Tensor& it = ws.createBlob("ids").mutableTensor();
    it.resize(DType::Int32, {used});
    std::memcpy(it.data<int32_t>(), idx.data(), idx.size() * 4);
    Tensor& lt = ws.createBlob("len").mutableTensor();
    lt.resize(DType::Int32, {nSeg});
    for (int64_t s = 0; s < nSeg; ++s) lt.data<int32_t>()[s] = static_cast<int32_t>(segLen);
    floats(ws, "out_grad", {nSeg, dim}, 0.5f);
    float* grad = floats(ws, "g", {used, dim}, 0.001f);
    Tensor& lrT = ws.createBlob("lr").mutableTensor();
    lrT.resize(DType::Float32, {});
    *lrT.data<float>() = -0.01f;

    // Random-line bound: one float per random row (one 64-byte line, independent loads).
    const double lineS = seconds([&] {
      float acc = 0;
      for (int64_t k = 0; k < used; ++k) acc += table[static_cast<int64_t>(idx[static_cast<size_t>(k)]) * dim];
      sink = static_cast<uint64_t>(acc);
    });
    const double rowBytes = 4.0 * dim;
    if (gJson) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "%s\"%lld\": %.6g", lineJson.empty() ? "" : ", ", static_cast<long long>(dim),
                    used / lineS);
      lineJson += buf;
    } else {
      std::printf("\n### dim %lld (row %lld B): random 64-B line reads %.1f M/s\n\n", static_cast<long long>(dim),
                  static_cast<long long>(rowBytes), used / lineS / 1e6);
      std::printf("| %-44s | Mrows/s | GB/s    | of read bound |\n|---|---|---|---|\n", "what");
    }

    auto runOp = [&](const OperatorDef& def) {
      auto op = OpRegistry::instance().create(def, ws);
      RunContext ctx;
      return seconds([&] { op->run(ctx); });
    };
    const double fwdBytes = used * (rowBytes + 4);
    row(dim, {"SparseLengthsSum", "op", buildVariant, 1, "SparseLengthsSum op (" + std::string(buildVariant) + " build)"},
        used, fwdBytes, runOp(makeOp("SparseLengthsSum", {"emb", "ids", "len"}, {"out"})), readGBs);
    row(dim, {"SparseLengthsMean", "op", buildVariant, 1, "SparseLengthsMean op"}, used, fwdBytes,
        runOp(makeOp("SparseLengthsMean", {"emb", "ids", "len"}, {"out"})), readGBs);
    std::vector<float> out(static_cast<size_t>(nSeg * dim));
    if (!opsOnly) {
      for (bool relaxed : {false, true}) {
        const SparseKernels& k = sparseKernels();
        auto* f = relaxed ? k.gatherSumRelaxedI32 : k.gatherSumI32;
        const double s = seconds([&] {
          for (int64_t seg = 0; seg < nSeg; ++seg) f(table, dim, idx.data() + seg * segLen, segLen, nullptr, 1.f, out.data() + seg * dim);
        });
        row(dim, {"gatherSum", "kernel", relaxed ? "relaxed" : "plain", 1,
                  std::string("  gatherSum kernel, ") + (relaxed ? "relaxed loads" : "plain")},
            used, fwdBytes, s, readGBs);
      }
      const SparseKernels& scalarK = *sparseKernelsFor(Isa::Scalar);
      row(dim, {"gatherSum", "kernel", "scalar", 1, "  gatherSum kernel, scalar level"}, used, fwdBytes, seconds([&] {
            for (int64_t seg = 0; seg < nSeg; ++seg)
              scalarK.gatherSumI32(table, dim, idx.data() + seg * segLen, segLen, nullptr, 1.f, out.data() + seg * dim);
          }), readGBs);
    }
    row(dim, {"SparseLengthsSumGradient", "op", buildVariant, 1, "SparseLengthsSumGradient op (writes rows)"}, used,
        used * rowBytes, runOp(makeOp("SparseLengthsSumGradient", {"out_grad", "len"}, {"emb_grad_values"})), readGBs);

    const double adaBytes = used * 5 * rowBytes;
    row(dim, {"SparseAdagrad", "op", buildVariant, 1, "SparseAdagrad op (" + std::string(buildVariant) + " build)"},
        used, adaBytes, runOp(makeOp("SparseAdagrad", {"emb", "h", "ids", "g", "lr"}, {"emb", "h"})), readGBs);
    if (opsOnly) continue;
    float* h = ws.getBlob("h").mutableTensor().data<float>();
    for (UpdateAccess a : {UpdateAccess::Plain, UpdateAccess::Relaxed}) {
      const HogwildUpdates& u = *hogwildUpdatesFor(activeIsa(), a);
      const char* variant = a == UpdateAccess::Plain ? "plain" : "relaxed";
      const char* name = a == UpdateAccess::Plain ? "plain (racy)" : "relaxed atomics";
      row(dim, {"sparseAdagrad", "kernel", variant, 1, std::string("  sparseAdagrad kernel, ") + name}, used, adaBytes,
          seconds([&] { u.sparseAdagradI32(table, h, dim, idx.data(), used, grad, -0.01f, 1e-5f); }), readGBs);
      // Two Hogwild threads on the same table, half of the indices each.
      const double s2 = seconds([&] {
        std::thread other([&] { u.sparseAdagradI32(table, h, dim, idx.data() + used / 2, used - used / 2, grad, -0.01f, 1e-5f); });
        u.sparseAdagradI32(table, h, dim, idx.data(), used / 2, grad, -0.01f, 1e-5f);
        other.join();
      });
      row(dim, {"sparseAdagrad", "kernel", variant, 2, std::string("  sparseAdagrad kernel, ") + name + ", 2 threads"},
          used, adaBytes, s2, readGBs);
    }
    const HogwildUpdates& su = *hogwildUpdatesFor(Isa::Scalar, UpdateAccess::Plain);
    row(dim, {"sparseAdagrad", "kernel", "scalar", 1, "  sparseAdagrad kernel, scalar level, plain"}, used, adaBytes,
        seconds([&] { su.sparseAdagradI32(table, h, dim, idx.data(), used, grad, -0.01f, 1e-5f); }), readGBs);
  }
  if (gJson) {
    std::printf(
        "{\"rows\": %lld, \"indices\": %lld, \"segmentLength\": %lld, \"isa\": \"%s\", \"build\": \"%s\", \"reps\": %d,\n"
        " \"boundMiB\": %zu, \"readGBs\": %.6g, \"copyGBs\": %.6g, \"lineReadsPerSec\": {%s},\n"
        " \"results\": [\n  %s\n]}\n",
        static_cast<long long>(rows), static_cast<long long>(used), static_cast<long long>(segLen),
        isaName(activeIsa()), buildVariant, gReps, boundMiB, readGBs, copyGBs, lineJson.c_str(), gJsonRows.c_str());
  }
  return sink == 42 ? 1 : 0;
}
