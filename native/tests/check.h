#pragma once
// A tiny test harness for the native unit tests (run by ctest, also under
// ASan+UBSan and TSan). TEST(name) { CHECK(...); CHECK_THROWS_CODE(expr, code); }
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../core/error.h"

namespace hwtest {

struct Case { const char* name; std::function<void()> body; };
inline std::vector<Case>& cases() { static std::vector<Case> c; return c; }
inline int& failures() { static int f = 0; return f; }
struct Registrar { Registrar(const char* n, std::function<void()> b) { cases().push_back({n, std::move(b)}); } };

inline int runAll(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  int ran = 0;
  for (auto& c : cases()) {
    if (filter && !std::strstr(c.name, filter)) continue;
    int before = failures();
    try {
      c.body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "  unexpected exception: %s\n", e.what());
      ++failures();
    }
    std::fprintf(stderr, "%s %s\n", failures() == before ? "PASS" : "FAIL", c.name);
    ++ran;
  }
  std::fprintf(stderr, "%d cases, %d failures\n", ran, failures());
  return failures() ? 1 : 0;
}

}  // namespace hwtest

#define TEST(name)                                                     \
  static void hwtest_##name();                                         \
  static ::hwtest::Registrar hwtest_reg_##name(#name, hwtest_##name);  \
  static void hwtest_##name()

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++::hwtest::failures();                                                         \
    }                                                                                 \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                                            \
  do {                                                                                                   \
    double hw_a = (a), hw_b = (b);                                                                       \
    if (!(std::fabs(hw_a - hw_b) <= (tol))) {                                                            \
      std::fprintf(stderr, "  %s:%d: %s = %g, expected %g (tol %g)\n", __FILE__, __LINE__, #a, hw_a, hw_b, \
                   static_cast<double>(tol));                                                            \
      ++::hwtest::failures();                                                                            \
    }                                                                                                    \
  } while (0)

#define CHECK_THROWS_CODE(expr, want)                                                              \
  do {                                                                                             \
    bool hw_threw = false;                                                                         \
    try {                                                                                          \
      expr;                                                                                        \
    } catch (const ::hogwild::Error& e) {                                                          \
      hw_threw = std::strcmp(e.code(), (want)) == 0;                                               \
      if (!hw_threw) std::fprintf(stderr, "  %s:%d: threw %s: %s\n", __FILE__, __LINE__, e.code(), e.what()); \
    }                                                                                              \
    if (!hw_threw) {                                                                               \
      std::fprintf(stderr, "  %s:%d: expected %s from %s\n", __FILE__, __LINE__, want, #expr);     \
      ++::hwtest::failures();                                                                      \
    }                                                                                              \
  } while (0)

#define HWTEST_MAIN() \
  int main(int argc, char** argv) { return ::hwtest::runAll(argc, argv); }
