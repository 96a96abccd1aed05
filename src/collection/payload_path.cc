#include "collection/payload_path.h"

#include <cstdint>
#include <utility>

namespace quiver {
namespace {

// Decodes one UTF-8 code point at s[*pos] and advances *pos. Malformed bytes decode as U+FFFD
// one byte at a time (our Json only holds valid UTF-8, so this is a safety net).
uint32_t DecodeUtf8(std::string_view s, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t b0 = byte(*pos);
  size_t len = b0 < 0x80           ? 1
               : (b0 >> 5) == 0x6  ? 2
               : (b0 >> 4) == 0xE  ? 3
               : (b0 >> 3) == 0x1E ? 4
                                   : 0;
  if (len == 0 || *pos + len > s.size()) {
    ++*pos;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (size_t i = 1; i < len; ++i) {
    uint8_t b = byte(*pos + i);
    if ((b >> 6) != 0x2) {
      ++*pos;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  *pos += len;
  return cp;
}

// Non-ASCII code points that are not letters or digits, for Qdrant's `char::is_alphanumeric`
// (Unicode Alphabetic or Numeric). We keep no Unicode database: this table covers the blocks of
// punctuation, symbols, spaces, combining marks and emoji; every other non-ASCII code point
// counts as a letter. Over-acceptance of exotic symbols is harmless (Qdrant would demand quotes).
struct Range32 {
  uint32_t lo, hi;
};
constexpr Range32 kNotAlnum[] = {
    {0x0080, 0x00A9},    {0x00AB, 0x00B1}, {0x00B4, 0x00B4}, {0x00B6, 0x00B8}, {0x00BB, 0x00BB},
    {0x00BF, 0x00BF},    {0x00D7, 0x00D7}, {0x00F7, 0x00F7}, {0x02C2, 0x02C5}, {0x02D2, 0x02DF},
    {0x02E5, 0x02EB},    {0x02ED, 0x02ED}, {0x02EF, 0x036F}, {0x037E, 0x037E}, {0x0387, 0x0387},
    {0x055A, 0x055F},    {0x0589, 0x058A}, {0x05BE, 0x05BE}, {0x05C0, 0x05C0}, {0x05C3, 0x05C3},
    {0x05F3, 0x05F4},    {0x060C, 0x060D}, {0x061B, 0x061F}, {0x066A, 0x066D}, {0x06D4, 0x06D4},
    {0x0964, 0x0965},    {0x0E3F, 0x0E3F}, {0x1680, 0x1680}, {0x2000, 0x206F}, {0x207A, 0x207E},
    {0x208A, 0x208E},    {0x20A0, 0x20FF}, {0x2100, 0x2101}, {0x2103, 0x2106}, {0x2108, 0x2109},
    {0x2114, 0x2114},    {0x2116, 0x2118}, {0x211E, 0x2123}, {0x2125, 0x2125}, {0x2127, 0x2127},
    {0x2129, 0x2129},    {0x212E, 0x212E}, {0x213A, 0x213B}, {0x2140, 0x2144}, {0x214A, 0x214D},
    {0x214F, 0x214F},    {0x218A, 0x245F}, {0x249C, 0x24B5}, {0x2500, 0x2775}, {0x2794, 0x2BFF},
    {0x2CE5, 0x2CEA},    {0x2CF9, 0x2CFC}, {0x2CFE, 0x2CFF}, {0x2E00, 0x2E2E}, {0x2E30, 0x2E7F},
    {0x2E80, 0x2FFF},    {0x3000, 0x3004}, {0x3008, 0x3020}, {0x302A, 0x3030}, {0x3036, 0x3037},
    {0x303D, 0x303F},    {0x3099, 0x309C}, {0x30A0, 0x30A0}, {0x30FB, 0x30FB}, {0xD800, 0xDFFF},
    {0xE000, 0xF8FF},    {0xFD3E, 0xFD3F}, {0xFE00, 0xFE6F}, {0xFEFF, 0xFEFF}, {0xFF01, 0xFF0F},
    {0xFF1A, 0xFF20},    {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65}, {0xFFE0, 0xFFFF}, {0x1F000, 0x1FAFF},
    {0xE0000, 0x10FFFF},
};

bool IsRawKeyChar(uint32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           cp == '_' || cp == '-';
  }
  for (const Range32& r : kNotAlnum) {
    if (cp >= r.lo && cp <= r.hi) return false;
  }
  return true;
}

// Length in bytes of the longest raw key at the start of s (0 if none).
size_t RawKeyLength(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t next = pos;
    if (!IsRawKeyChar(DecodeUtf8(s, &next))) break;
    pos = next;
  }
  return pos;
}

// Parses a key (raw or quoted) at s[*pos]; false when there is none.
bool ParseKey(std::string_view s, size_t* pos, std::string* key) {
  std::string_view rest = s.substr(*pos);
  if (size_t n = RawKeyLength(rest); n > 0) {
    key->assign(rest.substr(0, n));
    *pos += n;
    return true;
  }
  if (rest.empty() || rest[0] != '"') return false;
  size_t end = rest.find_first_of("\"\\", 1);
  if (end == std::string_view::npos || rest[end] != '"') return false;
  key->assign(rest.substr(1, end - 1));
  *pos += end + 1;
  return true;
}

bool ParseIndex(std::string_view digits, size_t* out) {
  if (digits.empty()) return false;
  size_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    size_t d = static_cast<size_t>(c - '0');
    if (value > (SIZE_MAX - d) / 10) return false;  // overflows usize: Qdrant rejects it too
    value = value * 10 + d;
  }
  *out = value;
  return true;
}

// Removes a member the way Qdrant's order-preserving map does (`swap_remove`): the last member
// takes the removed member's place. Returns the removed value, or null if absent.
bool SwapRemove(Json::Object* object, std::string_view key, Json* removed) {
  for (size_t i = 0; i < object->size(); ++i) {
    if ((*object)[i].first != key) continue;
    *removed = std::move((*object)[i].second);
    if (i + 1 != object->size()) (*object)[i] = std::move(object->back());
    object->pop_back();
    return true;
  }
  return false;
}

void SetAt(Json* dest, const PayloadPath& path, size_t step, const Json& values);

// Qdrant's `value_set_map`: descend into member `key` of `object`, creating it when absent.
void SetInMember(Json* object, const std::string& key, const PayloadPath& path, size_t next_step,
                 const Json& values) {
  if (Json* member = object->Find(key)) {
    SetAt(member, path, next_step, values);
    return;
  }
  Json created;
  SetAt(&created, path, next_step, values);
  object->Set(key, std::move(created));
}

void SetAt(Json* dest, const PayloadPath& path, size_t step, const Json& values) {
  if (step == path.items.size()) {
    if (!dest->is_object()) *dest = Json::MakeObject();
    MergePayload(dest, values);
    return;
  }
  const PayloadPath::Item& item = path.items[step];
  switch (item.kind) {
    case PayloadPath::Item::Kind::kKey:
      if (!dest->is_object()) *dest = Json::MakeObject();
      SetInMember(dest, item.key, path, step + 1, values);
      return;
    case PayloadPath::Item::Kind::kIndex:
      if (!dest->is_array()) *dest = Json::MakeArray();
      if (item.index < dest->as_array().size()) {
        SetAt(&dest->as_array()[item.index], path, step + 1, values);
      }
      return;
    case PayloadPath::Item::Kind::kWildcard:
      if (!dest->is_array()) {
        *dest = Json::MakeArray();
        return;
      }
      for (Json& element : dest->as_array()) SetAt(&element, path, step + 1, values);
      return;
  }
}

void RemoveAt(Json* value, const PayloadPath& path, size_t step, std::vector<Json>* removed) {
  const PayloadPath::Item& item = path.items[step];
  bool last = step + 1 == path.items.size();
  switch (item.kind) {
    case PayloadPath::Item::Kind::kKey: {
      if (!value->is_object()) return;
      if (last) {
        Json out;
        if (SwapRemove(&value->as_object(), item.key, &out)) removed->push_back(std::move(out));
      } else if (Json* member = value->Find(item.key)) {
        RemoveAt(member, path, step + 1, removed);
      }
      return;
    }
    case PayloadPath::Item::Kind::kIndex:
      // A trailing index is not removed: deleting array elements is not idempotent.
      if (!last && value->is_array() && item.index < value->as_array().size()) {
        RemoveAt(&value->as_array()[item.index], path, step + 1, removed);
      }
      return;
    case PayloadPath::Item::Kind::kWildcard:
      if (!value->is_array()) return;
      if (last) {
        removed->push_back(Json(std::move(value->as_array())));
        *value = Json::MakeArray();
      } else {
        for (Json& element : value->as_array()) RemoveAt(&element, path, step + 1, removed);
      }
      return;
  }
}

}  // namespace

StatusOr<PayloadPath> PayloadPath::Parse(std::string_view text) {
  auto invalid = [&] { return InvalidArgument("Invalid json path: '" + std::string(text) + "'"); };
  PayloadPath path;
  size_t pos = 0;
  Item first;
  if (!ParseKey(text, &pos, &first.key)) return invalid();
  path.items.push_back(std::move(first));
  while (pos < text.size()) {
    Item item;
    if (text[pos] == '.') {
      ++pos;
      if (!ParseKey(text, &pos, &item.key)) return invalid();
    } else if (text[pos] == '[') {
      size_t close = text.find(']', pos);
      if (close == std::string_view::npos) return invalid();
      std::string_view inside = text.substr(pos + 1, close - pos - 1);
      if (inside.empty()) {
        item.kind = Item::Kind::kWildcard;
      } else {
        item.kind = Item::Kind::kIndex;
        if (!ParseIndex(inside, &item.index)) return invalid();
      }
      pos = close + 1;
    } else {
      return invalid();
    }
    path.items.push_back(std::move(item));
  }
  return path;
}

std::string PayloadPath::ToString() const {
  std::string out;
  auto append_key = [&out](const std::string& key) {
    if (!key.empty() && RawKeyLength(key) == key.size()) {
      out += key;
    } else {
      out += '"';
      out += key;
      out += '"';
    }
  };
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    switch (item.kind) {
      case Item::Kind::kKey:
        if (i > 0) out += '.';
        append_key(item.key);
        break;
      case Item::Kind::kIndex:
        out += '[' + std::to_string(item.index) + ']';
        break;
      case Item::Kind::kWildcard:
        out += "[]";
        break;
    }
  }
  return out;
}

