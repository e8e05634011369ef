#pragma once
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TF tensor
// bundles and LevelDB use. Uses the SSE4.2 crc32 instruction (three
// interleaved streams) where the CPU has it, a slicing-by-8 table otherwise.
//   crc32c("123456789") == 0xE3069283
#include <cstddef>
#include <cstdint>

namespace hogwild::ckpt {

// Continues a CRC: crc32c(A || B) == crc32cExtend(crc32c(A), B). Start from 0.
uint32_t crc32cExtend(uint32_t crc, const void* data, size_t n);
inline uint32_t crc32c(const void* data, size_t n) { return crc32cExtend(0, data, n); }

// crc32c(A || B) from crc32c(A), crc32c(B) and the length of B: lets threads
// checksum pieces of one tensor independently.
uint32_t crc32cCombine(uint32_t crcA, uint32_t crcB, uint64_t lengthB);

// The portable table version, for tests comparing the two paths.
uint32_t crc32cExtendPortable(uint32_t crc, const void* data, size_t n);
// True when crc32cExtend uses the hardware instruction.
bool crc32cHardware();

}  // namespace hogwild::ckpt
