#pragma once
// AccessGate: the REST side of the one authorization check. For each routed request it turns
// headers into credentials, credentials into an Access (auth::Authenticator), checks the
// route's Operation against the collections the request names (auth::Authorize), checks a
// token's value_exists condition, and writes one audit line per checked request and per failed
// authentication.

#include <optional>
#include <string>

#include "api/rest/http_message.h"
#include "audit/audit_log.h"
#include "auth/access.h"
#include "auth/authenticator.h"
#include "auth/operation.h"
#include "service/catalog.h"

namespace quiver::rest {

struct SecurityOptions {
  const auth::Authenticator* authenticator = nullptr;  // null: open server
  audit::AuditLog* audit = nullptr;                   // null: no audit log
  bool trust_forwarded_headers = false;               // take the client IP from X-Forwarded-For
};

// A refusal ready to send: Qdrant answers authentication failures in plain text and
// authorization failures in its JSON envelope.
struct Refusal {
  int status;
  std::string message;
  bool plain_text;
};

class AccessGate {
 public:
  AccessGate(SecurityOptions options, Catalog* catalog);

  // Whether any credential is required at all.
  bool open() const;
  audit::AuditLog* audit_log() const { return options_.audit; }

  // Authenticates the request, value_exists included. nullopt access means refused (filled
  // into *refusal, audited as a failed authentication).
  std::optional<auth::Access> Authenticate(const HttpRequest& request, std::string_view path,
                                           Refusal* refusal) const;

  // Authorizes `op` on `collections` (as written) for `access`. Audits the decision. Returns
  // nullopt when allowed.
  std::optional<Refusal> Authorize(const HttpRequest& request, std::string_view path,
                                   const auth::Access& access, Operation op,
                                   const std::vector<std::string>& collections) const;

 private:
  void Audit(const HttpRequest& request, std::string_view path, const auth::Access* access,
             const char* method, const std::string& collection, const Status& outcome) const;
  std::string ClientAddress(const HttpRequest& request) const;
  Status CheckValueExists(const auth::Access& access) const;

  SecurityOptions options_;
  Catalog* catalog_;
};

}  // namespace quiver::rest
