// Monitoring routes: GET /metrics, GET /telemetry, the cluster routes of a node without a cluster,
// GET|DELETE /issues, GET|POST /logger. Shapes and status codes follow Qdrant's
// src/actix/api/{service_api,cluster_api,issues_api}.rs.
#include <spdlog/spdlog.h>

#include <cctype>

#include "api/rest/rest_api.h"
#include "common/text.h"
#include "config/settings.h"
#include "audit/audit_event.h"
#include "auth/authorize.h"

namespace quiver::rest {
namespace {

// Prometheus' text exposition format, as its clients ask for it.
constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Qdrant's StorageError::StandaloneMode, answered 405 for the cluster operations of a node that
// runs without a cluster.
constexpr char kStandaloneMode[] = "Qdrant is running in standalone mode";

StatusOr<bool> BoolParam(const RequestContext& ctx, const char* name) {
  auto it = ctx.query.find(name);
  if (it == ctx.query.end() || it->second.empty() || it->second == "false") return false;
  if (it->second == "true") return true;
  return InvalidArgument(std::string("Query deserialize error: ") + name +
                         ": provided string was not `true` or `false`");
}

StatusOr<Reply> Metrics(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(bool anonymize, BoolParam(ctx, "anonymize"));
  // per_collection (request metrics per collection) is accepted; Quiver reports them per node.
  QUIVER_RETURN_IF_ERROR(BoolParam(ctx, "per_collection").status());
  Reply r;
  r.raw_text = BuildMetrics(ctx.catalog, *ctx.monitoring, anonymize, ctx.info.version);
  r.content_type = kPrometheusContentType;
  return r;
}

StatusOr<Reply> Telemetry(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(bool anonymize, BoolParam(ctx, "anonymize"));
  QUIVER_RETURN_IF_ERROR(BoolParam(ctx, "per_collection").status());
  int level = 0;
  if (auto it = ctx.query.find("details_level"); it != ctx.query.end()) {
    const std::string& v = it->second;
    if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      return InvalidArgument(
          "Query deserialize error: details_level: invalid digit found in string");
    }
    level = std::stoi(v);
  }
  return Ok(
      BuildTelemetry(ctx.catalog, *ctx.monitoring, ctx.access, level, anonymize, ctx.info.version));
}

// ---------------------------------------------------------------------------------------------
// Cluster: this node is alone, as a Qdrant node with cluster.enabled = false.

StatusOr<Reply> ClusterStatus(RequestContext&) {
  return Ok(Json(Json::Object{{"status", Json("disabled")}}));
}

StatusOr<Reply> Standalone(RequestContext&) {
  Reply r;
  r.status = 405;
  r.error = kStandaloneMode;
  return r;
}

StatusOr<Reply> UpdateCollectionCluster(RequestContext& ctx) {
  // Qdrant reads the body (ClusterOperations) before anything else.
  if (!ctx.body.is_object())
    return InvalidArgument("Format error in JSON body: expected an object");
  return Standalone(ctx);
}

StatusOr<Reply> CollectionClusterInfo(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto collection, CollectionOf(ctx));
  Json shard(
      Json::Object{{"shard_id", Json(0)},
                   {"points_count", Json(static_cast<uint64_t>(collection->Count(std::nullopt)))},
                   {"state", Json("Active")}});
  return Ok(Json(Json::Object{{"peer_id", Json(ctx.monitoring->peer_id())},
                              {"shard_count", Json(1)},
                              {"local_shards", Json(Json::Array{std::move(shard)})},
                              {"remote_shards", Json::MakeArray()},
                              {"shard_transfers", Json::MakeArray()}}));
}

// ---------------------------------------------------------------------------------------------
// Issues.

Json RenderIssue(const IssueRecord& issue) {
  return Json(Json::Object{
      {"id", Json(issue.id)},
      {"description", Json(issue.description)},
      {"solution", issue.solution},
      {"timestamp", Json(audit::FormatTimestamp(issue.timestamp_ms))},
      {"related_collection", issue.related_collection ? Json(*issue.related_collection) : Json()},
  });
}

// Global access sees every issue; collection grants see the issues of their collections.
StatusOr<Reply> ListIssues(RequestContext& ctx) {
  const bool global = ctx.access.global != auth::Access::Global::kNone;
  Json issues = Json::MakeArray();
  for (const IssueRecord& issue : ctx.monitoring->issues().All()) {
    if (global ||
        (issue.related_collection && auth::CanSee(ctx.access, *issue.related_collection))) {
      issues.Push(RenderIssue(issue));
    }
  }
  return Ok(Json(Json::Object{{"issues", std::move(issues)}}));
}

