#pragma once
// Monitoring: the node's own observations, for GET /metrics, /telemetry and /issues. One per
// RestApi; it lives as long as the RestApi.
//
// Holds the request statistics (RequestMetrics), the issues report (IssueRegistry), and what
// Qdrant's telemetry reports about the process: an id made at start (a random UUID, new on every
// start as in Qdrant), the start time, and this node's peer id. Quiver has no cluster, so the
// peer id is a random number drawn at start (below 2^53, so JavaScript clients read it exactly);
// Qdrant persists its own, ours changes with every start.
//
// Thread safety: every member may be used concurrently (the parts are thread-safe; the rest is
// immutable after construction).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/rest/metrics.h"
#include "auth/access.h"
#include "auth/operation.h"
#include "common/json.h"
#include "service/catalog.h"
#include "service/issues.h"

namespace quiver::rest {

struct MonitoringOptions {
  // service.slow_query_secs: a filtered read slower than this raises UNINDEXED_FIELD issues for
  // the unindexed fields it filtered on. Qdrant's default.
  double slow_query_secs = 1.2;
  // service.metrics_prefix: put before every metric name of GET /metrics.
  std::string metrics_prefix;
};

// What the name of the software is in telemetry and metrics (app.name, app_info{name}).
inline constexpr char kAppName[] = "quiver";

class Monitoring {
 public:
  explicit Monitoring(MonitoringOptions options = {});
  // REQUIRES: no request is being handled (call it before serving).
  void Configure(MonitoringOptions options) { options_ = std::move(options); }

  RequestMetrics& requests() { return requests_; }
  const RequestMetrics& requests() const { return requests_; }
  IssueRegistry& issues() { return issues_; }
  const MonitoringOptions& options() const { return options_; }
  const std::string& telemetry_id() const { return telemetry_id_; }
  uint64_t peer_id() const { return peer_id_; }
  int64_t startup_ms() const { return startup_ms_; }

  // Called once a handler answered `op` successfully, `seconds` after the request began. Keeps
  // the issues report current: a slow filtered read submits UNINDEXED_FIELD issues (this reads
  // the collection's payload schema, a scan, only for reads already slower than the threshold);
  // creating a payload index solves the issue of that field; deleting a collection solves all of
  // its issues. `path` and `body` are the request's.
  void AfterSuccess(Catalog& catalog, Operation op, const std::map<std::string, std::string>& path,
                    const Json& body, double seconds);

 private:
  MonitoringOptions options_;
  RequestMetrics requests_;
  IssueRegistry issues_;
  std::string telemetry_id_;
  uint64_t peer_id_;
  int64_t startup_ms_;
};

// Milliseconds since the Unix epoch, now.
int64_t UnixMillisNow();

// Every filter a read request names, for the issues report: the top-level `filter`, those of
// `prefetch` (at any depth) and of each of `searches` (batch requests).
std::vector<const Json*> FiltersOfRequest(const Json& body);

// Qdrant's `anonymize=true`: a stable, irreversible stand-in for a name (collection ids in
// telemetry and metrics): 16 hex digits of a 64-bit FNV-1a hash.
std::string AnonymizedName(std::string_view name);

// Counts of one collection for telemetry and metrics. `vectors` maps each vector name ("" for
// the unnamed vector; dense, multi and sparse) to the number of points that have it, counted
// with a has_vector scan per name.
struct CollectionCounts {
  std::string name;
  std::shared_ptr<Collection> collection;
  uint64_t points = 0;
  std::map<std::string, uint64_t> vectors;
  uint64_t vectors_total() const;
};
// The collections of the catalog that `access` may see (auth::CanSee), by name, counted.
std::vector<CollectionCounts> CountCollections(Catalog& catalog, const auth::Access& access);

// GET /telemetry's `result` for `access`: Qdrant's TelemetryData at `details_level` (0: counts;
// 1: + app features and system, aggregated collections; 2+: + full collections with config and
// shards). Collections are those auth::CanSee lets `access` see; `cluster` and `requests` only
// for global access, as in Qdrant.
Json BuildTelemetry(Catalog& catalog, const Monitoring& monitoring, const auth::Access& access,
                    int details_level, bool anonymize, const std::string& version);

// GET /metrics: the Prometheus text for the whole node. REQUIRES: global access (checked by the
// access table before this runs).
std::string BuildMetrics(Catalog& catalog, const Monitoring& monitoring, bool anonymize,
                         const std::string& version);

}  // namespace quiver::rest
