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
  // Threads one batch of queries (and the parse of a large body) may use:
  // storage.performance.max_search_threads, or one per CPU.
  size_t search_threads() const { return search_threads_; }

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

  // Snapshots (catalog_snapshot.cc; archive layout in service/snapshot_archive.h).
  // Writes the collection `name` (or an alias's target) to a new archive at `path`, as it is at
  // one instant: writes made meanwhile are either wholly in it or not at all.
  Status WriteSnapshot(const std::string& name, const std::string& path);
  // Writes every collection and alias to a new archive at `path`, all at one instant.
  Status WriteFullSnapshot(const std::string& path);
  // Creates collection `name` from the collection snapshot at `path`, replacing a collection of
  // that name. The archive is read and stored in full before the switch, which is one atomic
  // write: on any error (kInvalidArgument for a bad archive) nothing visible has changed.
  Status RestoreSnapshot(const std::string& name, const std::string& path);
  // Restores every collection and alias of the full snapshot at `path` (each collection as
  // RestoreSnapshot does; its entries are first copied into a collection archive in `temp_dir`).
  // A collection that exists already is kept unless `replace_existing`.
  Status RestoreFullSnapshot(const std::string& path, const std::string& temp_dir,
                             bool replace_existing);

  Status Flush() { return store_->Flush(); }
  KvStore* store() { return store_.get(); }

 private:
  Catalog(std::unique_ptr<KvStore> store, CollectionDefaults defaults);
  Status Load();
  // Every Collection object of this catalog is made here (load, create, restore).
  std::shared_ptr<Collection> NewCollection(uint64_t uid, const std::string& name,
                                            CollectionConfig config);
  Status PersistCollection(WriteBatch* batch, const Collection& c, const CollectionConfig& config);

  std::unique_ptr<KvStore> store_;
  CollectionDefaults defaults_;
  const size_t search_threads_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Collection>> collections_;
  std::map<std::string, std::string> aliases_;  // alias -> collection
  uint64_t next_uid_ = 1;
  std::mutex restore_mu_;  // one restore at a time
  // <storage_path>/indexes: each collection keeps its HNSW segment files in <uid>/ below it.
  std::string index_root_;
};

// Checks a collection or alias name as Qdrant does; kInvalidArgument names the problem.
Status ValidateCollectionName(const std::string& name);
Status CollectionNotFound(const std::string& name);

}  // namespace quiver
