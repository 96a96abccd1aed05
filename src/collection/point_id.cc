#include "collection/point_id.h"

#include <cctype>
#include <charconv>

namespace quiver {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Accepts the forms of the Rust `uuid` crate's parser: 32 hex digits, hyphenated 8-4-4-4-12,
// braced hyphenated, and urn:uuid: hyphenated.
bool ParseUuid(std::string_view s, std::array<uint8_t, 16>* out) {
  if (s.size() == 45 && s.substr(0, 9) == "urn:uuid:") s.remove_prefix(9);
  if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  std::string hex;
  if (s.size() == 36) {
    for (size_t i = 0; i < s.size(); ++i) {
      bool dash_pos = (i == 8 || i == 13 || i == 18 || i == 23);
      if (dash_pos != (s[i] == '-')) return false;
      if (!dash_pos) hex.push_back(s[i]);
    }
  } else if (s.size() == 32) {
    hex = s;
  } else {
    return false;
  }
  for (size_t i = 0; i < 16; ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

StatusOr<PointId> PointId::FromJson(const Json& j) {
  if (j.type() == Json::Type::kInt) {
    if (j.as_int() < 0) return InvalidArgument("Point id must be an unsigned integer or UUID");
    return Num(static_cast<uint64_t>(j.as_int()));
  }
  if (j.type() == Json::Type::kUInt) return Num(j.as_uint());
  if (j.is_string()) {
    PointId id;
    id.is_uuid = true;
    if (ParseUuid(j.as_string(), &id.uuid)) return id;
    return InvalidArgument("Unable to parse UUID: " + j.as_string());
  }
  return InvalidArgument("Point id must be an unsigned integer or UUID");
}

StatusOr<PointId> PointId::FromString(std::string_view s) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) return Num(n);
  return FromJson(Json(s));
}

std::string PointId::ToString() const {
  if (!is_uuid) return std::to_string(num);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[uuid[i] >> 4]);
    s.push_back(kHex[uuid[i] & 15]);
  }
  return s;
}

Json PointId::ToJson() const { return is_uuid ? Json(ToString()) : Json(num); }

std::string PointId::Encode() const {
  std::string out;
  if (!is_uuid) {
    out.push_back('\0');
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(num >> shift));
  } else {
    out.push_back('\1');
    out.append(reinterpret_cast<const char*>(uuid.data()), uuid.size());
  }
  return out;
}

StatusOr<PointId> PointId::Decode(std::string_view b) {
  if (b.size() == 9 && b[0] == '\0') {
    uint64_t n = 0;
    for (size_t i = 1; i < 9; ++i) n = (n << 8) | static_cast<uint8_t>(b[i]);
    return Num(n);
  }
  if (b.size() == 17 && b[0] == '\1') {
    PointId id;
    id.is_uuid = true;
    for (size_t i = 0; i < 16; ++i) id.uuid[i] = static_cast<uint8_t>(b[i + 1]);
    return id;
  }
  return Internal("corrupt point id in storage");
}

size_t PointIdHash::operator()(const PointId& p) const noexcept {
  if (!p.is_uuid) return std::hash<uint64_t>()(p.num);
  uint64_t a = 0, b = 0;
  for (int i = 0; i < 8; ++i) a = (a << 8) | p.uuid[i];
  for (int i = 8; i < 16; ++i) b = (b << 8) | p.uuid[i];
  return std::hash<uint64_t>()(a ^ (b * 0x9E3779B97F4A7C15ULL));
}

}  // namespace quiver
