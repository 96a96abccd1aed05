#include "auth/jwt_verifier.h"

#include <openssl/crypto.h>

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "auth/jwt_util.h"

namespace quiver::auth {
namespace {

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Decodes `token` with libjwt and `key`; nullptr when libjwt refuses it.
JwtPtr LibJwtDecode(const std::string& token, std::string_view key) {
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 0) {
    return nullptr;
  }
  return JwtPtr(raw);
}

// jsonwebtoken compares the header's `alg` exactly; libjwt's own check ignores case.
bool IsHs256(jwt_t* jwt) {
  const char* alg = jwt_get_header(jwt, "alg");
  return jwt_get_alg(jwt) == JWT_ALG_HS256 && alg != nullptr && std::strcmp(alg, "HS256") == 0;
}

// Whether `header` (the first base64url part) is one libjwt accepts as an HS256 header: sign
// "<header>.e30" ("{}" as payload) with a throwaway key and let libjwt parse and verify that.
bool IsHs256Header(std::string_view header) {
  static constexpr std::string_view kProbeKey = "quiver-jwt-header-probe";
  std::string probe(header);
  probe += ".e30";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), kProbeKey.data(), static_cast<int>(kProbeKey.size()),
           reinterpret_cast<const unsigned char*>(probe.data()), probe.size(), mac,
           &mac_len) == nullptr) {
    return false;
  }
  probe += '.';
  probe += Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
  JwtPtr jwt = LibJwtDecode(probe, kProbeKey);
  return jwt != nullptr && IsHs256(jwt.get());
}

Status Forbidden(const char* what) { return Status(StatusCode::kPermissionDenied, what); }

// HMAC-SHA256 of "<header>.<payload>" under `secret`, base64url, compared with `signature` in
// constant time (a genuine HS256 signature always has 43 characters, so the length says nothing).
bool SignatureMatches(std::string_view header, std::string_view payload,
                      std::string_view signature, const std::string& secret) {
  std::string signed_part(header);
  signed_part += '.';
  signed_part += payload;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac,
           &mac_len) == nullptr) {
    return false;
  }
  const std::string expected =
      Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
  return expected.size() == signature.size() &&
         CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

}  // namespace

bool IsStrictBase64Url(std::string_view s) {
  if (s.size() % 4 == 1) return false;
  for (char c : s) {
    if (Base64UrlValue(c) < 0) return false;
  }
  if (s.empty()) return true;
  const int last = Base64UrlValue(s.back());
  if (s.size() % 4 == 2) return (last & 0x0F) == 0;
  if (s.size() % 4 == 3) return (last & 0x03) == 0;
  return true;
}

bool JwtVerifier::Expired(std::optional<uint64_t> exp, int64_t now_s) {
  // jsonwebtoken: expired iff exp < now - leeway.
  const int64_t oldest_valid = now_s - kLeewaySeconds;
  return exp.has_value() && oldest_valid > 0 && *exp < static_cast<uint64_t>(oldest_valid);
}

JwtVerifier::JwtVerifier(std::string secret) : secret_(std::move(secret)) {}

std::optional<StatusOr<ParsedClaims>> JwtVerifier::Decode(std::string_view token,
                                                          int64_t now_s) const {
  // Compact serialisation: exactly three parts (jsonwebtoken's expect_two! on rsplitn).
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos ||
      token.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view header = token.substr(0, dot1);
  const std::string_view payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature = token.substr(dot2 + 1);
  // libjwt's base64 decoder skips what it does not understand; jsonwebtoken refuses it.
  if (!IsStrictBase64Url(header) || !IsStrictBase64Url(signature)) return std::nullopt;

  // The signature is checked here first, in constant time: libjwt 1.10 compares signatures
  // with strcmp, whose early exit would tell an attacker how much of a forged one is right.
  // Only a token whose signature matches reaches libjwt (which then compares equal strings).
  if (!SignatureMatches(header, payload, signature, secret_)) {
    if (IsHs256Header(header)) return StatusOr<ParsedClaims>(Forbidden("InvalidSignature"));
    return std::nullopt;
  }
  JwtPtr jwt = LibJwtDecode(std::string(token), secret_);
  if (jwt == nullptr) {
    if (IsHs256Header(header)) return StatusOr<ParsedClaims>(Forbidden("InvalidSignature"));
    return std::nullopt;
  }
  if (!IsHs256(jwt.get()) || !IsStrictBase64Url(payload)) return std::nullopt;

  std::unique_ptr<char, decltype(&std::free)> grants(jwt_get_grants_json(jwt.get(), nullptr),
                                                     &std::free);
  if (grants == nullptr) return std::nullopt;
  StatusOr<Json> json = Json::Parse(grants.get());
  if (!json.ok()) return std::nullopt;
  StatusOr<ParsedClaims> claims = ParseClaims(*json);
  if (!claims.ok()) return std::nullopt;

  // Checked after deserialising, before Qdrant's own validation, as jsonwebtoken does.
  if (Expired(claims->exp, now_s)) return StatusOr<ParsedClaims>(Forbidden("ExpiredSignature"));
  if (!claims->validation_error.empty()) {
    return StatusOr<ParsedClaims>(
        Status(StatusCode::kUnauthenticated, claims->validation_error));
  }
  return claims;
}

}  // namespace quiver::auth
