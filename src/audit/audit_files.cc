#include "audit/audit_files.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <tuple>

#include "audit/audit_event.h"

namespace quiver::audit {

int64_t PeriodStart(int64_t ms, bool hourly) {
  const int64_t span = hourly ? kHourMs : kDayMs;
  int64_t q = ms / span;
  if (ms % span != 0 && ms < 0) --q;
  return q * span;
}

std::string AuditFileName(int64_t start_ms, bool hourly) {
  const std::string ts = FormatTimestamp(start_ms);  // "2024-06-15T14:00:00.000Z"
  std::string name = "audit.";
  name.append(ts, 0, 10);
  if (hourly) {
    name.push_back('-');
    name.append(ts, 11, 2);
  }
  name.append(".log");
  return name;
}

std::optional<AuditFile> ParseAuditFileName(std::string_view name) {
  constexpr std::string_view kPrefix = "audit.", kSuffix = ".log";
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  const std::string_view period =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  // "YYYY-MM-DD" or "YYYY-MM-DD-HH"; ParseTimestamp checks the digits and the calendar.
  std::string text;
  int64_t span;
  if (period.size() == 10) {
    text = std::string(period);
    text.append("T00:00:00Z");
    span = kDayMs;
  } else if (period.size() == 13 && period[10] == '-') {
    text = std::string(period.substr(0, 10));
    text.push_back('T');
    text.append(period.substr(11, 2));
    text.append(":00:00Z");
    span = kHourMs;
  } else {
    return std::nullopt;
  }
  StatusOr<int64_t> start = ParseTimestamp(text);
  if (!start.ok()) return std::nullopt;
  // Reject forms that parse but are not what we write (a sign or 'T' in the date part).
  if (AuditFileName(*start, span == kHourMs) != name) return std::nullopt;
  return AuditFile{std::string(name), *start, span};
}

StatusOr<std::vector<AuditFile>> ListAuditFiles(const std::string& dir) {
  std::vector<AuditFile> files;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::optional<AuditFile> file = ParseAuditFileName(it->path().filename().string());
    if (!file) continue;
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    files.push_back(std::move(*file));
  }
  if (ec) return Internal("cannot list audit directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end(), [](const AuditFile& a, const AuditFile& b) {
    return std::tie(a.start_ms, b.span_ms, a.name) < std::tie(b.start_ms, a.span_ms, b.name);
  });
  return files;
}

}  // namespace quiver::audit
