#pragma once
// AuditEvent: one access-checked request (or one failed authentication), and its one-line JSON
// form. The format is described in docs/formats/audit-log.md; AuditLog (audit_log.h) queues
// events and writes them.
//
// Field names and values follow Qdrant's audit log (lib/storage/src/audit.rs), so tools written
// for Qdrant's files read ours: `method` is the operation name, `api` the REST path or gRPC
// method, `auth_type` one of Qdrant's `None` / `ApiKey` / `Jwt`, `result` `ok` or `denied`.
// `client_cert_subject` is Quiver's addition. An empty string means "absent": the field is left
// out of the line, as Qdrant leaves out its `None` options.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace quiver::audit {

// Values of `auth_type` that Qdrant writes (serde's names of its AuthType enum). A read-only key
// is `ApiKey` too: Qdrant does not tell the two kinds of key apart in the log.
inline constexpr std::string_view kAuthNone = "None";
inline constexpr std::string_view kAuthApiKey = "ApiKey";
inline constexpr std::string_view kAuthJwt = "Jwt";

// Values of `result` that Qdrant writes. A failed authentication (401) is `denied` as well, with
// `auth_type` `None`, no `method`, and the REST path or gRPC method in `api`.
inline constexpr std::string_view kResultOk = "ok";
inline constexpr std::string_view kResultDenied = "denied";

struct AuditEvent {
  int64_t timestamp_ms = 0;  // milliseconds since the Unix epoch; 0: AuditLog::Record stamps it
  std::string method;        // operation checked, e.g. "upsert_points"; "" when auth failed
  std::string api;         // REST path ("/collections/c/points") or gRPC ("/qdrant.Points/Upsert")
  std::string auth_type;   // kAuthNone | kAuthApiKey | kAuthJwt; always written
  std::string subject;     // the JWT's `subject` claim; never a key or a token
  std::string remote;      // client IP address, without the port
  std::string collection;  // collection name as the request wrote it, when collection-scoped
  std::string tracing_id;  // see TracingIdFromHeaders
  std::string result;      // kResultOk | kResultDenied; always written
  std::string error;       // why it was denied, e.g. "Forbidden: Global access is required"
  std::string client_cert_subject;  // mTLS client certificate subject (Quiver only)
};

// The names a line may carry, in the order they are written; Query's filters accept these
// (except `timestamp`, which is filtered by the time range).
inline constexpr std::string_view kFieldNames[] = {
    "timestamp",  "method", "api",   "auth_type",          "subject", "remote", "collection",
    "tracing_id", "result", "error", "client_cert_subject"};
// Written only on the first line after events were lost (see docs/formats/audit-log.md).
inline constexpr std::string_view kDroppedBeforeField = "dropped_before";

// Appends `event` to `out` as one line: a compact JSON object and '\n'. Empty fields other than
// auth_type and result are left out. Bytes that are not valid UTF-8 become U+FFFD, so every line
// is valid JSON whatever a header carried. `dropped_before` > 0 adds that field.
void AppendAuditLine(const AuditEvent& event, uint64_t dropped_before, std::string* out);

// RFC 3339 in UTC with milliseconds, as the `timestamp` field: "2024-06-15T10:30:00.123Z".
// REQUIRES: the time falls in years 0000..9999.
std::string FormatTimestamp(int64_t ms);

// Parses an RFC 3339 date-time ("2024-06-15T10:30:00Z", "…00.123456789Z", "…00+02:00"; `t` or
// a space may separate date and time) to milliseconds since the epoch; digits past the
// millisecond are cut off (rounding toward the past). kInvalidArgument when it is not one. The
// REST layer uses it for `time_from` / `time_to`.
StatusOr<int64_t> ParseTimestamp(std::string_view text);

// Qdrant's tracing id: the first of the headers x-request-id, x-tracing-id, traceparent that the
// request carries, cut to kMaxTracingIdBytes. `header(name)` returns a header's value or nullopt.
inline constexpr size_t kMaxTracingIdBytes = 256;
std::string TracingIdFromHeaders(
    const std::function<std::optional<std::string_view>(std::string_view)>& header);

}  // namespace quiver::audit
