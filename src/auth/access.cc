#include "auth/access.h"

namespace quiver::auth {

const char* AuditAuthType(AuthMethod method) {
  switch (method) {
    case AuthMethod::kNone: return "None";
    case AuthMethod::kApiKey:
    case AuthMethod::kAltApiKey:
    case AuthMethod::kReadOnlyApiKey: return "ApiKey";
    case AuthMethod::kJwt: return "Jwt";
  }
  return "None";
}

const char* CollectionAccessName(CollectionAccess access) {
  switch (access) {
    case CollectionAccess::kRead: return "r";
    case CollectionAccess::kReadWrite: return "rw";
    case CollectionAccess::kPointsReadWrite: return "prw";
  }
  return "r";
}

const CollectionAccess* Access::Find(const std::string& collection) const {
  for (const auto& [name, access] : collections) {
    if (name == collection) return &access;
  }
  return nullptr;
}

}  // namespace quiver::auth
