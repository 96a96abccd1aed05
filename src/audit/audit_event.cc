#include "audit/audit_event.h"

#include <fmt/format.h>

#include <array>

#include "common/json.h"

namespace quiver::audit {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms,
// http://howardhinnant.github.io/date_algorithms.html).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one (overlong forms,
// surrogates and code points above U+10FFFF are invalid, as RFC 3629 says).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// AppendJsonString of `s` with every invalid UTF-8 byte replaced by U+FFFD.
void AppendUtf8JsonString(std::string_view s, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) {  // the usual case: already valid
    AppendJsonString(s, out);
    return;
  }
  std::string clean(s.substr(0, i));
  while (i < s.size()) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      clean.append("\xEF\xBF\xBD");
      ++i;
    } else {
      clean.append(s.substr(i, n));
      i += n;
    }
  }
  AppendJsonString(clean, out);
}

void AppendField(std::string_view name, std::string_view value, bool always, std::string* out) {
  if (value.empty() && !always) return;
  out->push_back(',');
  AppendJsonString(name, out);
  out->push_back(':');
  AppendUtf8JsonString(value, out);
}

// Reads exactly `n` decimal digits at text[*pos].
bool ReadDigits(std::string_view text, size_t* pos, size_t n, unsigned* value) {
  if (*pos + n > text.size()) return false;
  unsigned v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = text[*pos + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *pos += n;
  *value = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

void AppendAuditLine(const AuditEvent& event, uint64_t dropped_before, std::string* out) {
  out->append("{\"timestamp\":\"");
  out->append(FormatTimestamp(event.timestamp_ms));
  out->push_back('"');
  AppendField("method", event.method, false, out);
  AppendField("api", event.api, false, out);
  AppendField("auth_type", event.auth_type, true, out);
  AppendField("subject", event.subject, false, out);
  AppendField("remote", event.remote, false, out);
  AppendField("collection", event.collection, false, out);
  AppendField("tracing_id", event.tracing_id, false, out);
  AppendField("result", event.result, true, out);
  AppendField("error", event.error, false, out);
  AppendField("client_cert_subject", event.client_cert_subject, false, out);
  if (dropped_before > 0) {
    out->append(",\"dropped_before\":");
    out->append(std::to_string(dropped_before));
  }
  out->append("}\n");
}

std::string FormatTimestamp(int64_t ms) {
  const int64_t days = FloorDiv(ms, 86'400'000);
  const int64_t ms_of_day = ms - days * 86'400'000;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int64_t secs = ms_of_day / 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, secs / 3600,
                     secs / 60 % 60, secs % 60, ms_of_day % 1000);
}

StatusOr<int64_t> ParseTimestamp(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgument("invalid RFC 3339 timestamp: \"" + std::string(text) + "\"");
  };
  size_t pos = 0;
  unsigned year, month, day, hour, minute, second;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day)) {
    return bad();
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return bad();
  }
  ++pos;
  if (!ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &second)) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {  // 60: a leap second, counted as the next second
    return bad();
  }
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (size_t k = digits; k < 3; ++k) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    unsigned oh, om;
    if (!ReadDigits(text, &pos, 2, &oh) || !Expect(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset_minutes = sign * static_cast<int64_t>(oh * 60 + om);
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  const int64_t days = DaysFromCivil(year, month, day);
  const int64_t secs = days * 86'400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return secs * 1000 + millis;
}

std::string TracingIdFromHeaders(
    const std::function<std::optional<std::string_view>(std::string_view)>& header) {
  for (std::string_view name : {"x-request-id", "x-tracing-id", "traceparent"}) {
    if (std::optional<std::string_view> value = header(name)) {
      return std::string(value->substr(0, kMaxTracingIdBytes));
    }
  }
  return "";
}

}  // namespace quiver::audit
