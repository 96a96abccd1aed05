// Building blocks of filter evaluation: datetime parsing, geo predicates, the slice hash.
#include <cmath>
#include <cstring>

#include "collection/filter.h"

namespace quiver {
namespace {

// ---- datetime ----

// A cursor over the datetime text, with chrono's scanning rules.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  bool ConsumeText(std::string_view t) {
    if (s_.substr(pos_, t.size()) != t) return false;
    pos_ += t.size();
    return true;
  }
  bool ConsumeUtcInsensitive() {
    if (s_.size() - pos_ < 3) return false;
    for (size_t i = 0; i < 3; ++i) {
      char c = s_[pos_ + i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != "UTC"[i]) return false;
    }
    pos_ += 3;
    return true;
  }
  // Skips ASCII whitespace; returns how much was skipped.
  size_t SkipSpace() {
    size_t start = pos_;
    while (!AtEnd() && std::strchr(" \t\n\v\f\r", s_[pos_]) != nullptr) ++pos_;
    return pos_ - start;
  }
  // Reads between min and max digits greedily (chrono's `scan::number`).
  bool Number(size_t min_digits, size_t max_digits, int64_t* out) {
    size_t n = 0;
    int64_t v = 0;
    while (n < max_digits && !AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (v > (INT64_MAX - 9) / 10) return false;
      v = v * 10 + (s_[pos_] - '0');
      ++pos_;
      ++n;
    }
    *out = v;
    return n >= min_digits;
  }
  // Reads a fraction's digits: at least one; nanoseconds from the first nine, the rest ignored.
  bool Nanos(uint32_t* out) {
    size_t n = 0;
    uint32_t v = 0;
    while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (n < 9) v = v * 10 + static_cast<uint32_t>(s_[pos_] - '0');
      ++pos_;
      ++n;
    }
    for (size_t i = n; i < 9; ++i) v *= 10;
    *out = v;
    return n > 0;
  }
  size_t Remaining() const { return s_.size() - pos_; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// A zone offset after the time: `Z`/`z`, `UTC` (any case), or a sign (`+`, `-`, U+2212) with two
// hour digits, optional `:`/space separators and two minute digits (which may be missing only at
// the very end, as chrono's `%#z` allows). Hours above 23 are refused, as chrono does.
bool ParseOffset(Scanner* sc, int64_t* offset_s) {
  if (sc->Consume('Z') || sc->Consume('z') || sc->ConsumeUtcInsensitive()) {
    *offset_s = 0;
    return true;
  }
  int sign = 0;
  if (sc->Consume('+')) {
    sign = 1;
  } else if (sc->Consume('-') || sc->ConsumeText("\xE2\x88\x92")) {
    sign = -1;
  } else {
    return false;
  }
  int64_t hours = 0, minutes = 0;
  if (sc->Remaining() < 2 || !sc->Number(2, 2, &hours)) return false;
  while (sc->Consume(':') || sc->SkipSpace() > 0) {
  }
  if (!sc->AtEnd() && (!sc->Number(2, 2, &minutes) || minutes > 59)) return false;
  if (hours > 23) return false;
  *offset_s = sign * (hours * 3600 + minutes * 60);
  return true;
}

}  // namespace

