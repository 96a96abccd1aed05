#include "auth/authenticator.h"

#include <chrono>
#include <cstring>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace quiver::auth {
namespace {

Access KeyAccess(Access::Global global, AuthMethod method) {
  Access access;
  access.global = global;
  access.method = method;
  return access;
}

struct DigestHash {
  size_t operator()(const SecretKey::Digest& d) const {
    size_t h;
    std::memcpy(&h, d.data(), sizeof(h));  // already uniformly distributed
    return h;
  }
};

}  // namespace

struct Authenticator::JwtCache {
  struct Entry {
    Access access;
    std::optional<uint64_t> exp;
  };
  std::mutex mu;
  std::unordered_map<SecretKey::Digest, Entry, DigestHash> entries;  // guarded by mu
};

int64_t SystemClock() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Authenticator::Authenticator(KeySettings keys, Clock clock)
    : open_(keys.api_key.empty() && keys.alt_api_key.empty() && keys.read_only_api_key.empty()),
      api_key_(keys.api_key),
      alt_api_key_(keys.alt_api_key),
      read_only_api_key_(keys.read_only_api_key),
      clock_(std::move(clock)),
      jwt_cache_(std::make_unique<JwtCache>()) {
  if (keys.jwt_rbac) {
    if (!keys.api_key.empty()) verifiers_.emplace_back(keys.api_key);
    if (!keys.alt_api_key.empty()) verifiers_.emplace_back(keys.alt_api_key);
  }
}

Authenticator::~Authenticator() = default;
Authenticator::Authenticator(Authenticator&&) noexcept = default;
Authenticator& Authenticator::operator=(Authenticator&&) noexcept = default;

StatusOr<Access> Authenticator::Authenticate(
    const std::optional<std::string>& api_key_header,
    const std::optional<std::string>& authorization) const {
  if (open_) return KeyAccess(Access::Global::kManage, AuthMethod::kNone);

  static constexpr std::string_view kBearer = "Bearer ";
  std::string_view key;
  if (api_key_header) {
    key = *api_key_header;
  } else if (authorization && std::string_view(*authorization).starts_with(kBearer)) {
    key = std::string_view(*authorization).substr(kBearer.size());
  } else {
    return Status(StatusCode::kUnauthenticated, kMissingCredential);
  }

  // Every comparison runs, so timing does not tell which key (if any) matched.
  const SecretKey::Digest digest = SecretKey::Hash(key);
  const bool is_api = api_key_.Matches(digest);
  const bool is_alt = alt_api_key_.Matches(digest);
  const bool is_read_only = read_only_api_key_.Matches(digest);
  if (is_api) return KeyAccess(Access::Global::kManage, AuthMethod::kApiKey);
  if (is_alt) return KeyAccess(Access::Global::kManage, AuthMethod::kAltApiKey);
  if (is_read_only) return KeyAccess(Access::Global::kRead, AuthMethod::kReadOnlyApiKey);

  if (verifiers_.empty()) return Status(StatusCode::kUnauthenticated, kInvalidCredential);
  return AuthenticateJwt(key, digest);
}

StatusOr<Access> Authenticator::AuthenticateJwt(std::string_view token,
                                                const SecretKey::Digest& digest) const {
  const int64_t now_s = clock_();
  {
    std::lock_guard<std::mutex> lock(jwt_cache_->mu);
    auto it = jwt_cache_->entries.find(digest);
    if (it != jwt_cache_->entries.end() && !JwtVerifier::Expired(it->second.exp, now_s)) {
      return it->second.access;
    }
  }

  std::optional<Status> first_error;
  for (const JwtVerifier& verifier : verifiers_) {
    std::optional<StatusOr<ParsedClaims>> result = verifier.Decode(token, now_s);
    if (!result) continue;
    if (result->ok()) {
      ParsedClaims& claims = result->value();
      std::lock_guard<std::mutex> lock(jwt_cache_->mu);
      if (jwt_cache_->entries.size() >= kJwtCacheEntries) jwt_cache_->entries.clear();
      jwt_cache_->entries.insert_or_assign(digest, JwtCache::Entry{claims.access, claims.exp});
      return std::move(claims.access);
    }
    if (!first_error) first_error = result->status();
  }
  if (first_error) return *first_error;
  return Status(StatusCode::kUnauthenticated, kInvalidCredential);
}

}  // namespace quiver::auth
