#include "api/rest/rest_api.h"

#include <chrono>
#include <cstdio>

namespace quiver {

namespace rest {
namespace {

using Clock = std::chrono::steady_clock;

// Snapshot uploads are spooled to disk, not memory: bounded only against absurd sizes.
constexpr uint64_t kMaxSnapshotUploadBytes = uint64_t{1} << 40;

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

const std::vector<Route>& AllRoutes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> all;
    for (auto table : {ServiceRoutes, CollectionRoutes, PointRoutes, SearchRoutes, SnapshotRoutes,
                       MonitoringRoutes}) {
      auto part = table();
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }();
  return routes;
}

// Matches the raw path segments against a pattern; fills decoded parameters.
bool MatchRoute(const Route& route, const std::vector<std::string_view>& segments,
                std::map<std::string, std::string>* params) {
  std::vector<std::string_view> pattern = SplitPath(route.pattern);
  if (pattern.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i].front() == '{') {
      found[std::string(pattern[i].substr(1, pattern[i].size() - 2))] =
          PercentDecode(segments[i], false);
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

// The route for `method` on `segments`, or nullptr (*path_matched: some route has this path).
const Route* FindRoute(std::string_view method, const std::vector<std::string_view>& segments,
                       std::map<std::string, std::string>* params, bool* path_matched) {
  *path_matched = false;
  for (const Route& r : AllRoutes()) {
    std::map<std::string, std::string> p;
    if (!MatchRoute(r, segments, &p)) continue;
    *path_matched = true;
    if (method == r.method || (method == "HEAD" && std::string_view(r.method) == "GET")) {
      *params = std::move(p);
      return &r;
    }
  }
  return nullptr;
}

void AppendTime(std::string* out, Clock::time_point start) {
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", seconds);
  out->append(buf);
}

HttpResponse ErrorResponse(int status, const std::string& message, Clock::time_point start) {
  HttpResponse r;
  r.status = status;
  r.body = "{\"status\":{\"error\":";
  AppendJsonString(message, &r.body);
  r.body += "},\"time\":";
  AppendTime(&r.body, start);
  r.body += "}";
  return r;
}

std::string ErrorMessage(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound: return "Not found: " + s.message();
    case StatusCode::kUnprocessable:
      // Qdrant's validator wording: "Validation error in JSON body: [field: problem]".
      if (s.message().rfind("Validation error", 0) == 0) return s.message();
      return "Validation error in JSON body: [" + s.message() + "]";
    case StatusCode::kInternal: return "Service internal error: " + s.message();
    default: return s.message();
  }
}

}  // namespace

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kUnprocessable: return 422;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kPayloadTooLarge: return 413;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

bool RequestContext::Wait() const {
  auto it = query.find("wait");
  return it != query.end() && it->second == "true";
}

RestApi::RestApi(Catalog* catalog, ServiceInfo info, SecurityOptions security, bool enable_cors,
                 SnapshotStore* snapshots)
    : catalog_(catalog),
      info_(std::move(info)),
      gate_(security, catalog),
      enable_cors_(enable_cors),
      snapshots_(snapshots) {}

namespace {

// CORS as Qdrant's permissive policy: any origin, method and header; preflights are answered
// before authentication (a browser sends them without credentials).
void AddCorsHeaders(const HttpRequest& request, HttpResponse* response) {
  const std::string* origin = request.Header("origin");
  if (origin == nullptr) return;
  response->headers.emplace_back("access-control-allow-origin", *origin);
  response->headers.emplace_back("vary", "Origin");
  if (request.method == "OPTIONS") {
    const std::string* method = request.Header("access-control-request-method");
    const std::string* headers = request.Header("access-control-request-headers");
    response->headers.emplace_back("access-control-allow-methods",
                                   method ? *method : "GET, POST, PUT, PATCH, DELETE");
    if (headers) response->headers.emplace_back("access-control-allow-headers", *headers);
    response->headers.emplace_back("access-control-max-age", "3600");
  }
}

// The reason label of quiver_auth_failures_total for a refused authentication (the messages are
// the Authenticator's contract, auth/authenticator.h).
AuthFailure AuthenticationFailureOf(const Refusal& refusal) {
  if (refusal.message == auth::kMissingCredential) return AuthFailure::kMissing;
  if (refusal.message == "ExpiredSignature") return AuthFailure::kExpired;
  if (refusal.message == auth::kValueExistsFailed) return AuthFailure::kValueExists;
  return AuthFailure::kInvalid;
}

HttpResponse PlainText(int status, std::string text) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  return r;
}

}  // namespace

