#pragma once
// Access: what an authenticated request may do, independent of how it authenticated (API key,
// read-only key, JWT) and of the front end (REST, gRPC). Authenticator produces one per request;
// Authorize() (auth/authorize.h) checks it against each operation.
//
// The model is Qdrant's (lib/storage/src/rbac/mod.rs): either a global right (read or manage) or
// a list of per-collection grants, each read (`r`), read-write (`rw`) or points-only read-write
// (`prw`: points, but no snapshots, payload indexes or cluster info).

#include <string>
#include <utility>
#include <optional>
#include <vector>

#include "common/json.h"

namespace quiver::auth {

enum class AuthMethod {
  kNone,            // open server: no key configured
  kApiKey,          // service.api_key
  kAltApiKey,       // service.alt_api_key
  kReadOnlyApiKey,  // service.read_only_api_key
  kJwt,             // a JWT signed with api_key or alt_api_key (service.jwt_rbac)
};

// The `auth_type` Qdrant's audit log records: "ApiKey" for any of the three keys, "Jwt", "None".
const char* AuditAuthType(AuthMethod method);

enum class CollectionAccess {
  kRead,             // "r"
  kReadWrite,        // "rw"
  kPointsReadWrite,  // "prw"
};

// "r", "rw", "prw".
const char* CollectionAccessName(CollectionAccess access);

// The JWT `value_exists` claim: the token is valid only while a point matching every pair exists
// in `collection` (deleting the point revokes the token). Checking it needs storage, so the front
// end does it after Authenticate(): scroll `collection` (as written, with full rights, not the
// token's) for one point whose payload matches each `key` = `value` (a `must` list of match
// conditions). Qdrant's answers when the check fails, both as plain text bodies:
//   collection not found           -> 403 kValueExistsFailed
//   no matching point              -> 401 kValueExistsFailed
//   any other storage error        -> that error, through the usual status table
struct ValueExists {
  std::string collection;
  // Array of objects {"key": <payload path string>, "value": <string | int64 | bool>}, in the
  // token's order; the shape is checked when the claim is parsed.
  Json matches;
};

inline constexpr char kValueExistsFailed[] = "Invalid JWT, stateful validation failed";

struct Access {
  // kManage: api key, alt key, JWT "m", JWT without `access` claim, open server.
  // kRead: read-only key, JWT "r".
  // kNone: only the per-collection grants in `collections`.
  enum class Global { kNone, kRead, kManage };

  Global global = Global::kNone;
  // Per-collection grants, in the token's order; used only when global == kNone. Names are
  // unique (a token naming a collection twice is refused).
  std::vector<std::pair<std::string, CollectionAccess>> collections;
  std::optional<ValueExists> value_exists;
  // Who the request is for, for the audit log: the JWT `subject` claim, else its `sub` claim,
  // else "". Never derived from a key.
  std::string subject;
  AuthMethod method = AuthMethod::kNone;

  // The grant for `collection` as written (no alias resolution), or nullptr.
  // REQUIRES: global == kNone for the answer to mean anything.
  const CollectionAccess* Find(const std::string& collection) const;
};

}  // namespace quiver::auth
