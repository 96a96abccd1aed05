#pragma once
// Internal to the audit module: the names of audit files and the periods they cover.
//
// A file `audit.YYYY-MM-DD.log` covers one UTC day and `audit.YYYY-MM-DD-HH.log` one UTC hour.
// Any other name in the directory (`audit.log`, `notes.txt`, `audit.2024-13-01.log`) is not an
// audit file: it is never read, counted or deleted.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace quiver::audit {

inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kDayMs = 24 * kHourMs;

struct AuditFile {
  std::string name;  // file name inside the directory
  int64_t start_ms;  // first millisecond of its period
  int64_t span_ms;   // kDayMs or kHourMs
  int64_t end_ms() const { return start_ms + span_ms; }
};

// The start of the period (UTC day or hour) that contains `ms`.
int64_t PeriodStart(int64_t ms, bool hourly);

// "audit.2024-06-15.log" or, hourly, "audit.2024-06-15-14.log" for the period starting at
// `start_ms`.
std::string AuditFileName(int64_t start_ms, bool hourly);

// The period of an audit file name, or nullopt when `name` is not one.
std::optional<AuditFile> ParseAuditFileName(std::string_view name);

// The audit files in `dir`, oldest period first (ties: daily before hourly, then by name).
// kInternal when the directory cannot be read.
StatusOr<std::vector<AuditFile>> ListAuditFiles(const std::string& dir);

}  // namespace quiver::audit
