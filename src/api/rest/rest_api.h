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
#include "auth/operation.h"
#include "common/json.h"
#include "service/catalog.h"

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

  const std::string& Param(const char* name) const { return path.at(name); }
  bool Wait() const;  // the `wait` query parameter
};

// A handler's answer: `result` goes into the envelope, unless `raw_text` is set (health probes).
struct Reply {
  Json result;
  int status = 200;
  std::optional<std::string> raw_text;
  bool bare_json = false;  // `GET /`: the object itself, no envelope
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
          bool enable_cors = true);
  HttpResponse Handle(HttpRequest& request);

 private:
  HttpResponse Dispatch(HttpRequest& request);
  Catalog* catalog_;
  ServiceInfo info_;
  AccessGate gate_;
  bool enable_cors_;
};

// Route tables of each handler file.
std::vector<Route> ServiceRoutes();
std::vector<Route> CollectionRoutes();
std::vector<Route> PointRoutes();
std::vector<Route> SearchRoutes();

// Every collection the request names, path first (request_scope.cc).
std::vector<std::string> CollectionsTouched(const RequestContext& ctx);

// Helpers shared by the handler files.
int HttpStatusOf(StatusCode code);
Json RenderPoint(const PointOut& p);
Json RenderUpdate(const UpdateResult& r);
StatusOr<Reply> Ok(Json result);
StatusOr<std::shared_ptr<Collection>> CollectionOf(RequestContext& ctx);

}  // namespace quiver::rest
