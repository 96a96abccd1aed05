#pragma once
// Catalog: the collections and aliases of this node, persisted in the KvStore.
//
// Thread safety: all methods may be called concurrently. The catalog lock guards the name maps
// only; work on a collection happens on the shared_ptr it hands out, outside that lock, so a
// collection deleted while a request uses it stays alive until the request ends.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "collection/collection.h"
#include "storage/kv_store.h"

namespace quiver {

class Catalog {
 public:
  // Opens storage at `storage_path` and loads every collection.
  static StatusOr<std::unique_ptr<Catalog>> Open(const std::string& storage_path,
                                                 CollectionDefaults defaults);

  // Resolves a collection name or alias. NotFound with Qdrant's message when absent.
  StatusOr<std::shared_ptr<Collection>> Get(const std::string& name_or_alias) const;
  bool Exists(const std::string& name) const;
  std::vector<std::string> List() const;

  // `body` is the JSON of `PUT /collections/{name}`. AlreadyExists (409) when taken.
  Status Create(const std::string& name, const Json& body);
  Status Update(const std::string& name, const Json& patch);
  // Named vectors of an existing collection (`PUT|DELETE /collections/{c}/vectors/{name}`).
  Status CreateVectorName(const std::string& collection, const std::string& name, const Json& body);
  Status DeleteVectorName(const std::string& collection, const std::string& name);

  // Returns whether the collection existed. Its aliases go with it.
  StatusOr<bool> Delete(const std::string& name);

  // `actions` is the `actions` list of `POST /collections/aliases`, applied atomically.
  Status UpdateAliases(const Json& actions);
  // (alias, collection) pairs, optionally only those of one collection.
  std::vector<std::pair<std::string, std::string>> ListAliases(
      const std::optional<std::string>& collection) const;

  Status Flush() { return store_->Flush(); }
  KvStore* store() { return store_.get(); }

 private:
  Catalog(std::unique_ptr<KvStore> store, CollectionDefaults defaults);
  Status Load();
  Status PersistCollection(WriteBatch* batch, const Collection& c, const CollectionConfig& config);

  std::unique_ptr<KvStore> store_;
  CollectionDefaults defaults_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Collection>> collections_;
  std::map<std::string, std::string> aliases_;  // alias -> collection
  uint64_t next_uid_ = 1;
};

// Checks a collection or alias name as Qdrant does; kInvalidArgument names the problem.
Status ValidateCollectionName(const std::string& name);
Status CollectionNotFound(const std::string& name);

}  // namespace quiver
