#pragma once
// Keys the catalog owns (docs/formats/storage-keys.md), shared by catalog.cc and
// catalog_snapshot.cc.

namespace quiver::catalog_keys {

inline constexpr char kCollectionPrefix[] = "c";  // + name -> {"uid", "config"}
inline constexpr char kAliasPrefix[] = "a";       // + alias -> collection name
inline constexpr char kNextUidKey[] = "m/next_uid";

}  // namespace quiver::catalog_keys
