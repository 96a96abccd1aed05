#pragma once
// SecretKey: a configured API key, kept only as its SHA-256 digest, compared in constant time.
//
// Comparing digests with CRYPTO_memcmp makes the time independent of where the candidate first
// differs and of the key's length (Qdrant's constant_time_eq returns early on a length mismatch,
// which leaks the length). An empty key is "not configured" and matches nothing, not even "".
// The key itself is never stored here, never printed, never logged.
//
// Thread safety: immutable after construction; Matches() may be called concurrently.

#include <array>
#include <cstdint>
#include <string_view>

namespace quiver::auth {

class SecretKey {
 public:
  using Digest = std::array<uint8_t, 32>;

  SecretKey() = default;  // not configured
  explicit SecretKey(std::string_view key);

  // SHA-256 of a candidate, computed once and compared against several keys.
  static Digest Hash(std::string_view candidate);

  bool configured() const { return configured_; }
  // True iff configured and the candidate is exactly the key. The time taken does not depend
  // on the key or on where the candidate differs from it.
  bool Matches(const Digest& candidate) const;
  bool Matches(std::string_view candidate) const { return Matches(Hash(candidate)); }

 private:
  bool configured_ = false;
  Digest digest_{};
};

}  // namespace quiver::auth
