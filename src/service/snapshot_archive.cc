#include "service/snapshot_archive.h"

#include <cstdio>
#include <cstring>

#include "collection/collection.h"
#include "collection/point_codec.h"
#include "collection/point_id.h"

namespace quiver {
namespace {

constexpr char kFormat[] = "quiver-collection-snapshot";
constexpr int64_t kVersion = 1;
constexpr size_t kManifestMaxBytes = 64 << 20;  // configs and schemas are small

void PutU32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out->append(b, 4);
}

bool GetU32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(in->data());
  *v = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  in->remove_prefix(4);
  return true;
}

std::string ChunkName(const std::string& dir, size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "points/%08zu.bin", index);
  std::string name = dir;
  name.append(buf);
  return name;
}

Status Corrupt(const std::string& what) {
  return InvalidArgument("Bad snapshot archive: " + what);
}

}  // namespace

Status WriteCollectionEntries(const KvSnapshot& view, const std::string& name, uint64_t uid,
                              const Json& config, TarWriter* out, const std::string& dir) {
  Json schema = Json::MakeObject();
  const std::string index_prefix = PayloadIndexKeyPrefix(uid);
  Status bad;
  QUIVER_RETURN_IF_ERROR(view.ScanPrefix(index_prefix, [&](std::string_view key, std::string_view value) {
    auto parsed = Json::Parse(value);
    if (parsed.ok()) schema.Set(std::string(key.substr(index_prefix.size())), *parsed);
    return true;
  }));
  Json manifest(Json::Object{{"format", Json(kFormat)},
                             {"version", Json(kVersion)},
                             {"collection", Json(name)},
                             {"config", config},
                             {"payload_schema", std::move(schema)}});
  QUIVER_RETURN_IF_ERROR(out->Add(dir + kSnapshotManifest, manifest.Dump()));

  const std::string point_prefix = PointKeyPrefix(uid);
  std::string chunk;
  size_t chunks = 0, points = 0;
  Status write_error;
  auto flush = [&]() {
    write_error = out->Add(ChunkName(dir, chunks++), chunk);
    chunk.clear();
    return write_error.ok();
  };
  QUIVER_RETURN_IF_ERROR(view.ScanPrefix(point_prefix, [&](std::string_view key, std::string_view value) {
    std::string_view id = key.substr(point_prefix.size());
    PutU32(&chunk, static_cast<uint32_t>(id.size()));
    chunk.append(id);
    PutU32(&chunk, static_cast<uint32_t>(value.size()));
    chunk.append(value);
    ++points;
    return chunk.size() < kSnapshotChunkBytes || flush();
  }));
  QUIVER_RETURN_IF_ERROR(write_error);
  if (!chunk.empty() && !flush()) return write_error;
  Json end(Json::Object{{"points", Json(static_cast<int64_t>(points))},
                        {"chunks", Json(static_cast<int64_t>(chunks))}});
  return out->Add(dir + kSnapshotEnd, end.Dump());
}

StatusOr<std::unique_ptr<CollectionSnapshotReader>> CollectionSnapshotReader::Open(
    const std::string& path) {
  QUIVER_ASSIGN_OR_RETURN(auto tar, TarReader::Open(path));
  std::unique_ptr<CollectionSnapshotReader> reader(new CollectionSnapshotReader(std::move(tar)));
  std::string name;
  int64_t size = 0;
  QUIVER_ASSIGN_OR_RETURN(bool more, reader->tar_->Next(&name, &size));
  if (!more || name != kSnapshotManifest) {
    return Corrupt(std::string("not a Quiver collection snapshot (no ") + kSnapshotManifest + " first)");
  }
  QUIVER_ASSIGN_OR_RETURN(std::string text, reader->tar_->ReadData(kManifestMaxBytes));
  auto manifest = Json::Parse(text);
  if (!manifest.ok() || !manifest->is_object()) return Corrupt("manifest is not a JSON object");
  const Json* format = manifest->Find("format");
  const Json* version = manifest->Find("version");
  const Json* collection = manifest->Find("collection");
  const Json* config = manifest->Find("config");
  const Json* schema = manifest->Find("payload_schema");
  if (format == nullptr || !format->is_string() || format->as_string() != kFormat) {
    return Corrupt("manifest format is not " + std::string(kFormat));
  }
  if (version == nullptr || version->type() != Json::Type::kInt || version->as_int() != kVersion) {
    return Corrupt("unsupported snapshot version");
  }
  if (collection == nullptr || !collection->is_string() || config == nullptr ||
      !config->is_object() || schema == nullptr || !schema->is_object()) {
    return Corrupt("manifest lacks collection, config or payload_schema");
  }
  reader->collection_ = collection->as_string();
  reader->config_ = *config;
  reader->payload_schema_ = *schema;
  return reader;
}

StatusOr<bool> CollectionSnapshotReader::NextChunk(std::vector<SnapshotRecord>* records) {
  records->clear();
  std::string name;
  int64_t size = 0;
  QUIVER_ASSIGN_OR_RETURN(bool more, tar_->Next(&name, &size));
  if (!more) return Corrupt(std::string("incomplete archive: no ") + kSnapshotEnd);
  if (name == kSnapshotEnd) {
    QUIVER_ASSIGN_OR_RETURN(std::string text, tar_->ReadData(kManifestMaxBytes));
    auto end = Json::Parse(text);
    const Json* points = end.ok() ? end->Find("points") : nullptr;
    const Json* chunks = end.ok() ? end->Find("chunks") : nullptr;
    if (points == nullptr || chunks == nullptr || points->type() != Json::Type::kInt ||
        chunks->type() != Json::Type::kInt ||
        static_cast<size_t>(points->as_int()) != points_ ||
        static_cast<size_t>(chunks->as_int()) != chunks_) {
      return Corrupt("point or chunk count does not match the end marker");
    }
    QUIVER_ASSIGN_OR_RETURN(bool trailing, tar_->Next(&name, &size));
    if (trailing) return Corrupt("entry " + name + " after the end marker");
    return false;
  }
  if (name != ChunkName("", chunks_)) return Corrupt("unexpected entry " + name);
  ++chunks_;
  // A chunk ends at the first record past kSnapshotChunkBytes: allow one maximal record more.
  QUIVER_ASSIGN_OR_RETURN(std::string data, tar_->ReadData(2 * kSnapshotChunkBytes + (64 << 20)));
  std::string_view in = data;
  while (!in.empty()) {
    uint32_t id_size = 0, record_size = 0;
    if (!GetU32(&in, &id_size) || in.size() < id_size) return Corrupt("truncated point id in " + name);
    std::string_view id = in.substr(0, id_size);
    in.remove_prefix(id_size);
    if (!GetU32(&in, &record_size) || in.size() < record_size) {
      return Corrupt("truncated point record in " + name);
    }
    std::string_view record = in.substr(0, record_size);
    in.remove_prefix(record_size);
    if (!PointId::Decode(id).ok()) return Corrupt("bad point id in " + name);
    if (!DecodePoint(record).ok()) return Corrupt("bad point record in " + name);
    records->emplace_back(std::string(id), std::string(record));
    ++points_;
  }
  return true;
}

}  // namespace quiver
