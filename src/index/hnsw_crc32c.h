#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the HNSW index file.
// Software slice-by-8: a few GB/s, no CPU feature needed.
//
// Thread safety: pure functions (the tables are built once, at static initialisation).

#include <cstddef>
#include <cstdint>

namespace quiver::index::internal {

// Extends `crc` (the value for the bytes so far; 0 for none) over data[0, size).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

inline uint32_t Crc32c(const void* data, size_t size) { return Crc32cExtend(0, data, size); }

}  // namespace quiver::index::internal
