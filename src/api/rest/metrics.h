#pragma once
// Metrics: what the REST layer counts about the requests it answers, and the Prometheus text
// exposition format (version 0.0.4) to publish it with.
//
// RequestMetrics keeps, per (method, route pattern, HTTP status), the statistics Qdrant keeps per
// actix route (segment/src/common/operation_time_statistics.rs): count, total/min/max duration,
// a latency histogram with Qdrant's bucket bounds, the time of the last answer and Qdrant's
// "average of the last 128" (a mean of sliding means). GET /telemetry and GET /metrics both read
// it. It also counts refused credentials by reason (quiver_auth_failures_total).
//
// Thread safety: RequestMetrics may be used concurrently. Recording takes one of kShards
// mutexes, picked by thread, so request threads do not contend; Snapshot() takes each in turn
// and merges them (a snapshot taken while requests run may miss the ones in flight).
// PrometheusText is a plain value, not thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace quiver::rest {

// Upper bounds of the latency histogram, in seconds: Qdrant's DEFAULT_BUCKET_BOUNDARIES_MICROS.
inline constexpr std::array<double, 11> kDurationBucketsSeconds = {
    0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 10, 50};

// Why a request was refused by the access checks (label `reason` of quiver_auth_failures_total).
enum class AuthFailure {
  kMissing,      // no credential (401)
  kInvalid,      // unknown key, malformed or badly signed JWT (401, or 403 "InvalidSignature")
  kExpired,      // JWT past its exp (403 "ExpiredSignature")
  kValueExists,  // JWT value_exists check failed (401 or 403)
  kForbidden,    // authenticated, but the credential lacks the right (403 envelope)
};
inline constexpr AuthFailure kAllAuthFailures[] = {AuthFailure::kMissing, AuthFailure::kInvalid,
                                                   AuthFailure::kExpired, AuthFailure::kValueExists,
                                                   AuthFailure::kForbidden};
const char* AuthFailureName(AuthFailure reason);  // "missing", "invalid", ...

// Statistics of one kind of answer, merged over the shards.
struct ResponseStats {
  uint64_t count = 0;
  uint64_t total_micros = 0;
  double min_micros = 0;  // meaningful when count > 0
  double max_micros = 0;
  // Non-cumulative: buckets[i] counts durations in (bound[i-1], bound[i]]; longer ones only in
  // `count`.
  std::array<uint64_t, kDurationBucketsSeconds.size()> buckets{};
  int64_t last_responded_ms = 0;  // Unix milliseconds
  double avg_micros = 0;          // Qdrant's average of the latest 128 (see RequestMetrics)
};

class RequestMetrics {
 public:
  RequestMetrics();

  // Records one answered request. `endpoint` is the route pattern
  // ("/collections/{collection_name}") and must outlive this object (route tables are static), or
  // "unknown" for no route.
  void RecordResponse(std::string_view method, std::string_view endpoint, int status,
                      std::chrono::microseconds elapsed, int64_t now_ms);
  void RecordAuthFailure(AuthFailure reason);

  struct Snapshot {
    // "METHOD endpoint" -> status -> stats, ordered by key.
    std::map<std::string, std::map<int, ResponseStats>> responses;
    std::array<uint64_t, std::size(kAllAuthFailures)> auth_failures{};
  };
  Snapshot Take() const;

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kRecent = 128;  // Qdrant's AVG_DATASET_LEN
  struct Key {
    std::string_view method;    // one of a fixed set (see RecordResponse)
    std::string_view endpoint;  // static
    int status;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Aggregator {
    ResponseStats stats;
    std::array<float, kRecent> recent{};  // ring of the latest durations, in microseconds
    size_t next = 0;
    bool wrapped = false;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<Key, Aggregator, KeyHash> by_key;
    std::array<uint64_t, std::size(kAllAuthFailures)> auth_failures{};
  };
  Shard& MyShard() const;

  mutable std::array<Shard, kShards> shards_;
};

// Builds a Prometheus text exposition (format 0.0.4). Each family is written whole: Family()
// (# HELP and # TYPE), then its samples. Label values and help text are escaped as the format
// requires; names are the caller's and must be valid ([a-zA-Z_:][a-zA-Z0-9_:]*).
class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

  // type: "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view help, std::string_view type);
  void Sample(std::string_view name, const Labels& labels, double value);
  // A histogram series: name_bucket{...,le="…"} with cumulative counts for each bound and
  // le="+Inf" = count, then name_sum and name_count. `buckets` is non-cumulative.
  void Histogram(std::string_view name, const Labels& labels, std::span<const double> bounds,
                 std::span<const uint64_t> buckets, uint64_t count, double sum);
  // A family with one unlabelled sample.
  void Single(std::string_view name, std::string_view help, std::string_view type, double value);

  const std::string& text() const { return out_; }

 private:
  void AppendLabels(const Labels& labels, std::string_view le);
  std::string out_;
};

// A sample value as Prometheus writes it: integers without a decimal point, others in the
// shortest form that reads back exactly, "+Inf", "-Inf", "NaN".
std::string FormatPrometheusValue(double value);

}  // namespace quiver::rest
