#pragma once
// The contents of a collection snapshot archive (format: docs/formats/snapshot.md).
//
// A collection snapshot is a tar of:
//   quiver-snapshot.json      manifest: format, version, collection name, config, payload schema
//   points/NNNNNNNN.bin       point records, in chunks of at most kSnapshotChunkBytes
//   quiver-snapshot-end.json  {"points": N, "chunks": K}: proves the archive is complete
// A full snapshot holds one such set per collection under `collections/<i>/`, plus
// quiver-full-snapshot.json listing them and the aliases.
//
// The writer reads through a KvSnapshot, so the archive is one instant of the collection even
// while writes go on. The reader checks everything it reads (names, order, sizes, counts, that
// every point id and record decodes) before a caller stores any of it.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "storage/kv_store.h"
#include "storage/tar_archive.h"

namespace quiver {

inline constexpr char kSnapshotManifest[] = "quiver-snapshot.json";
inline constexpr char kSnapshotEnd[] = "quiver-snapshot-end.json";
inline constexpr char kFullSnapshotManifest[] = "quiver-full-snapshot.json";
inline constexpr size_t kSnapshotChunkBytes = 32 << 20;

// Writes the entries of collection `name` (uid `uid`, `config` as stored) as `view` sees it,
// each entry name prefixed with `dir` ("" or "collections/3/").
Status WriteCollectionEntries(const KvSnapshot& view, const std::string& name, uint64_t uid,
                              const Json& config, TarWriter* out, const std::string& dir);

// One point of a snapshot: the encoded point id (PointId::Encode) and its record (EncodePoint).
using SnapshotRecord = std::pair<std::string, std::string>;

class CollectionSnapshotReader {
 public:
  // Opens a collection snapshot archive and reads its manifest.
  static StatusOr<std::unique_ptr<CollectionSnapshotReader>> Open(const std::string& path);

  const std::string& collection() const { return collection_; }  // name when it was taken
  const Json& config() const { return config_; }                  // stored config
  const Json& payload_schema() const { return payload_schema_; }  // field -> schema

  // Fills `records` with the next chunk's points (validated): true, or false after the last
  // chunk once the end marker has been checked.
  StatusOr<bool> NextChunk(std::vector<SnapshotRecord>* records);

 private:
  explicit CollectionSnapshotReader(std::unique_ptr<TarReader> tar) : tar_(std::move(tar)) {}
  std::unique_ptr<TarReader> tar_;
  std::string collection_;
  Json config_;
  Json payload_schema_;
  size_t chunks_ = 0;
  size_t points_ = 0;
};

}  // namespace quiver
