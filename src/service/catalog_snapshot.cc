// Catalog: writing and restoring snapshot archives.
#include "service/catalog.h"

#include "service/catalog_keys.h"
#include "service/snapshot_archive.h"

namespace quiver {

using catalog_keys::kAliasPrefix;
using catalog_keys::kCollectionPrefix;

namespace {

struct StoredMeta {
  uint64_t uid;
  Json config;
};

// The `c` record of a collection as `view` sees it; NotFound when it has none.
StatusOr<StoredMeta> MetaAt(const KvSnapshot& view, const std::string& name) {
  QUIVER_ASSIGN_OR_RETURN(auto value, view.Get(kCollectionPrefix + name));
  if (!value) return CollectionNotFound(name);
  auto meta = Json::Parse(*value);
  const Json* uid = meta.ok() ? meta->Find("uid") : nullptr;
  const Json* config = meta.ok() ? meta->Find("config") : nullptr;
  if (uid == nullptr || config == nullptr) return Internal("corrupt metadata of collection " + name);
  return StoredMeta{static_cast<uint64_t>(uid->as_int()), *config};
}

Status FinishArchive(TarWriter* out, const Status& written) {
  if (!written.ok()) return written;
  return out->Finish();
}

}  // namespace

Status Catalog::WriteSnapshot(const std::string& name, const std::string& path) {
  QUIVER_ASSIGN_OR_RETURN(auto collection, Get(name));  // resolves an alias
  std::unique_ptr<KvSnapshot> view = store_->GetSnapshot();
  QUIVER_ASSIGN_OR_RETURN(StoredMeta meta, MetaAt(*view, collection->name()));
  QUIVER_ASSIGN_OR_RETURN(auto out, TarWriter::Create(path));
  return FinishArchive(out.get(), WriteCollectionEntries(*view, collection->name(), meta.uid,
                                                         meta.config, out.get(), ""));
}

Status Catalog::WriteFullSnapshot(const std::string& path) {
  std::unique_ptr<KvSnapshot> view = store_->GetSnapshot();
  std::vector<std::string> names;
  Json aliases = Json::MakeObject();
  QUIVER_RETURN_IF_ERROR(view->ScanPrefix(kCollectionPrefix, [&](std::string_view key, std::string_view) {
    names.emplace_back(key.substr(1));
    return true;
  }));
  QUIVER_RETURN_IF_ERROR(view->ScanPrefix(kAliasPrefix, [&](std::string_view key, std::string_view value) {
    aliases.Set(std::string(key.substr(1)), Json(std::string(value)));
    return true;
  }));
  QUIVER_ASSIGN_OR_RETURN(auto out, TarWriter::Create(path));
  Json listed = Json::MakeArray();
  Status written;
  for (size_t i = 0; i < names.size() && written.ok(); ++i) {
    std::string dir = "collections/" + std::to_string(i) + "/";
    auto meta = MetaAt(*view, names[i]);
    if (!meta.ok()) return meta.status();
    written = WriteCollectionEntries(*view, names[i], meta->uid, meta->config, out.get(), dir);
    listed.Push(Json(Json::Object{{"name", Json(names[i])}, {"dir", Json(dir)}}));
  }
  if (written.ok()) {
    Json manifest(Json::Object{{"format", Json("quiver-full-snapshot")},
                               {"version", Json(int64_t{1})},
                               {"collections", std::move(listed)},
                               {"aliases", std::move(aliases)}});
    written = out->Add(kFullSnapshotManifest, manifest.Dump());
  }
  return FinishArchive(out.get(), written);
}

Status Catalog::RestoreSnapshot(const std::string& name, const std::string& path) {
  QUIVER_RETURN_IF_ERROR(ValidateCollectionName(name));
  std::lock_guard restore_lock(restore_mu_);
  QUIVER_ASSIGN_OR_RETURN(auto reader, CollectionSnapshotReader::Open(path));
  auto parsed_config = CollectionConfig::FromStoredJson(reader->config());
  if (!parsed_config.ok()) {
    return InvalidArgument("Bad snapshot archive: collection config: " +
                           parsed_config.status().message());
  }
  CollectionConfig config = std::move(parsed_config).value();

  // The records go under a fresh uid that nothing names yet; the switch below makes them live.
  uint64_t uid = 0;
  {
    std::unique_lock lock(mu_);
    if (aliases_.count(name)) {
      return InvalidArgument("Wrong input: Can't create collection with name " + name +
                             ". Alias with the same name already exists");
    }
    uid = next_uid_++;
    WriteBatch batch;
    batch.Put(catalog_keys::kNextUidKey, std::to_string(next_uid_));
    batch.DeleteRange(PointKeyPrefix(uid), PrefixEnd(PointKeyPrefix(uid)));
    batch.DeleteRange(PayloadIndexKeyPrefix(uid), PrefixEnd(PayloadIndexKeyPrefix(uid)));
    QUIVER_RETURN_IF_ERROR(store_->Write(batch, true));
  }
  auto discard = [&](Status error) {
    WriteBatch batch;
    batch.DeleteRange(PointKeyPrefix(uid), PrefixEnd(PointKeyPrefix(uid)));
    batch.DeleteRange(PayloadIndexKeyPrefix(uid), PrefixEnd(PayloadIndexKeyPrefix(uid)));
    (void)store_->Write(batch, false);
    return error;
  };

  std::vector<SnapshotRecord> records;
  while (true) {
    auto more = reader->NextChunk(&records);
    if (!more.ok()) return discard(more.status());
    if (!*more) break;
    WriteBatch batch;
    for (auto& [id, record] : records) batch.Put(PointKeyPrefix(uid) + id, std::move(record));
    Status stored = store_->Write(batch, false);
    if (!stored.ok()) return discard(stored);
  }
  WriteBatch schema;
  for (const auto& [field, index] : reader->payload_schema().as_object()) {
    schema.Put(PayloadIndexKey(uid, field), index.Dump());
  }
  if (Status stored = store_->Write(schema, true); !stored.ok()) return discard(stored);

  auto restored = NewCollection(uid, name, config);
  if (Status loaded = restored->Load(); !loaded.ok()) return discard(loaded);

  std::unique_lock lock(mu_);
  if (aliases_.count(name)) {
    return discard(InvalidArgument("Wrong input: Can't create collection with name " + name +
                                   ". Alias with the same name already exists"));
  }
  WriteBatch switch_batch;
  QUIVER_RETURN_IF_ERROR(PersistCollection(&switch_batch, *restored, config));
  auto old = collections_.find(name);
  if (old != collections_.end()) {
    uint64_t old_uid = old->second->uid();
    switch_batch.DeleteRange(PointKeyPrefix(old_uid), PrefixEnd(PointKeyPrefix(old_uid)));
    switch_batch.DeleteRange(PayloadIndexKeyPrefix(old_uid),
                             PrefixEnd(PayloadIndexKeyPrefix(old_uid)));
  }
  if (Status stored = store_->Write(switch_batch, true); !stored.ok()) return discard(stored);
  if (old != collections_.end()) old->second->MarkDropped();  // its index files go with it
  collections_[name] = std::move(restored);
  return Status::Ok();
}

}  // namespace quiver
