#include "service/catalog.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "service/catalog_keys.h"

namespace quiver {

using catalog_keys::kAliasPrefix;
using catalog_keys::kCollectionPrefix;
using catalog_keys::kNextUidKey;

Status CollectionNotFound(const std::string& name) {
  return NotFound("Collection `" + name + "` doesn't exist!");
}

Status ValidateCollectionName(const std::string& name) {
  if (name.empty() || name.size() > 255) {
    return Unprocessable("Validation error in path parameters: [name: length must be between 1 and 255]");
  }
  for (char c : name) {
    if (std::string_view("<>:\"/\\|?*").find(c) != std::string_view::npos || c == '\0') {
      return Unprocessable(std::string("Validation error in path parameters: [name: collection name cannot contain \"") + c + "\" char]");
    }
  }
  return Status::Ok();
}

Catalog::Catalog(std::unique_ptr<KvStore> store, CollectionDefaults defaults)
    : store_(std::move(store)),
      defaults_(std::move(defaults)),
      // Once: hardware_concurrency() reads /sys on every call.
      search_threads_(defaults_.max_search_threads > 0
                          ? defaults_.max_search_threads
                          : std::max(1u, std::thread::hardware_concurrency())) {}

StatusOr<std::unique_ptr<Catalog>> Catalog::Open(const std::string& storage_path,
                                                 CollectionDefaults defaults) {
  QUIVER_ASSIGN_OR_RETURN(auto store, KvStore::Open(storage_path));
  std::unique_ptr<Catalog> catalog(new Catalog(std::move(store), std::move(defaults)));
  catalog->index_root_ = storage_path + "/indexes";
  QUIVER_RETURN_IF_ERROR(catalog->Load());
  return catalog;
}

Status Catalog::Load() {
  QUIVER_ASSIGN_OR_RETURN(auto next, store_->Get(kNextUidKey));
  if (next) next_uid_ = std::stoull(*next);
  Status error;
  QUIVER_RETURN_IF_ERROR(store_->ScanPrefix(kCollectionPrefix, [&](std::string_view key, std::string_view value) {
    std::string name(key.substr(1));
    auto meta = Json::Parse(value);
    const Json* uid = meta.ok() ? meta->Find("uid") : nullptr;
    const Json* stored = meta.ok() ? meta->Find("config") : nullptr;
    if (uid == nullptr || stored == nullptr) {
      error = Internal("corrupt metadata of collection " + name);
      return false;
    }
    auto config = CollectionConfig::FromStoredJson(*stored);
    if (!config.ok()) {
      error = config.status();
      return false;
    }
    auto c = NewCollection(static_cast<uint64_t>(uid->as_int()), name, std::move(config).value());
    error = c->Load();
    if (!error.ok()) return false;
    collections_[name] = std::move(c);
    return true;
  }));
  QUIVER_RETURN_IF_ERROR(error);
  // Index files of collections that no longer exist (a crash before their removal) go now.
  std::error_code ec;
  std::vector<std::filesystem::path> orphans;
  for (const auto& entry : std::filesystem::directory_iterator(index_root_, ec)) {
    bool known = false;
    for (const auto& [name, c] : collections_) {
      known = known || entry.path().filename() == std::to_string(c->uid());
    }
    if (!known) orphans.push_back(entry.path());
  }
  for (const auto& path : orphans) std::filesystem::remove_all(path, ec);
  return store_->ScanPrefix(kAliasPrefix, [&](std::string_view key, std::string_view value) {
    aliases_[std::string(key.substr(1))] = std::string(value);
    return true;
  });
}

StatusOr<std::shared_ptr<Collection>> Catalog::Get(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = collections_.find(name);
  if (it != collections_.end()) return it->second;
  auto alias = aliases_.find(name);
  if (alias != aliases_.end()) {
    auto target = collections_.find(alias->second);
    if (target != collections_.end()) return target->second;
  }
  return CollectionNotFound(name);
}

bool Catalog::Exists(const std::string& name) const {
  std::shared_lock lock(mu_);
  return collections_.count(name) > 0;
}

std::vector<std::string> Catalog::List() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, c] : collections_) names.push_back(name);
  return names;
}