StatusOr<Reply> ClearIssues(RequestContext& ctx) {
  ctx.monitoring->issues().Clear();
  return Ok(Json(true));
}

// ---------------------------------------------------------------------------------------------
// Logger: Qdrant's LoggerConfig (src/tracing/config.rs). Only the global level exists in Quiver;
// the other settings read null and cannot be set.

constexpr struct {
  const char* name;
  spdlog::level::level_enum level;
} kLevels[] = {
    {"TRACE", spdlog::level::trace}, {"DEBUG", spdlog::level::debug}, {"INFO", spdlog::level::info},
    {"WARN", spdlog::level::warn},   {"ERROR", spdlog::level::err},   {"OFF", spdlog::level::off},
};

const char* LevelName(spdlog::level::level_enum level) {
  for (const auto& l : kLevels) {
    if (l.level == level) return l.name;
  }
  return level == spdlog::level::critical ? "ERROR" : "INFO";
}

std::optional<spdlog::level::level_enum> LevelOf(std::string_view text) {
  std::string upper = AsciiUpper(text);
  for (const auto& l : kLevels) {
    if (upper == l.name) return l.level;
  }
  return std::nullopt;
}

// POST /logger's `log_level`: the global level of the filter (INFO when it names none).
StatusOr<spdlog::level::level_enum> ParseLogLevel(std::string_view filter) {
  auto parsed = ParseLogFilter(filter);
  if (!parsed.ok()) return InvalidArgument("Bad request: log_level: " + parsed.status().message());
  return *LevelOf(parsed->global_level.value_or("INFO"));
}

Json LoggerConfig() {
  Json on_disk = Json::MakeObject();
  for (const char* k :
       {"enabled", "log_file", "log_level", "format", "span_events", "buffer_size_bytes"}) {
    on_disk.Set(k, Json());
  }
  return Json(Json::Object{{"log_level", Json(LevelName(spdlog::get_level()))},
                           {"span_events", Json()},
                           {"format", Json()},
                           {"color", Json()},
                           {"on_disk", std::move(on_disk)}});
}

StatusOr<Reply> GetLogger(RequestContext&) { return Ok(LoggerConfig()); }

StatusOr<Reply> UpdateLogger(RequestContext& ctx) {
  if (!ctx.body.is_object())
    return InvalidArgument("Format error in JSON body: expected an object");
  for (const char* k : {"span_events", "format", "color"}) {
    const Json* v = ctx.body.Find(k);
    if (v != nullptr && !v->is_null()) {
      return InvalidArgument(std::string("Bad request: logger ") + k +
                             " cannot be changed in Quiver");
    }
  }
  if (const Json* on_disk = ctx.body.Find("on_disk"); on_disk && !on_disk->is_null()) {
    if (!on_disk->is_object())
      return InvalidArgument("Format error in JSON body: on_disk: expected an object");
    for (const auto& [k, v] : on_disk->as_object()) {
      if (!v.is_null())
        return InvalidArgument("Bad request: the on-disk logger is not supported by Quiver");
    }
  }
  const Json* level = ctx.body.Find("log_level");
  if (level != nullptr && !level->is_null()) {
    if (!level->is_string())
      return InvalidArgument("Format error in JSON body: log_level: expected a string");
    QUIVER_ASSIGN_OR_RETURN(spdlog::level::level_enum parsed, ParseLogLevel(level->as_string()));
    spdlog::set_level(parsed);
    // Logged at warn so that it shows under every level but OFF.
    spdlog::warn("log level set to {} (POST /logger)", LevelName(parsed));
  }
  return Ok(Json(true));
}

}  // namespace

std::vector<Route> MonitoringRoutes() {
  return {
      {"GET", "/metrics", Operation::kMetrics, Metrics},
      {"GET", "/telemetry", Operation::kTelemetry, Telemetry},
      {"GET", "/cluster", Operation::kClusterInfo, ClusterStatus},
      {"POST", "/cluster/recover", Operation::kUpdateClusterSetup, Standalone},
      {"DELETE", "/cluster/peer/{peer_id}", Operation::kUpdateClusterSetup, Standalone},
      {"GET", "/collections/{collection_name}/cluster", Operation::kCollectionClusterInfo,
       CollectionClusterInfo},
      {"POST", "/collections/{collection_name}/cluster", Operation::kUpdateCollectionCluster,
       UpdateCollectionCluster},
      {"GET", "/issues", Operation::kListIssues, ListIssues},
      {"DELETE", "/issues", Operation::kClearIssues, ClearIssues},
      {"GET", "/logger", Operation::kGetLogger, GetLogger},
      {"POST", "/logger", Operation::kUpdateLogger, UpdateLogger},
  };
}

}  // namespace quiver::rest
