// Service routes: root, health probes.
#include "api/rest/rest_api.h"
#include "audit/audit_log.h"

namespace quiver::rest {
namespace {

// Clients identify a Qdrant-compatible server by this title; the version is the Qdrant API
// version Quiver implements, so official clients' compatibility checks pass.
StatusOr<Reply> Root(RequestContext& ctx) {
  Reply r;
  r.bare_json = true;
  r.result = Json(Json::Object{{"title", Json("qdrant - vector search engine")},
                               {"version", Json(ctx.info.version)},
                               {"commit", Json(ctx.info.commit)}});
  return r;
}

StatusOr<Reply> Health(RequestContext& ctx) {
  Reply r;
  r.raw_text = "healthz check passed";
  return r;
}

// Ready once storage is loaded: the server only listens after that.
StatusOr<Reply> Ready(RequestContext& ctx) {
  Reply r;
  r.raw_text = "all shards are ready";
  return r;
}

// POST /audit/logs: {time_from, time_to (RFC 3339), filters: {field: value}, limit}, newest first.
StatusOr<Reply> AuditLogs(RequestContext& ctx) {
  if (ctx.audit_log == nullptr) return InvalidArgument("Bad request: the audit log is not enabled");
  const Json body = ctx.body.is_null() ? Json::MakeObject() : ctx.body;
  if (!body.is_object()) return InvalidArgument("Format error in JSON body: expected an object");
  auto time_at = [&](const char* field) -> StatusOr<int64_t> {
    const Json* v = body.Find(field);
    if (v == nullptr || v->is_null()) return int64_t{0};
    if (!v->is_string()) return InvalidArgument(std::string("Format error in JSON body: ") + field + " must be an RFC 3339 date-time");
    return audit::ParseTimestamp(v->as_string());
  };
  QUIVER_ASSIGN_OR_RETURN(int64_t from_ms, time_at("time_from"));
  QUIVER_ASSIGN_OR_RETURN(int64_t to_ms, time_at("time_to"));
  std::vector<std::pair<std::string, std::string>> filters;
  if (const Json* f = body.Find("filters"); f && f->is_object()) {
    for (const auto& [k, v] : f->as_object()) {
      if (!v.is_string()) return InvalidArgument("Format error in JSON body: filter values must be strings");
      filters.emplace_back(k, v.as_string());
    }
  }
  size_t limit = 100;
  if (const Json* l = body.Find("limit"); l && l->type() == Json::Type::kInt) {
    if (l->as_int() < 1 || l->as_int() > 10000) {
      return Unprocessable("limit: value " + l->Dump() + " invalid, must be from 1 to 10000");
    }
    limit = static_cast<size_t>(l->as_int());
  }
  ctx.audit_log->Flush();  // what was recorded before this request is readable
  QUIVER_ASSIGN_OR_RETURN(auto entries, ctx.audit_log->Query(from_ms, to_ms, filters, limit));
  return Ok(Json(Json::Object{{"entries", Json(std::move(entries))}}));
}

}  // namespace

std::vector<Route> ServiceRoutes() {
  return {
      {"GET", "/", Operation::kServiceInfo, Root},
      {"GET", "/healthz", Operation::kHealthCheck, Health},
      {"GET", "/livez", Operation::kHealthCheck, Health},
      {"GET", "/readyz", Operation::kHealthCheck, Ready},
      {"POST", "/audit/logs", Operation::kAuditLogs, AuditLogs},
  };
}

}  // namespace quiver::rest