std::shared_ptr<Collection> Catalog::NewCollection(uint64_t uid, const std::string& name,
                                                   CollectionConfig config) {
  auto c = std::make_shared<Collection>(uid, name, std::move(config), store_.get());
  if (!index_root_.empty()) c->SetIndexDirectory(index_root_ + "/" + std::to_string(uid));
  return c;
}

Status Catalog::PersistCollection(WriteBatch* batch, const Collection& c,
                                  const CollectionConfig& config) {
  Json meta = Json::MakeObject();
  meta.Set("uid", Json(c.uid()));
  meta.Set("config", config.ToStoredJson());
  batch->Put(kCollectionPrefix + c.name(), meta.Dump());
  return Status::Ok();
}

Status Catalog::Create(const std::string& name, const Json& body) {
  QUIVER_RETURN_IF_ERROR(ValidateCollectionName(name));
  QUIVER_ASSIGN_OR_RETURN(CollectionConfig config, CollectionConfig::FromCreateRequest(body, defaults_));
  std::unique_lock lock(mu_);
  if (collections_.count(name)) {
    return AlreadyExists("Wrong input: Collection `" + name + "` already exists!");
  }
  if (aliases_.count(name)) {
    return InvalidArgument("Wrong input: Can't create collection with name " + name +
                           ". Alias with the same name already exists");
  }
  uint64_t uid = next_uid_++;
  auto c = NewCollection(uid, name, config);
  WriteBatch batch;
  batch.Put(kNextUidKey, std::to_string(next_uid_));
  // A crash between an earlier delete and now could have left records under this uid: clear.
  batch.DeleteRange(PointKeyPrefix(uid), PrefixEnd(PointKeyPrefix(uid)));
  QUIVER_RETURN_IF_ERROR(PersistCollection(&batch, *c, config));
  QUIVER_RETURN_IF_ERROR(store_->Write(batch, true));
  collections_[name] = std::move(c);
  return Status::Ok();
}

Status Catalog::Update(const std::string& name, const Json& patch) {
  QUIVER_ASSIGN_OR_RETURN(auto c, Get(name));
  std::unique_lock lock(mu_);
  // Deleted (or deleted and re-created) since Get: writing its record back would revive it.
  if (auto it = collections_.find(c->name()); it == collections_.end() || it->second != c) {
    return CollectionNotFound(name);
  }
  CollectionConfig updated;
  QUIVER_RETURN_IF_ERROR(c->UpdateConfig(patch, &updated));
  WriteBatch batch;
  QUIVER_RETURN_IF_ERROR(PersistCollection(&batch, *c, updated));
  return store_->Write(batch, true);
}

Status Catalog::CreateVectorName(const std::string& collection, const std::string& name,
                                 const Json& body) {
  QUIVER_ASSIGN_OR_RETURN(auto c, Get(collection));
  std::unique_lock lock(mu_);  // as Update: the collection must still be the one named
  if (auto it = collections_.find(c->name()); it == collections_.end() || it->second != c) {
    return CollectionNotFound(collection);
  }
  return c->AddVectorName(name, body, [&](const CollectionConfig& config, WriteBatch* batch) {
    (void)PersistCollection(batch, *c, config);
  });
}

Status Catalog::DeleteVectorName(const std::string& collection, const std::string& name) {
  QUIVER_ASSIGN_OR_RETURN(auto c, Get(collection));
  std::unique_lock lock(mu_);
  if (auto it = collections_.find(c->name()); it == collections_.end() || it->second != c) {
    return CollectionNotFound(collection);
  }
  return c->RemoveVectorName(name, [&](const CollectionConfig& config, WriteBatch* batch) {
    (void)PersistCollection(batch, *c, config);
  });
}