HttpResponse RestApi::Handle(HttpRequest& request) {
  const Clock::time_point start = Clock::now();
  Outcome outcome;
  HttpResponse response;
  if (request.method == "OPTIONS" && enable_cors_ && request.Header("origin")) {
    response.content_type.clear();
    AddCorsHeaders(request, &response);
  } else {
    response = Dispatch(request, &outcome);
    if (enable_cors_) AddCorsHeaders(request, &response);
  }
  // As Qdrant's actix middleware: keyed by the route pattern, "unknown" when none matched.
  RequestMetrics& metrics = monitoring_.requests();
  metrics.RecordResponse(request.method, outcome.route ? outcome.route->pattern : "unknown",
                         response.status,
                         std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start),
                         UnixMillisNow());
  if (outcome.auth_failure) metrics.RecordAuthFailure(*outcome.auth_failure);
  return response;
}

BodyPlan RestApi::PlanBody(const HttpRequest& head) {
  BodyPlan plan;
  std::string_view path = std::string_view(head.target).substr(0, head.target.find('?'));
  // Every request passes here: only a POST ending in /snapshots/upload is worth routing twice.
  // (Routing ignores empty segments, so trailing slashes are dropped before the check.)
  constexpr std::string_view kUploadTail = "/snapshots/upload";
  std::string_view tail = path.substr(0, path.find_last_not_of('/') + 1);
  if (head.method != "POST" || !tail.ends_with(kUploadTail)) {
    return plan;
  }
  bool path_matched = false;
  std::map<std::string, std::string> params;
  const Route* route = FindRoute(head.method, SplitPath(path), &params, &path_matched);
  if (route == nullptr || route->operation != Operation::kUploadSnapshot || snapshots_ == nullptr) {
    return plan;
  }
  Clock::time_point start = Clock::now();
  plan.kind = BodyPlan::Kind::kRefuse;
  Refusal refusal{};
  std::optional<auth::Access> access = gate_.Authenticate(head, path, &refusal);
  if (!access) {
    plan.refusal = PlainText(refusal.status, refusal.message);
    return plan;
  }
  if (auto refused = gate_.Authorize(head, path, *access, route->operation,
                                     {params["collection_name"]})) {
    plan.refusal = refused->plain_text ? PlainText(refused->status, refused->message)
                                       : ErrorResponse(refused->status, refused->message, start);
    return plan;
  }
  plan.kind = BodyPlan::Kind::kFile;
  plan.file_dir = snapshots_->UploadDir();
  plan.max_file_bytes = kMaxSnapshotUploadBytes;
  return plan;
}

