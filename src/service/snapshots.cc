#include "service/snapshots.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "storage/tar_archive.h"

namespace quiver {
namespace fs = std::filesystem;
namespace {

constexpr char kSuffix[] = ".snapshot";
constexpr char kChecksumSuffix[] = ".checksum";

std::string FormatUtc(std::time_t t, const char* format) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A name from a request must be one plain path segment.
bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\\\0", 3)) == std::string::npos;
}

bool IsInside(const fs::path& path, const fs::path& dir) {
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end() && p != path.end();
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Status WriteChecksumFile(const std::string& snapshot_path, const std::string& checksum) {
  std::ofstream out(snapshot_path + kChecksumSuffix, std::ios::trunc);
  out << checksum;
  out.close();
  if (!out) return Internal("cannot write the checksum of " + snapshot_path);
  return Status::Ok();
}

Status CheckChecksum(const std::string& path, const std::optional<std::string>& expected) {
  if (!expected) return Status::Ok();
  QUIVER_ASSIGN_OR_RETURN(std::string actual, Sha256File(path));
  std::string wanted = *expected;
  std::transform(wanted.begin(), wanted.end(), wanted.begin(), ::tolower);
  if (actual != wanted) {
    return InvalidArgument("Bad request: Snapshot checksum mismatch: expected " + *expected +
                           ", got " + actual);
  }
  return Status::Ok();
}

}  // namespace

Json SnapshotInfo::ToJson() const {
  return Json(Json::Object{{"name", Json(name)},
                           {"creation_time", Json(creation_time)},
                           {"size", Json(static_cast<int64_t>(size))},
                           {"checksum", Json(checksum)}});
}

SnapshotStore::SnapshotStore(Catalog* catalog, std::string snapshots_path, bool allow_url_recovery,
                             SnapshotDownloader downloader)
    : catalog_(catalog),
      root_(fs::weakly_canonical(fs::absolute(snapshots_path)).string()),
      allow_url_recovery_(allow_url_recovery),
      downloader_(std::move(downloader)) {}

std::string SnapshotStore::CollectionDir(const std::string& collection) const {
  return (fs::path(root_) / collection).string();
}

std::string SnapshotStore::UploadDir() const { return (fs::path(root_) / ".upload").string(); }

StatusOr<SnapshotInfo> SnapshotStore::Describe(const std::string& path) const {
  std::error_code ec;
  SnapshotInfo info;
  info.name = fs::path(path).filename().string();
  info.size = fs::file_size(path, ec);
  if (ec) return NotFound("Snapshot " + info.name);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return NotFound("Snapshot " + info.name);
  info.creation_time = FormatUtc(st.st_mtime, "%Y-%m-%dT%H:%M:%S");
  std::ifstream in(path + kChecksumSuffix);
  std::string stored;
  if (in >> stored && stored.size() == 64) {
    info.checksum = stored;
  } else {
    QUIVER_ASSIGN_OR_RETURN(info.checksum, Sha256File(path));
  }
  return info;
}

StatusOr<std::vector<SnapshotInfo>> SnapshotStore::ListDir(const std::string& dir) const {
  std::vector<SnapshotInfo> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.front() == '.' || !EndsWith(name, kSuffix) || !entry.is_regular_file(ec)) continue;
    auto info = Describe(entry.path().string());
    if (info.ok()) out.push_back(std::move(info).value());  // deleted meanwhile: skip
  }
  if (ec) return Internal("cannot list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) {
    return std::tie(a.creation_time, a.name) < std::tie(b.creation_time, b.name);
  });
  return out;
}

StatusOr<std::string> SnapshotStore::CheckedFile(const std::string& dir,
                                                 const std::string& name) const {
  Status not_found = NotFound("Snapshot " + name);
  if (!IsPlainFileName(name)) return not_found;
  std::error_code ec;
  fs::path real_dir = fs::canonical(dir, ec);
  if (ec) return not_found;
  fs::path real = fs::canonical(real_dir / name, ec);
  if (ec || !IsInside(real, real_dir) || !fs::is_regular_file(real, ec)) return not_found;
  return real.string();
}

StatusOr<SnapshotInfo> SnapshotStore::WriteNew(
    const std::string& dir, const std::string& prefix,
    const std::function<Status(const std::string&)>& write) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir + ": " + ec.message());
  std::string name = prefix + kSuffix;
  for (int n = 2; fs::exists(fs::path(dir) / name, ec); ++n) {
    name = prefix + "-" + std::to_string(n) + kSuffix;
  }
  std::string final_path = (fs::path(dir) / name).string();
  std::string temp_path =
      (fs::path(dir) / (".tmp-" + std::to_string(temp_counter_++) + "-" + name)).string();
  Status written = write(temp_path);
  auto checksum = written.ok() ? Sha256File(temp_path) : StatusOr<std::string>(written);
  if (checksum.ok()) written = WriteChecksumFile(final_path, *checksum);
  if (written.ok() && checksum.ok()) {
    fs::rename(temp_path, final_path, ec);
    if (ec) written = Internal("cannot rename " + temp_path + ": " + ec.message());
  }
  if (!written.ok() || !checksum.ok()) {
    fs::remove(temp_path, ec);
    fs::remove(final_path + kChecksumSuffix, ec);
    return written.ok() ? checksum.status() : written;
  }
  return Describe(final_path);
}