StatusOr<bool> Catalog::Delete(const std::string& name) {
  std::unique_lock lock(mu_);
  auto it = collections_.find(name);
  if (it == collections_.end()) return false;
  uint64_t uid = it->second->uid();
  WriteBatch batch;
  batch.Delete(kCollectionPrefix + name);
  batch.DeleteRange(PointKeyPrefix(uid), PrefixEnd(PointKeyPrefix(uid)));
  batch.DeleteRange(PayloadIndexKeyPrefix(uid), PrefixEnd(PayloadIndexKeyPrefix(uid)));
  std::vector<std::string> dropped_aliases;
  for (const auto& [alias, target] : aliases_) {
    if (target == name) {
      batch.Delete(kAliasPrefix + alias);
      dropped_aliases.push_back(alias);
    }
  }
  QUIVER_RETURN_IF_ERROR(store_->Write(batch, true));
  for (const auto& alias : dropped_aliases) aliases_.erase(alias);
  // The collection's index files go with its last user; that may wait for a build in progress,
  // so not under the catalog lock.
  std::shared_ptr<Collection> dropped = std::move(it->second);
  dropped->MarkDropped();
  collections_.erase(it);
  lock.unlock();
  dropped.reset();
  return true;
}

Status Catalog::UpdateAliases(const Json& actions) {
  if (!actions.is_array()) {
    return InvalidArgument("Format error in JSON body: `actions` must be a list");
  }
  std::unique_lock lock(mu_);
  std::map<std::string, std::string> next = aliases_;  // applied to a copy: all or nothing
  for (const Json& action : actions.as_array()) {
    if (!action.is_object() || action.size() != 1) {
      return InvalidArgument("Format error in JSON body: each action must be one of "
                             "create_alias, delete_alias, rename_alias");
    }
    const auto& [kind, args] = action.as_object()[0];
    auto str = [&](const char* field) -> StatusOr<std::string> {
      const Json* v = args.Find(field);
      if (v == nullptr || !v->is_string()) {
        return InvalidArgument(std::string("Format error in JSON body: ") + kind +
                               ": missing field `" + field + "`");
      }
      return v->as_string();
    };
    if (kind == "create_alias") {
      QUIVER_ASSIGN_OR_RETURN(std::string collection, str("collection_name"));
      QUIVER_ASSIGN_OR_RETURN(std::string alias, str("alias_name"));
      QUIVER_RETURN_IF_ERROR(ValidateCollectionName(alias));
      if (!collections_.count(collection)) return CollectionNotFound(collection);
      if (collections_.count(alias)) {
        return AlreadyExists("Wrong input: Collection `" + alias + "` already exists!");
      }
      next[alias] = collection;
    } else if (kind == "delete_alias") {
      QUIVER_ASSIGN_OR_RETURN(std::string alias, str("alias_name"));
      if (!next.erase(alias)) return NotFound("Alias " + alias + " does not exists!");
    } else if (kind == "rename_alias") {
      QUIVER_ASSIGN_OR_RETURN(std::string old_name, str("old_alias_name"));
      QUIVER_ASSIGN_OR_RETURN(std::string new_name, str("new_alias_name"));
      auto it = next.find(old_name);
      if (it == next.end()) return NotFound("Alias " + old_name + " does not exists!");
      std::string target = it->second;
      next.erase(it);
      next[new_name] = target;
    } else {
      return InvalidArgument("Format error in JSON body: unknown alias action `" + kind + "`");
    }
  }
  WriteBatch batch;
  for (const auto& [alias, target] : aliases_) {
    if (!next.count(alias)) batch.Delete(kAliasPrefix + alias);
  }
  for (const auto& [alias, target] : next) {
    auto old = aliases_.find(alias);
    if (old == aliases_.end() || old->second != target) batch.Put(kAliasPrefix + alias, target);
  }
  if (!batch.empty()) QUIVER_RETURN_IF_ERROR(store_->Write(batch, true));
  aliases_ = std::move(next);
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> Catalog::ListAliases(
    const std::optional<std::string>& collection) const {
  std::shared_lock lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [alias, target] : aliases_) {
    if (!collection || *collection == target) out.emplace_back(alias, target);
  }
  return out;
}

}  // namespace quiver
