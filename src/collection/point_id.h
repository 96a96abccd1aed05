#pragma once
// PointId: Qdrant's point identifier, an unsigned 64-bit integer or a UUID.
//
// UUIDs are accepted in any textual form Qdrant accepts (hyphenated, simple 32 hex digits, braced,
// urn:uuid:) and always rendered hyphenated lower-case.

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>

#include "common/json.h"
#include "common/status.h"

namespace quiver {

struct PointId {
  bool is_uuid = false;
  uint64_t num = 0;                // when !is_uuid
  std::array<uint8_t, 16> uuid{};  // when is_uuid

  static PointId Num(uint64_t n) { return PointId{false, n, {}}; }

  // Parses a JSON id: a non-negative integer or a UUID string. kInvalidArgument otherwise.
  static StatusOr<PointId> FromJson(const Json& j);
  // Parses a path segment (`GET /points/{id}`): digits or a UUID.
  static StatusOr<PointId> FromString(std::string_view s);

  Json ToJson() const;
  std::string ToString() const;

  // Fixed-size binary form used in storage keys: 0x00 + 8 bytes big-endian, or 0x01 + 16 bytes.
  std::string Encode() const;
  static StatusOr<PointId> Decode(std::string_view bytes);

  // Qdrant orders integer ids before UUIDs.
  auto operator<=>(const PointId&) const = default;
};

struct PointIdHash {
  size_t operator()(const PointId& p) const noexcept;
};

}  // namespace quiver
