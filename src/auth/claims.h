#pragma once
// JWT claims: the JSON payload of a verified token turned into an Access, the way Qdrant's
// `Claims` struct deserialises and validates it (src/common/auth/claims.rs,
// lib/storage/src/rbac/mod.rs). Pure JSON work; the token itself is handled in jwt_verifier.h.
//
// Accepted claims (all optional, unknown ones ignored, null = absent):
//   sub, subject     strings
//   exp              non-negative integer, seconds since the epoch
//   access           "r" | "m" | [{"collection": name, "access": "r"|"rw"|"prw", "payload"?}]
//                    absent: global manage (Qdrant's default_access)
//   value_exists     {"collection": name, "matches": [{"key": path, "value": str|int|bool}]}
// Beyond Qdrant, the shape of the seed document / Qdrant's guide is accepted as well:
//   "collections": {"name": ["read"] | ["read", "write"], ...}   read -> r, read+write -> rw
// either as a top-level claim (then `access` must be absent) or as the value of `access`. Qdrant
// ignores the top-level form (granting manage!) and refuses the other; we grant exactly what it
// says. Lists are non-empty sets of "read"/"write" that include "read"; anything else is refused.

#include <cstdint>
#include <optional>
#include <string>

#include "auth/access.h"
#include "common/json.h"
#include "common/status.h"

namespace quiver::auth {

struct ParsedClaims {
  Access access;  // method is kJwt
  std::optional<uint64_t> exp;
  // Non-empty when the claims deserialise but fail Qdrant's validation (a collection named twice,
  // the deprecated `payload` field): validator's text, e.g.
  // "access[1].collection: Collection name should be unique". Qdrant checks `exp` first and
  // then answers 401 with this text.
  std::string validation_error;
};

// kInvalidArgument when the claims do not have the shape above (Qdrant: serde error, which its
// JWT parser reports as "not a JWT", i.e. 401 "Invalid API key or JWT").
StatusOr<ParsedClaims> ParseClaims(const Json& claims);

}  // namespace quiver::auth
