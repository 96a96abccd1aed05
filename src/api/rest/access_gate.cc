#include "api/rest/access_gate.h"

#include "api/rest/rest_api.h"

#include "auth/authorize.h"
#include "collection/filter.h"

namespace quiver::rest {
namespace {

std::optional<std::string> HeaderValue(const HttpRequest& request, std::string_view name) {
  const std::string* v = request.Header(name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

// value_exists: a filter of `match` conditions, one per {key, value} of the claim.
StatusOr<Filter> ValueExistsFilter(const Json& matches) {
  Json must = Json::MakeArray();
  for (const Json& m : matches.as_array()) {
    const Json* key = m.Find("key");
    const Json* value = m.Find("value");
    if (key == nullptr || value == nullptr) continue;
    must.Push(Json(Json::Object{{"key", *key}, {"match", Json(Json::Object{{"value", *value}})}}));
  }
  return ParseFilter(Json(Json::Object{{"must", must}}));
}

}  // namespace

AccessGate::AccessGate(SecurityOptions options, Catalog* catalog)
    : options_(options), catalog_(catalog) {}

bool AccessGate::open() const {
  return options_.authenticator == nullptr || options_.authenticator->open();
}

Status AccessGate::CheckValueExists(const auth::Access& access) const {
  if (!access.value_exists) return Status::Ok();
  // The token holds only while a matching point exists: revocation by deleting the point. Part
  // of authentication, as in Qdrant (before routing): a missing collection is 403, no matching
  // point 401, both in plain text.
  auto target = catalog_->Get(access.value_exists->collection);
  auto filter = ValueExistsFilter(access.value_exists->matches);
  if (!target.ok() || !filter.ok()) {
    return Status(StatusCode::kPermissionDenied, auth::kValueExistsFailed);
  }
  if ((*target)->Count(*filter) == 0) {
    return Status(StatusCode::kUnauthenticated, auth::kValueExistsFailed);
  }
  return Status::Ok();
}

std::string AccessGate::ClientAddress(const HttpRequest& request) const {
  if (options_.trust_forwarded_headers) {
    if (const std::string* forwarded = request.Header("x-forwarded-for")) {
      std::string first = forwarded->substr(0, forwarded->find(','));
      size_t b = first.find_first_not_of(' '), e = first.find_last_not_of(' ');
      if (b != std::string::npos) return first.substr(b, e - b + 1);
    }
  }
  return request.remote_address;
}

void AccessGate::Audit(const HttpRequest& request, std::string_view path,
                       const auth::Access* access, const char* method,
                       const std::string& collection, const Status& outcome) const {
  if (options_.audit == nullptr) return;
  audit::AuditEvent e;
  e.method = method;
  e.api = std::string(path);
  e.auth_type = access ? auth::AuditAuthType(access->method) : std::string(audit::kAuthNone);
  e.subject = access ? access->subject : "";
  e.remote = ClientAddress(request);
  e.collection = collection;
  e.tracing_id = audit::TracingIdFromHeaders([&](std::string_view name) -> std::optional<std::string_view> {
    const std::string* v = request.Header(name);
    return v ? std::optional<std::string_view>(*v) : std::nullopt;
  });
  e.result = std::string(outcome.ok() ? audit::kResultOk : audit::kResultDenied);
  if (!outcome.ok()) {
    // As Qdrant's log words refusals: "Unauthorized: …" (401) or "Forbidden: …" (403).
    const std::string& m = outcome.message();
    const char* prefix = outcome.code() == StatusCode::kUnauthenticated ? "Unauthorized: " : "Forbidden: ";
    e.error = m.rfind(prefix, 0) == 0 ? m : prefix + m;
  }
  e.client_cert_subject = request.client_cert_subject;
  options_.audit->Record(std::move(e));
}

std::optional<auth::Access> AccessGate::Authenticate(const HttpRequest& request,
                                                     std::string_view path,
                                                     Refusal* refusal) const {
  if (open()) return auth::Access{auth::Access::Global::kManage, {}, std::nullopt, "", auth::AuthMethod::kNone};
  StatusOr<auth::Access> access = options_.authenticator->Authenticate(
      HeaderValue(request, "api-key"), HeaderValue(request, "authorization"));
  Status failure = access.ok() ? CheckValueExists(*access) : access.status();
  if (failure.ok()) return std::move(access).value();
  *refusal = Refusal{HttpStatusOf(failure.code()), failure.message(), true};
  Audit(request, path, nullptr, "", "", failure);
  return std::nullopt;
}

std::optional<Refusal> AccessGate::Authorize(const HttpRequest& request, std::string_view path,
                                             const auth::Access& access, Operation op,
                                             const std::vector<std::string>& collections) const {
  const std::string collection = collections.empty() ? "" : collections[0];
  if (op == Operation::kHealthCheck || op == Operation::kServiceInfo) return std::nullopt;
  if (open() && options_.audit == nullptr) return std::nullopt;
  Status decision = auth::Authorize(access, op, collections);
  Audit(request, path, &access, OperationName(op), collection, decision);
  if (decision.ok()) return std::nullopt;
  return Refusal{HttpStatusOf(decision.code()), decision.message(), false};
}

}  // namespace quiver::rest
