#include "auth/secret_key.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace quiver::auth {

SecretKey::Digest SecretKey::Hash(std::string_view candidate) {
  Digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(candidate.data()), candidate.size(), out.data());
  return out;
}

SecretKey::SecretKey(std::string_view key) : configured_(!key.empty()) {
  if (configured_) digest_ = Hash(key);
}

bool SecretKey::Matches(const Digest& candidate) const {
  const bool equal = CRYPTO_memcmp(candidate.data(), digest_.data(), candidate.size()) == 0;
  return configured_ & equal;  // both known before combining: no early exit on either
}

}  // namespace quiver::auth
