#pragma once
// Authenticator: turns a request's credentials into an Access, as Qdrant's AuthKeys does
// (src/common/auth/mod.rs, src/actix/auth.rs). Transport-neutral: the REST and gRPC front ends
// pass the two header values in and map the Status out.
//
// Order, as in Qdrant:
//   1. no key configured            -> Access{global kManage, method kNone} whatever is sent
//   2. the credential is header `api-key`, else `Authorization` minus an exact "Bearer " prefix
//      ("bearer x", "Bearer" without the space, or another scheme count as no credential);
//      `api-key` wins when both are present, even if it is wrong
//   3. equal to api_key or alt_api_key -> kManage; to read_only_api_key -> kRead
//   4. with jwt_rbac: a JWT signed with api_key, else alt_api_key (see jwt_verifier.h)
//
// Errors (message = Qdrant's plain-text response body; the REST layer answers with the body as
// text/plain, not in the JSON envelope; Qdrant's audit log records it prefixed "Unauthorized: "
// or "Forbidden: "):
//   kUnauthenticated "Must provide an API key or an Authorization bearer token"   no credential
//   kUnauthenticated "Invalid API key or JWT"   unknown key; not a JWT (malformed, alg other than
//                                               HS256, claims of the wrong shape); jwt_rbac off
//   kPermissionDenied "InvalidSignature"        an HS256 JWT not signed with either key
//   kPermissionDenied "ExpiredSignature"        exp more than 30 s in the past
//   kUnauthenticated "access[1].collection: Collection name should be unique" (and the
//       deprecated-`payload` text): Qdrant's validator message for such claims
// When both secrets are configured, each verifier answers and, as in Qdrant, any acceptance wins,
// else the first error in the order (api_key, alt_api_key), where "not a JWT" is no error. So
// an expired token signed with alt_api_key is answered "InvalidSignature" (api_key's verdict),
// and a token signed with one key whose claims have the wrong shape is "InvalidSignature" too
// (the other key's verdict) rather than "Invalid API key or JWT".
//
// A `value_exists` claim is returned in the Access, unchecked: the caller must check it (see
// access.h) before serving the request.
//
// Verified tokens are cached (keyed by the token's SHA-256, at most kJwtCacheEntries, the whole
// cache dropped when full), so a client that sends the same JWT on every request pays for libjwt
// once: a hit costs a hash, a lock and a copy of the Access. Only tokens that were accepted are
// cached, with their `exp`, which is checked again on every hit; an expired hit is verified
// afresh so that its error is the one Qdrant gives. The keys cannot change under an
// Authenticator (a key rotation makes a new one), so a cached verdict cannot go stale.
//
// Thread safety: Authenticate() may be called concurrently (the cache has its own lock) if the
// clock may.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.h"
#include "auth/jwt_verifier.h"
#include "auth/secret_key.h"
#include "common/status.h"

namespace quiver::auth {

// Empty strings mean "not configured" (Qdrant treats an empty key as unset).
struct KeySettings {
  std::string api_key;
  std::string alt_api_key;
  std::string read_only_api_key;
  bool jwt_rbac = false;
};

// Seconds since the Unix epoch. Tests inject a fake one.
using Clock = std::function<int64_t()>;
int64_t SystemClock();

inline constexpr char kMissingCredential[] =
    "Must provide an API key or an Authorization bearer token";
inline constexpr char kInvalidCredential[] = "Invalid API key or JWT";

class Authenticator {
 public:
  static constexpr size_t kJwtCacheEntries = 4096;

  explicit Authenticator(KeySettings keys, Clock clock = SystemClock);
  ~Authenticator();
  Authenticator(Authenticator&&) noexcept;
  Authenticator& operator=(Authenticator&&) noexcept;

  // No key configured: every request is allowed with manage rights.
  bool open() const { return open_; }

  // api_key_header: the value of header `api-key`; authorization: the value of `Authorization`;
  // nullopt when the header is absent (a value that is not visible ASCII should be passed as
  // absent, as actix's to_str() fails on it).
  StatusOr<Access> Authenticate(const std::optional<std::string>& api_key_header,
                                const std::optional<std::string>& authorization) const;

 private:
  bool open_;
  SecretKey api_key_;
  SecretKey alt_api_key_;
  SecretKey read_only_api_key_;
  std::vector<JwtVerifier> verifiers_;  // api_key's, then alt_api_key's; empty without jwt_rbac
  Clock clock_;
  struct JwtCache;
  std::unique_ptr<JwtCache> jwt_cache_;

  StatusOr<Access> AuthenticateJwt(std::string_view token, const SecretKey::Digest& digest) const;
};

}  // namespace quiver::auth