bool PayloadPath::HasWildcardSuffix() const {
  return !items.empty() && items.back().kind == Item::Kind::kWildcard;
}

PayloadPath PayloadPath::WithArraySuffix() const {
  PayloadPath out = *this;
  if (!HasWildcardSuffix()) out.items.push_back(Item{Item::Kind::kWildcard, {}, 0});
  return out;
}

std::vector<const Json*> RawValuesAtPath(const Json& payload, const PayloadPath& path) {
  std::vector<const Json*> out;
  VisitValuesAtPath(payload, path, [&out](const Json& v) {
    out.push_back(&v);
    return false;
  });
  return out;
}

std::vector<const Json*> ValuesAtPath(const Json& payload, const PayloadPath& path) {
  std::vector<const Json*> out;
  VisitValuesAtPath(payload, path, [&out](const Json& v) {
    if (v.is_array()) {
      for (const Json& element : v.as_array()) out.push_back(&element);
    } else {
      out.push_back(&v);
    }
    return false;
  });
  return out;
}

void MergePayload(Json* object, const Json& values) {
  if (!object->is_object()) *object = Json::MakeObject();
  if (!values.is_object()) return;
  for (const auto& [key, value] : values.as_object()) {
    if (value.is_null()) {
      Json ignored;
      SwapRemove(&object->as_object(), key, &ignored);
    } else {
      object->Set(key, value);
    }
  }
}

void SetPayloadAtPath(Json* payload, const PayloadPath& path, const Json& values) {
  if (!payload->is_object()) *payload = Json::MakeObject();
  if (path.items.empty()) {
    MergePayload(payload, values);
    return;
  }
  SetInMember(payload, path.items[0].key, path, 1, values);
}

std::vector<Json> DeletePayloadAtPath(Json* payload, const PayloadPath& path) {
  std::vector<Json> removed;
  if (!path.items.empty() && payload->is_object()) RemoveAt(payload, path, 0, &removed);
  return removed;
}

}  // namespace quiver
