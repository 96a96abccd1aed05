#pragma once
// Small libjwt helpers shared inside auth/ (not part of the module's interface).

#include <jwt.h>

#include <memory>
#include <string>
#include <string_view>

namespace quiver::auth {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

// Unpadded base64url (RFC 7515 §2) of raw bytes.
std::string Base64UrlEncode(std::string_view bytes);

}  // namespace quiver::auth
