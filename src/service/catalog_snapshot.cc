// Catalog: writing and restoring snapshot archives.
#include "service/catalog.h"

#include <filesystem>

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

Status Catalog::RestoreFullSnapshot(const std::string& path, const std::string& temp_dir,
                                    bool replace_existing) {
  QUIVER_ASSIGN_OR_RETURN(auto tar, TarReader::Open(path));
  std::error_code ec;
  std::filesystem::create_directories(temp_dir, ec);
  // collections/<i>/<entry> -> <entry> of the archive for collection i.
  std::map<std::string, std::pair<std::string, std::unique_ptr<TarWriter>>> parts;
  std::optional<Json> manifest;
  auto remove_parts = [&] {
    for (auto& [dir, part] : parts) std::filesystem::remove(part.first, ec);
  };
  Status status;
  std::string name;
  int64_t size = 0;
  while (status.ok()) {
    auto more = tar->Next(&name, &size);
    if (!more.ok()) status = more.status();
    if (!status.ok() || !*more) break;
    auto data = tar->ReadData(2 * kSnapshotChunkBytes + (64 << 20));
    if (!data.ok()) {
      status = data.status();
    } else if (name == kFullSnapshotManifest) {
      auto parsed = Json::Parse(*data);
      if (parsed.ok()) manifest = std::move(parsed).value();
    } else if (size_t slash = name.find('/', 12); name.rfind("collections/", 0) == 0 &&
                                                  slash != std::string::npos) {
      auto& part = parts[name.substr(0, slash + 1)];
      if (!part.second) {
        part.first = temp_dir + "/full-part-" + std::to_string(parts.size()) + ".snapshot";
        auto writer = TarWriter::Create(part.first);
        if (!writer.ok()) status = writer.status();
        if (writer.ok()) part.second = std::move(writer).value();
      }
      if (status.ok()) status = part.second->Add(name.substr(slash + 1), *data);
    } else {
      status = InvalidArgument("Bad snapshot archive: unexpected entry " + name);
    }
  }
  const Json* collections = manifest ? manifest->Find("collections") : nullptr;
  const Json* aliases = manifest ? manifest->Find("aliases") : nullptr;
  if (status.ok() && (collections == nullptr || !collections->is_array() || aliases == nullptr ||
                      !aliases->is_object())) {
    status = InvalidArgument(std::string("Bad snapshot archive: no valid ") + kFullSnapshotManifest);
  }
  for (auto& [dir, part] : parts) {
    if (status.ok()) status = part.second->Finish();
  }
  for (size_t i = 0; status.ok() && i < collections->size(); ++i) {
    const Json& entry = collections->as_array()[i];
    const Json* collection = entry.Find("name");
    const Json* dir = entry.Find("dir");
    auto part = dir && dir->is_string() ? parts.find(dir->as_string()) : parts.end();
    if (collection == nullptr || !collection->is_string() || part == parts.end()) {
      status = InvalidArgument("Bad snapshot archive: a collection without its entries");
    } else if (replace_existing || !Exists(collection->as_string())) {
      status = RestoreSnapshot(collection->as_string(), part->second.first);
    }
  }
  if (status.ok() && aliases->size() > 0) {
    Json actions = Json::MakeArray();
    for (const auto& [alias, target] : aliases->as_object()) {
      actions.Push(Json(Json::Object{{"create_alias", Json(Json::Object{{"collection_name", target},
                                                                        {"alias_name", Json(alias)}})}}));
    }
    status = UpdateAliases(actions);
  }
  remove_parts();
  return status;
}

}  // namespace quiver
