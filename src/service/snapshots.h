#pragma once
// SnapshotStore: the snapshot files of this node under `storage.snapshots_path`, as Qdrant lays
// them out: collection snapshots in <snapshots_path>/<collection>/<name>.snapshot, full snapshots
// in <snapshots_path>/<name>.snapshot, each with a `<file>.checksum` holding its SHA-256.
//
// Every name that comes from a request is checked to be a plain file name that, once symbolic
// links are resolved, lies inside the directory it belongs to; recovery from a `file://`
// location accepts only files inside snapshots_path. Archives are written under a temporary
// name and renamed, so a listed snapshot is always complete.
//
// Thread safety: all methods may be called concurrently.

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "service/catalog.h"

namespace quiver {

struct SnapshotInfo {
  std::string name;
  std::string creation_time;  // "YYYY-MM-DDTHH:MM:SS", UTC
  uint64_t size = 0;
  std::string checksum;  // SHA-256, lower-case hex
  Json ToJson() const;   // Qdrant's SnapshotDescription
};

// Fetches an http(s) URL into a file (the server provides it; the service knows no HTTP).
using SnapshotDownloader = std::function<Status(const std::string& url, const std::string& path)>;

class SnapshotStore {
 public:
  // `allow_url_recovery`: service.enable_snapshot_url_recovery. `downloader` may be empty.
  SnapshotStore(Catalog* catalog, std::string snapshots_path, bool allow_url_recovery,
                SnapshotDownloader downloader = {});

  // Collection snapshots. `collection` may be an alias; files go under the collection's name.
  StatusOr<SnapshotInfo> Create(const std::string& collection);
  StatusOr<std::vector<SnapshotInfo>> List(const std::string& collection) const;
  // The path of an existing snapshot file; NotFound "Snapshot <name>" for anything else.
  StatusOr<std::string> FileOf(const std::string& collection, const std::string& name) const;
  Status Delete(const std::string& collection, const std::string& name);

  // Full snapshots (every collection and alias).
  StatusOr<SnapshotInfo> CreateFull();
  StatusOr<std::vector<SnapshotInfo>> ListFull() const;
  StatusOr<std::string> FullFileOf(const std::string& name) const;
  Status DeleteFull(const std::string& name);

  // `PUT /collections/{c}/snapshots/recover`: `location` is a file:// URL (inside
  // snapshots_path) or an http(s) URL (only when URL recovery is allowed: else kPermissionDenied).
  // `checksum`, when given, must equal the archive's SHA-256.
  Status RecoverFromLocation(const std::string& collection, const std::string& location,
                             const std::optional<std::string>& checksum);
  // `POST /collections/{c}/snapshots/upload`: moves the uploaded archive at `uploaded_path` into
  // the collection's snapshot directory as `file_name` (sanitised to its last path segment; a
  // fresh name when empty), checks `checksum`, and restores the collection from it.
  Status RecoverFromUpload(const std::string& collection, const std::string& uploaded_path,
                           const std::string& file_name, const std::optional<std::string>& checksum);

  // Restores `collection` from the archive at `path` (start-up's `--snapshot PATH:COLLECTION`).
  Status RecoverFromFile(const std::string& collection, const std::string& path,
                         const std::optional<std::string>& checksum);

  // Where the server spools uploaded bodies (inside snapshots_path, on the same file system).
  std::string UploadDir() const;

 private:
  StatusOr<SnapshotInfo> Describe(const std::string& path) const;
  StatusOr<std::vector<SnapshotInfo>> ListDir(const std::string& dir) const;
  StatusOr<std::string> CheckedFile(const std::string& dir, const std::string& name) const;
  StatusOr<SnapshotInfo> WriteNew(const std::string& dir, const std::string& prefix,
                                  const std::function<Status(const std::string&)>& write);
  std::string CollectionDir(const std::string& collection) const;

  Catalog* catalog_;
  const std::string root_;
  const bool allow_url_recovery_;
  SnapshotDownloader downloader_;
  mutable std::atomic<uint64_t> temp_counter_{0};
};

}  // namespace quiver
