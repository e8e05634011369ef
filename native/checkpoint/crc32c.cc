#include "crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <nmmintrin.h>
#define HW_CRC_X86 1
#endif

namespace hogwild::ckpt {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli

struct Tables {
  uint32_t t[8][256];
  Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ kPoly : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
  }
};

const Tables& tables() {
  static const Tables kTables;
  return kTables;
}

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts only (checked in format.cc)
}

// The raw register update (no pre/post inversion).
uint32_t rawPortable(uint32_t c, const uint8_t* p, size_t n) {
  const Tables& T = tables();
  while (n >= 8) {
    uint64_t v = load64(p) ^ c;
    c = T.t[7][v & 0xFF] ^ T.t[6][(v >> 8) & 0xFF] ^ T.t[5][(v >> 16) & 0xFF] ^ T.t[4][(v >> 24) & 0xFF] ^
        T.t[3][(v >> 32) & 0xFF] ^ T.t[2][(v >> 40) & 0xFF] ^ T.t[1][(v >> 48) & 0xFF] ^ T.t[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ T.t[0][(c ^ *p++) & 0xFF];
  return c;
}

// a * b modulo the polynomial, in the reflected representation (x^0 = bit 31).
uint32_t multModP(uint32_t a, uint32_t b) {
  uint32_t m = 1u << 31, p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = b & 1 ? (b >> 1) ^ kPoly : b >> 1;
  }
  return p;
}

// x^(8n) mod P: the operator that appends n zero bytes to a raw register.
uint32_t zerosOperator(size_t n) {
  uint32_t result = 1u << 31;  // x^0
  uint32_t square = 1u << 23;  // x^8
  while (n) {
    if (n & 1) result = multModP(square, result);
    square = multModP(square, square);
    n >>= 1;
  }
  return result;
}

#ifdef HW_CRC_X86
constexpr size_t kLane = 8192;  // bytes per stream per round

uint32_t laneShift() {
  static const uint32_t kShift = zerosOperator(kLane);
  return kShift;
}

__attribute__((target("sse4.2"))) uint32_t rawHardware(uint32_t c, const uint8_t* p, size_t n) {
  const uint32_t shift = laneShift();
  // Three independent streams hide the instruction's 3-cycle latency; their
  // registers are merged with the zeros operator (register is affine in c).
  while (n >= 3 * kLane) {
    uint64_t a = c, b = 0, d = 0;
    const uint8_t* pa = p;
    const uint8_t* pb = p + kLane;
    const uint8_t* pd = p + 2 * kLane;
    for (size_t i = 0; i < kLane; i += 8) {
      a = _mm_crc32_u64(a, load64(pa + i));
      b = _mm_crc32_u64(b, load64(pb + i));
      d = _mm_crc32_u64(d, load64(pd + i));
    }
    uint32_t ab = multModP(shift, static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b);
    c = multModP(shift, ab) ^ static_cast<uint32_t>(d);
    p += 3 * kLane;
    n -= 3 * kLane;
  }
  uint64_t c64 = c;
  while (n >= 8) {
    c64 = _mm_crc32_u64(c64, load64(p));
    p += 8;
    n -= 8;
  }
  c = static_cast<uint32_t>(c64);
  while (n--) c = _mm_crc32_u8(c, *p++);
  return c;
}

bool detectHardware() { return __builtin_cpu_supports("sse4.2"); }
#else
bool detectHardware() { return false; }
#endif

bool useHardware() {
  static const bool kHw = detectHardware();
  return kHw;
}

}  // namespace

bool crc32cHardware() { return useHardware(); }

uint32_t crc32cExtendPortable(uint32_t crc, const void* data, size_t n) {
  return ~rawPortable(~crc, static_cast<const uint8_t*>(data), n);
}

uint32_t crc32cCombine(uint32_t crcA, uint32_t crcB, uint64_t lengthB) {
  // The register is affine in its start value: shifting A's CRC past B's
  // length of zeros and adding B's gives the CRC of A || B (zlib's crc32_combine).
  return multModP(zerosOperator(static_cast<size_t>(lengthB)), crcA) ^ crcB;
}

uint32_t crc32cExtend(uint32_t crc, const void* data, size_t n) {
#ifdef HW_CRC_X86
  if (useHardware()) return ~rawHardware(~crc, static_cast<const uint8_t*>(data), n);
#endif
  return crc32cExtendPortable(crc, data, n);
}

}  // namespace hogwild::ckpt
