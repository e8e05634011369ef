#include "isa.h"

#include <cstdlib>
#include <mutex>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <cpuid.h>
#define HW_X86 1
#endif

namespace hogwild::kernels {

namespace {

#ifdef HW_X86
// XGETBV without -mxsave: reads which register states the OS saves on context switch.
unsigned long long xgetbv0() {
  unsigned int eax, edx;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}
#endif

std::vector<Isa> detect() {
  std::vector<Isa> out{Isa::Scalar};
#ifdef HW_X86
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return out;
  const bool osxsave = c & (1u << 27), fma = c & (1u << 12), avx = c & (1u << 28);
  if (!osxsave || !avx) return out;
  const unsigned long long xcr0 = xgetbv0();
  const bool ymmState = (xcr0 & 0x6) == 0x6;            // SSE + AVX state
  const bool zmmState = (xcr0 & 0xe6) == 0xe6;          // + opmask, ZMM_Hi256, Hi16_ZMM
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return out;
  const bool avx2 = b & (1u << 5);
  const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17), avx512bw = b & (1u << 30),
             avx512vl = b & (1u << 31);
  if (ymmState && avx2 && fma) out.push_back(Isa::Avx2);
  if (zmmState && avx2 && fma && avx512f && avx512dq && avx512bw && avx512vl) out.push_back(Isa::Avx512);
#elif defined(__aarch64__) || defined(__ARM_NEON)
  out.push_back(Isa::Neon);
#endif
  return out;
}

}  // namespace

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Neon: return "neon";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "?";
}

bool parseIsa(const std::string& name, Isa* out) {
  for (Isa isa : {Isa::Scalar, Isa::Neon, Isa::Avx2, Isa::Avx512}) {
    if (name == isaName(isa)) {
      *out = isa;
      return true;
    }
  }
  return false;
}

const std::vector<Isa>& supportedIsas() {
  static const std::vector<Isa> isas = detect();  // immutable after first call
  return isas;
}

Isa activeIsa() {
  static const Isa active = [] {
    Isa best = supportedIsas().back();
    const char* env = std::getenv("HOGWILD_SIMD");
    Isa wanted;
    if (env && parseIsa(env, &wanted) && static_cast<int>(wanted) < static_cast<int>(best)) {
      // Lower only to a level the machine has (scalar always qualifies).
      for (Isa isa : supportedIsas())
        if (isa == wanted) return wanted;
      return Isa::Scalar;
    }
    return best;
  }();
  return active;
}

}  // namespace hogwild::kernels