StatusOr<SnapshotInfo> SnapshotStore::Create(const std::string& collection) {
  QUIVER_ASSIGN_OR_RETURN(auto c, catalog_->Get(collection));
  std::string prefix = c->name() + "-" + std::to_string(c->uid()) + "-" +
                       FormatUtc(std::time(nullptr), "%Y-%m-%d-%H-%M-%S");
  return WriteNew(CollectionDir(c->name()), prefix, [&](const std::string& path) {
    return catalog_->WriteSnapshot(c->name(), path);
  });
}

StatusOr<std::vector<SnapshotInfo>> SnapshotStore::List(const std::string& collection) const {
  QUIVER_ASSIGN_OR_RETURN(auto c, catalog_->Get(collection));
  return ListDir(CollectionDir(c->name()));
}

StatusOr<std::string> SnapshotStore::FileOf(const std::string& collection,
                                            const std::string& name) const {
  QUIVER_ASSIGN_OR_RETURN(auto c, catalog_->Get(collection));
  return CheckedFile(CollectionDir(c->name()), name);
}

Status SnapshotStore::Delete(const std::string& collection, const std::string& name) {
  QUIVER_ASSIGN_OR_RETURN(std::string path, FileOf(collection, name));
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return Internal("cannot delete snapshot " + name + ": " + ec.message());
  fs::remove(path + kChecksumSuffix, ec);
  return Status::Ok();
}

StatusOr<SnapshotInfo> SnapshotStore::CreateFull() {
  std::string prefix = "full-snapshot-" + FormatUtc(std::time(nullptr), "%Y-%m-%d-%H-%M-%S");
  return WriteNew(root_, prefix, [&](const std::string& path) {
    return catalog_->WriteFullSnapshot(path);
  });
}

StatusOr<std::vector<SnapshotInfo>> SnapshotStore::ListFull() const { return ListDir(root_); }

StatusOr<std::string> SnapshotStore::FullFileOf(const std::string& name) const {
  return CheckedFile(root_, name);
}

Status SnapshotStore::DeleteFull(const std::string& name) {
  QUIVER_ASSIGN_OR_RETURN(std::string path, FullFileOf(name));
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return Internal("cannot delete snapshot " + name + ": " + ec.message());
  fs::remove(path + kChecksumSuffix, ec);
  return Status::Ok();
}

Status SnapshotStore::RecoverFromFile(const std::string& collection, const std::string& path,
                                      const std::optional<std::string>& checksum) {
  QUIVER_RETURN_IF_ERROR(CheckChecksum(path, checksum));
  return catalog_->RestoreSnapshot(collection, path);
}

Status SnapshotStore::RecoverFromLocation(const std::string& collection,
                                          const std::string& location,
                                          const std::optional<std::string>& checksum) {
  size_t colon = location.find("://");
  if (colon == std::string::npos) {
    return InvalidArgument("Format error in JSON body: location: relative URL without a base");
  }
  std::string scheme = location.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  if (scheme == "http" || scheme == "https") {
    if (!allow_url_recovery_) {
      return Status(StatusCode::kPermissionDenied, 
          "Forbidden: Snapshot recovery from remote URLs is disabled in the configuration");
    }
    if (!downloader_) return InvalidArgument("Bad request: URL recovery is not available");
    std::error_code ec;
    fs::create_directories(UploadDir(), ec);
    std::string temp = (fs::path(UploadDir()) / ("download-" + std::to_string(temp_counter_++))).string();
    Status result = downloader_(location, temp);
    if (result.ok()) result = RecoverFromFile(collection, temp, checksum);
    fs::remove(temp, ec);
    return result;
  }
  if (scheme != "file") {
    return InvalidArgument("Bad request: URL " + location + " with scheme " + scheme +
                           " is not supported");
  }
  std::string rest = location.substr(colon + 3);
  if (rest.rfind("localhost/", 0) == 0) rest = rest.substr(9);
  if (rest.empty() || rest.front() != '/') {
    return InvalidArgument("Bad request: Invalid snapshot URI, file path must be absolute or on localhost");
  }
  std::string path = PercentDecode(rest);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return InvalidArgument("Bad request: Snapshot file \"" + path + "\" does not exist");
  }
  fs::path real = fs::canonical(path, ec);
  fs::path real_root = fs::canonical(root_, ec);
  if (ec || !IsInside(real, real_root) || !fs::is_regular_file(real, ec)) {
    return Status(StatusCode::kPermissionDenied, "Forbidden: Snapshot file path must be inside the snapshots directory " +
                            real_root.string());
  }
  return RecoverFromFile(collection, real.string(), checksum);
}

Status SnapshotStore::RecoverFromUpload(const std::string& collection,
                                        const std::string& uploaded_path,
                                        const std::string& file_name,
                                        const std::optional<std::string>& checksum) {
  std::string name = fs::path(file_name).filename().string();
  if (!IsPlainFileName(name) || name.front() == '.') {
    name = "upload-" + FormatUtc(std::time(nullptr), "%Y-%m-%d-%H-%M-%S") + "-" +
           std::to_string(temp_counter_++) + kSuffix;
  }
  QUIVER_RETURN_IF_ERROR(CheckChecksum(uploaded_path, checksum));
  std::error_code ec;
  std::string dir = CollectionDir(collection);
  fs::create_directories(dir, ec);
  std::string path = (fs::path(dir) / name).string();
  fs::rename(uploaded_path, path, ec);
  if (ec) return Internal("cannot store the uploaded snapshot: " + ec.message());
  fs::remove(path + kChecksumSuffix, ec);  // a stale checksum of an older file of that name
  Status restored = catalog_->RestoreSnapshot(collection, path);
  if (!restored.ok()) fs::remove(path, ec);
  return restored;
}

}  // namespace quiver