HttpResponse RestApi::Dispatch(HttpRequest& request, Outcome* outcome) {
  Clock::time_point start = Clock::now();
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view query =
      path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
  std::vector<std::string_view> segments = SplitPath(path);

  bool path_matched = false;
  std::map<std::string, std::string> params;
  const Route* route = FindRoute(request.method, segments, &params, &path_matched);
  outcome->route = route;
  // Credentials are checked before anything else is revealed: an unknown route without them
  // is 401, with them 404. Only the open routes (/, health probes) skip this.
  bool open_route = route != nullptr && (route->operation == Operation::kServiceInfo ||
                                         route->operation == Operation::kHealthCheck);
  std::optional<auth::Access> access;
  if (open_route) {
    access = auth::Access{auth::Access::Global::kNone, {}, std::nullopt, "", auth::AuthMethod::kNone};
  } else {
    Refusal refusal{};
    access = gate_.Authenticate(request, path, &refusal);
    if (!access) {
      outcome->auth_failure = AuthenticationFailureOf(refusal);
      return PlainText(refusal.status, refusal.message);
    }
  }
  if (route == nullptr) {
    if (path_matched) return ErrorResponse(405, "Method Not Allowed", start);
    return ErrorResponse(404, "Not found: no route for " + std::string(path), start);
  }

  RequestContext ctx{request, std::move(params), {}, Json(), *catalog_, info_, *access,
                     gate_.audit_log(), snapshots_, &monitoring_};
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view kv = query.substr(pos, amp - pos);
    size_t eq = kv.find('=');
    std::string key = PercentDecode(kv.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : PercentDecode(kv.substr(eq + 1), true);
    if (!key.empty()) ctx.query[key] = value;
    pos = amp + 1;
  }
  // The body is parsed before the access check, which needs the collections it names; a
  // malformed one is refused only after the check (with the path's collection alone), so that
  // nothing about a collection is revealed to a credential without rights on it.
  Status body_error;
  if (!request.body.empty()) {
    auto parsed = Json::ParseParallel(request.body, catalog_->search_threads());
    if (parsed.ok()) {
      ctx.body = std::move(parsed).value();
    } else {
      body_error = InvalidArgument("Format error in JSON body: " + parsed.status().message());
    }
  }
  // A spooled upload was authorized (and audited) by PlanBody before its body was read.
  const bool authorized_early =
      route->operation == Operation::kUploadSnapshot && !request.body_file.empty();
  if (!open_route && !authorized_early) {
    if (auto refusal = gate_.Authorize(request, path, *access, route->operation,
                                       CollectionsTouched(ctx))) {
      outcome->auth_failure = AuthFailure::kForbidden;
      if (refusal->plain_text) return PlainText(refusal->status, refusal->message);
      return ErrorResponse(refusal->status, refusal->message, start);
    }
  }
  if (!body_error.ok()) return ErrorResponse(400, body_error.message(), start);
  if (auto it = ctx.path.find("collection_name"); it != ctx.path.end()) {
    Status valid = ValidateCollectionName(it->second);
    if (!valid.ok()) return ErrorResponse(HttpStatusOf(valid.code()), valid.message(), start);
  }
  if (auto it = ctx.query.find("timeout"); it != ctx.query.end() && it->second == "0") {
    return ErrorResponse(422, "Validation error in query parameters: [timeout: value 0 invalid, must be 1 or larger]", start);
  }
  if (auto it = ctx.query.find("wait"); it != ctx.query.end() && it->second != "true" &&
                                        it->second != "false" && !it->second.empty()) {
    return ErrorResponse(400, "Query deserialize error: wait: provided string was not `true` or `false`", start);
  }

  StatusOr<Reply> reply = Status(StatusCode::kInternal, "unhandled");
  try {
    reply = route->handler(ctx);
  } catch (const std::exception& e) {
    // Last resort: a bug of ours, never a client's mistake. Answer 500, keep serving.
    return ErrorResponse(500, std::string("Service internal error: ") + e.what(), start);
  }
  if (!reply.ok()) {
    return ErrorResponse(HttpStatusOf(reply.status().code()), ErrorMessage(reply.status()), start);
  }
  if (reply->error) return ErrorResponse(reply->status, *reply->error, start);
  if (reply->status < 400) {
    monitoring_.AfterSuccess(*catalog_, route->operation, ctx.path, ctx.body,
                             std::chrono::duration<double>(Clock::now() - start).count());
  }
  HttpResponse response;
  response.status = reply->status;
  if (reply->raw_text) {
    response.content_type =
        reply->content_type.empty() ? "text/plain; charset=utf-8" : reply->content_type;
    response.body = *reply->raw_text;
    return response;
  }
  if (reply->accepted) {
    response.status = 202;
    response.body = "{\"result\":null,\"status\":\"accepted\",\"time\":";
    AppendTime(&response.body, start);
    response.body += "}";
    return response;
  }
  if (!reply->file.empty()) {
    response.content_type = "application/octet-stream";
    response.body_file = reply->file;
    return response;
  }
  if (reply->bare_json) {
    response.body = reply->result.Dump();
    return response;
  }
  response.body = "{\"result\":";
  if (reply->result_text) {
    response.body += *reply->result_text;
  } else {
    reply->result.DumpTo(&response.body);
  }
  response.body += ",\"status\":\"ok\",\"time\":";
  AppendTime(&response.body, start);
  response.body += "}";
  return response;
}

StatusOr<Reply> Ok(Json result) {
  Reply r;
  r.result = std::move(result);
  return r;
}

StatusOr<std::shared_ptr<Collection>> CollectionOf(RequestContext& ctx) {
  return ctx.catalog.Get(ctx.Param("collection_name"));
}

Json RenderPoint(const PointOut& p) {
  Json j = Json::MakeObject();
  j.as_object().reserve(6);
  j.Set("id", p.id.ToJson());
  if (p.score) {
    j.Set("version", Json(p.version));
    j.Set("score", Json::Float(*p.score));
  }
  j.Set("payload", p.payload ? *p.payload : Json());
  j.Set("vector", p.vector ? *p.vector : Json());
  if (p.order_value) j.Set("order_value", *p.order_value);
  return j;
}

void AppendPointJson(const PointOut& p, std::string* out) {
  out->append(R"({"id":)");
  p.id.ToJson().DumpTo(out);
  if (p.score) {
    out->append(R"(,"version":)");
    Json(p.version).DumpTo(out);
    out->append(R"(,"score":)");
    Json::Float(*p.score).DumpTo(out);
  }
  out->append(R"(,"payload":)");
  if (p.payload) {
    p.payload->DumpTo(out);
  } else {
    out->append("null");
  }
  out->append(R"(,"vector":)");
  if (p.vector) {
    p.vector->DumpTo(out);
  } else {
    out->append("null");
  }
  if (p.order_value) {
    out->append(R"(,"order_value":)");
    p.order_value->DumpTo(out);
  }
  out->push_back('}');
}

Json RenderUpdate(const UpdateResult& r) {
  return Json(Json::Object{{"operation_id", Json(r.operation_id)},
                           {"status", Json(r.completed ? "completed" : "acknowledged")}});
}

}  // namespace rest
}  // namespace quiver
