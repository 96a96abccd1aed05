#pragma once
// JwtVerifier: checks a bearer token against one HS256 secret (api_key or alt_api_key) and
// returns its claims, classifying failures exactly as Qdrant's JwtParser::decode does
// (src/common/auth/jwt_parser.rs on jsonwebtoken 10.4, Validation::new(HS256), leeway 30 s, no
// required claims, `aud` not validated, `nbf`/`iss`/`sub` not checked):
//
//   nullopt                          not a JWT for us: not three base64url parts, a header that
//                                    is not JSON or whose `alg` is not exactly "HS256" (none,
//                                    HS384, HS512, RS256, "hs256" …), a signature that is not
//                                    base64url, or — with a valid signature — a payload that is
//                                    not base64url/JSON or claims of the wrong shape.
//                                    Qdrant answers 401 "Invalid API key or JWT".
//   kPermissionDenied "InvalidSignature"   a well-formed HS256 header, signature does not verify
//   kPermissionDenied "ExpiredSignature"   verified, but exp < now - 30
//   kUnauthenticated <validator text>      verified and unexpired, but a collection is named
//                                    twice or the deprecated `payload` field is present
//   ParsedClaims                     otherwise
//
// libjwt does the JOSE parsing and the HMAC check. libjwt parses the payload before it checks
// the signature, where jsonwebtoken checks the signature first; so when libjwt refuses a token
// whose header is a valid HS256 header, we answer "InvalidSignature" as Qdrant does for every
// token not signed with the key. (Only a holder of the key can make a token Qdrant would refuse
// with 401 instead: a correctly signed payload that is not JSON.) libjwt also refuses a `typ`
// header other than "JWT" (any case), which jsonwebtoken ignores: such tokens get 401.
//
// Thread safety: immutable after construction; Decode() may be called concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/claims.h"
#include "common/status.h"

namespace quiver::auth {

class JwtVerifier {
 public:
  // Qdrant's Validation::leeway: an `exp` up to this far in the past is still accepted.
  static constexpr int64_t kLeewaySeconds = 30;

  // REQUIRES: !secret.empty() (an empty key is "not configured" and gets no verifier).
  explicit JwtVerifier(std::string secret);

  // now_s: the current time in seconds since the epoch.
  std::optional<StatusOr<ParsedClaims>> Decode(std::string_view token, int64_t now_s) const;

  // Whether a token with this `exp` is refused at now_s (exp < now_s - kLeewaySeconds).
  static bool Expired(std::optional<uint64_t> exp, int64_t now_s);

 private:
  std::string secret_;  // needed for the HMAC; never logged
};

// True iff `s` is unpadded base64url as the `base64` crate's URL_SAFE_NO_PAD engine decodes it:
// alphabet A-Z a-z 0-9 - _, no '=', length % 4 != 1, unused trailing bits zero.
bool IsStrictBase64Url(std::string_view s);

}  // namespace quiver::auth