std::optional<Datetime> ParseDatetime(std::string_view text) {
  Scanner sc(text);
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  uint32_t nanos = 0;
  // Date: chrono's numeric fields skip leading spaces; the year takes 1-4 digits, or any number
  // of digits after an explicit sign.
  sc.SkipSpace();
  if (sc.Consume('+')) {
    if (!sc.Number(1, 18, &year)) return std::nullopt;
  } else if (sc.Consume('-')) {
    if (!sc.Number(1, 18, &year)) return std::nullopt;
    year = -year;
  } else if (!sc.Number(1, 4, &year)) {
    return std::nullopt;
  }
  sc.SkipSpace();
  if (!sc.Consume('-')) return std::nullopt;
  sc.SkipSpace();
  if (!sc.Number(1, 2, &month)) return std::nullopt;
  sc.SkipSpace();
  if (!sc.Consume('-')) return std::nullopt;
  sc.SkipSpace();
  if (!sc.Number(1, 2, &day)) return std::nullopt;
  if (year < -262143 || year > 262143 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  int64_t offset_s = 0;
  if (!sc.AtEnd()) {
    // `t` only in chrono's RFC 3339 parsers, which need a zone; `T` or spaces everywhere.
    bool lower_t = sc.Consume('t');
    if (!lower_t && !sc.Consume('T')) sc.SkipSpace();
    sc.SkipSpace();
    if (!sc.Number(1, 2, &hour)) return std::nullopt;
    sc.SkipSpace();
    if (!sc.Consume(':')) return std::nullopt;
    sc.SkipSpace();
    if (!sc.Number(1, 2, &minute)) return std::nullopt;
    size_t space = sc.SkipSpace();
    bool has_seconds = false;
    if (sc.Consume(':')) {
      sc.SkipSpace();
      if (!sc.Number(1, 2, &second)) return std::nullopt;
      has_seconds = true;
      if (sc.Consume('.') && !sc.Nanos(&nanos)) return std::nullopt;
      space = sc.SkipSpace();
    }
    if (!sc.AtEnd()) {
      // A zone needs seconds (every zoned format has %S); chrono's relaxed form allows trailing
      // space after it.
      if (!has_seconds || !ParseOffset(&sc, &offset_s)) return std::nullopt;
      sc.SkipSpace();
      if (!sc.AtEnd()) return std::nullopt;
    } else if (space > 0 || lower_t) {
      return std::nullopt;  // the zone-less forms: `T` or space, no trailing space
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  }
  if (second == 60) {  // leap second, as chrono: :59 with nanos >= 1e9
    second = 59;
    nanos += 1'000'000'000;
  }
  Datetime dt;
  dt.seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  dt.nanos = nanos;
  return dt;
}

// ---- geo ----

double HaversineMeters(const GeoPoint& a, const GeoPoint& b) {
  constexpr double kMeanEarthRadiusM = 6371008.8;
  constexpr double kDegToRad = M_PI / 180.0;
  double theta1 = a.lat * kDegToRad;
  double theta2 = b.lat * kDegToRad;
  double delta_theta = (b.lat - a.lat) * kDegToRad;
  double delta_lambda = (b.lon - a.lon) * kDegToRad;
  double s1 = std::sin(delta_theta / 2), s2 = std::sin(delta_lambda / 2);
  double h = s1 * s1 + std::cos(theta1) * std::cos(theta2) * s2 * s2;
  return kMeanEarthRadiusM * 2.0 * std::asin(std::sqrt(h));
}

bool GeoBoundingBox::Contains(const GeoPoint& p) const {
  bool lon_ok = top_left.lon > bottom_right.lon
                    ? (p.lon > top_left.lon || p.lon < bottom_right.lon)
                    : (top_left.lon < p.lon && p.lon < bottom_right.lon);
  return lon_ok && bottom_right.lat < p.lat && p.lat < top_left.lat;
}

namespace {

enum class RingPos { kOutside, kInside, kOnBoundary };

// Sign of the cross product (b - a) x (c - a): > 0 when a, b, c turn counter-clockwise.
double Orient(const GeoPoint& a, const GeoPoint& b, const GeoPoint& c) {
  return (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon);
}

bool Between(double x, double a, double b) { return x >= std::min(a, b) && x <= std::max(a, b); }

// Winding number with an on-boundary short cut, as geo's `coord_pos_relative_to_ring`.
// REQUIRES: ring closed (first == last).
RingPos PositionInRing(const GeoPoint& p, const std::vector<GeoPoint>& ring) {
  if (ring.empty()) return RingPos::kOutside;
  int winding = 0;
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    const GeoPoint& s = ring[i];
    const GeoPoint& e = ring[i + 1];
    if (s.lat <= p.lat) {
      if (e.lat >= p.lat) {
        double o = Orient(s, e, p);
        if (o > 0 && e.lat != p.lat) {
          ++winding;
        } else if (o == 0 && Between(p.lon, s.lon, e.lon)) {
          return RingPos::kOnBoundary;
        }
      }
    } else if (e.lat <= p.lat) {
      double o = Orient(s, e, p);
      if (o < 0) {
        --winding;
      } else if (o == 0 && Between(p.lon, s.lon, e.lon)) {
        return RingPos::kOnBoundary;
      }
    }
  }
  return winding == 0 ? RingPos::kOutside : RingPos::kInside;
}

}  // namespace

bool GeoPolygon::Contains(const GeoPoint& p) const {
  if (PositionInRing(p, exterior) != RingPos::kInside) return false;
  for (const std::vector<GeoPoint>& hole : interiors) {
    if (PositionInRing(p, hole) != RingPos::kOutside) return false;
  }
  return true;
}

// ---- slice hash ----

uint64_t SipHash24(uint64_t k0, uint64_t k1, std::string_view data) {
  auto rotl = [](uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
  uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
  uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
  auto round = [&] {
    v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
    v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
    v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
    v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
  };
  auto load = [&](size_t at, size_t n) {
    uint64_t m = 0;
    for (size_t i = 0; i < n; ++i)
      m |= static_cast<uint64_t>(static_cast<uint8_t>(data[at + i])) << (8 * i);
    return m;
  };
  size_t full = data.size() / 8 * 8;
  for (size_t at = 0; at < full; at += 8) {
    uint64_t m = load(at, 8);
    v3 ^= m, round(), round(), v0 ^= m;
  }
  uint64_t b = (static_cast<uint64_t>(data.size()) << 56) | load(full, data.size() - full);
  v3 ^= b, round(), round(), v0 ^= b;
  v2 ^= 0xff;
  round(), round(), round(), round();
  return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t SlicePointIdHash(const PointId& id) {
  char bytes[16];
  if (!id.is_uuid) {
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(id.num >> (8 * i));
    return SipHash24(0, 0, std::string_view(bytes, 8));
  }
  std::memcpy(bytes, id.uuid.data(), 16);
  return SipHash24(0, 0, std::string_view(bytes, 16));
}

}  // namespace quiver
