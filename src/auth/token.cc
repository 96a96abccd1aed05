#include "auth/token.h"

#include <jwt.h>

#include <cstdlib>
#include <memory>

#include "auth/jwt_util.h"

namespace quiver::auth {

StatusOr<std::string> MintToken(const std::string& secret, const Json& claims) {
  if (secret.empty()) return InvalidArgument("cannot sign a token with an empty key");
  if (!claims.is_object()) return InvalidArgument("token claims must be a JSON object");

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return Internal("libjwt: jwt_new failed");
  JwtPtr jwt(raw);
  if (claims.size() > 0 && jwt_add_grants_json(jwt.get(), claims.Dump().c_str()) != 0) {
    return InvalidArgument("libjwt cannot encode these claims");
  }
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0) {
    return Internal("libjwt: jwt_set_alg failed");
  }
  std::unique_ptr<char, decltype(&std::free)> token(jwt_encode_str(jwt.get()), &std::free);
  if (token == nullptr) return Internal("libjwt: jwt_encode_str failed");
  return std::string(token.get());
}

}  // namespace quiver::auth
