#pragma once
// MintToken: signs a JWT (HS256, header {"alg":"HS256","typ":"JWT"}) with a configured key, for
// the `quiver token` command and for tests. The claims are written as given; see claims.h for
// what Authenticator accepts (e.g. {"access": "r", "exp": 1767225600, "subject": "ci"}).

#include <string>

#include "common/json.h"
#include "common/status.h"

namespace quiver::auth {

// kInvalidArgument when `secret` is empty, `claims` is not an object, or libjwt cannot
// represent it (e.g. an integer above INT64_MAX); kInternal if libjwt fails otherwise.
StatusOr<std::string> MintToken(const std::string& secret, const Json& claims);

}  // namespace quiver::auth
