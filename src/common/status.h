#pragma once
// Status and StatusOr: errors as values (shape after absl::Status).
//
// Codes follow Qdrant's error kinds, so that one table (HttpStatusOf in api/rest/rest_api.cc) maps each to an
// HTTP status and, later, one to a gRPC status. Messages are user-facing: they end up in Qdrant's
// error envelope `{"status": {"error": "<message>"}}` unchanged.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace quiver {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input: wrong dimension, malformed JSON, wrong types (HTTP 400)
  kNotFound,           // collection, alias, point, snapshot missing (404)
  kAlreadyExists,      // collection already exists (409)
  kUnprocessable,      // well-formed but semantically refused where Qdrant answers 422
  kUnauthenticated,    // missing or unknown credential (401)
  kPermissionDenied,   // credential without the needed right (403)
  kPayloadTooLarge,    // request body over max_request_size_mb (413)
  kUnavailable,        // shutting down, storage not ready (503)
  kInternal,           // a bug or an I/O failure of ours (500); never a client's mistake
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status Unprocessable(std::string m) { return {StatusCode::kUnprocessable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}            // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {}    // NOLINT: REQUIRES: !status.ok()

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace quiver

// Returns early from the enclosing function when `expr` yields a non-ok Status.
#define QUIVER_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::quiver::Status _st = (expr);            \
    if (!_st.ok()) return _st;                \
  } while (0)

#define QUIVER_CONCAT_INNER(a, b) a##b
#define QUIVER_CONCAT(a, b) QUIVER_CONCAT_INNER(a, b)
// QUIVER_ASSIGN_OR_RETURN(auto x, Foo()): binds the value or returns the error.
#define QUIVER_ASSIGN_OR_RETURN(lhs, expr) \
  QUIVER_ASSIGN_OR_RETURN_IMPL(QUIVER_CONCAT(_statusor_, __LINE__), lhs, expr)
#define QUIVER_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
