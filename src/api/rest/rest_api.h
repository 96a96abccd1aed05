#pragma once
// RestApi: Qdrant's REST API over the catalog. Routes a request, parses its body into a typed
// operation, runs it, and renders Qdrant's envelope:
//   success {"result": ..., "status": "ok", "time": <seconds>}
//   error   {"status": {"error": "..."}, "time": <seconds>}
// Thread-safe: Handle() is called concurrently by the server's threads.

#include <map>
#include <string>
#include <vector>

#include "api/rest/access_gate.h"
#include "api/rest/http_message.h"
#include "api/rest/monitoring.h"
#include "auth/operation.h"
#include "common/json.h"
#include "service/catalog.h"
#include "service/snapshots.h"

namespace quiver::rest {

struct ServiceInfo {
  std::string version;
  std::string commit;
};

// What a route handler sees.
struct RequestContext {
  HttpRequest& http;
  std::map<std::string, std::string> path;   // decoded path parameters
  std::map<std::string, std::string> query;  // decoded query parameters
  Json body;                                 // parsed JSON body (null when empty)
  Catalog& catalog;
  const ServiceInfo& info;
  const auth::Access& access;  // who asks (full access on an open server)
  quiver::audit::AuditLog* audit_log;  // null when the audit log is off
  SnapshotStore* snapshots = nullptr;  // null when the server has no snapshot store
  Monitoring* monitoring = nullptr;    // the RestApi's (never null in a routed request)

  const std::string& Param(const char* name) const { return path.at(name); }
  bool Wait() const;  // the `wait` query parameter
};

// A handler's answer: `result` goes into the envelope, unless `raw_text` is set (health probes,
// metrics) or `error` is (an error whose HTTP status no StatusCode maps to, e.g. 405).
struct Reply {
  Json result;
  std::optional<std::string> result_text;  // the result already serialized, sent instead
  int status = 200;
  std::optional<std::string> raw_text;
  std::string content_type;          // of raw_text; "" is text/plain in UTF-8
  std::optional<std::string> error;  // answered as {"status":{"error":…},"time":…} with `status`
  bool bare_json = false;  // `GET /`: the object itself, no envelope
  std::string file;        // a download: the response body is this file's contents
  // `wait=false` on a snapshot operation: 202 {"result": null, "status": "accepted"} (Qdrant's
  // answer for work handed to the background; Quiver has done it already).
  bool accepted = false;
};

using Handler = StatusOr<Reply> (*)(RequestContext& ctx);

struct Route {
  const char* method;
  const char* pattern;  // segments; "{name}" is a parameter
  Operation operation;
  Handler handler;
};

class RestApi {
 public:
  RestApi(Catalog* catalog, ServiceInfo info, SecurityOptions security = {},
          bool enable_cors = true, SnapshotStore* snapshots = nullptr);
  // Answers one request and records it in the request metrics (route pattern, method, status,
  // latency; refused credentials by reason).
  HttpResponse Handle(HttpRequest& request);
  // The node's monitoring state; configure it (Monitoring::Configure) before serving.
  Monitoring& monitoring() { return monitoring_; }
  // For the server, once a request's header is read: a snapshot upload is authorized here,
  // before its body is read (Qdrant's GHSA-3v92-w72v-j994), and spooled to a file; anything
  // else is read into memory and checked by Handle().
  BodyPlan PlanBody(const HttpRequest& head);

 private:
  // What Dispatch tells Handle for the metrics.
  struct Outcome {
    const Route* route = nullptr;  // null: no route matched
    std::optional<AuthFailure> auth_failure;
  };
  HttpResponse Dispatch(HttpRequest& request, Outcome* outcome);
  Catalog* catalog_;
  ServiceInfo info_;
  AccessGate gate_;
  bool enable_cors_;
  SnapshotStore* snapshots_;
  Monitoring monitoring_;
};

// Route tables of each handler file.
std::vector<Route> ServiceRoutes();
std::vector<Route> CollectionRoutes();
std::vector<Route> PointRoutes();
std::vector<Route> SearchRoutes();
std::vector<Route> MonitoringRoutes();  // metrics, telemetry, cluster, issues, logger
std::vector<Route> SnapshotRoutes();

// Every collection the request names, path first (request_scope.cc).
std::vector<std::string> CollectionsTouched(const RequestContext& ctx);

// Helpers shared by the handler files.
int HttpStatusOf(StatusCode code);
Json RenderPoint(const PointOut& p);
// Appends the text RenderPoint(p).DumpTo() would, without building the tree: a batch search
// serializes a thousand points per request, and building their trees cost more than the writing.
void AppendPointJson(const PointOut& p, std::string* out);
Json RenderUpdate(const UpdateResult& r);
StatusOr<Reply> Ok(Json result);
StatusOr<std::shared_ptr<Collection>> CollectionOf(RequestContext& ctx);

}  // namespace quiver::rest
