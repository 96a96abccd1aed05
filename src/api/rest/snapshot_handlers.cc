// Snapshot routes: collection snapshots (create, list, download, delete, upload, recover) and
// full snapshots (create, list, download, delete). The files and archives are SnapshotStore's.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "api/rest/multipart.h"
#include "api/rest/rest_api.h"

namespace quiver::rest {
namespace {

// Snapshot operations take `wait` (default true). The work is always done before answering;
// with wait=false the answer is Qdrant's 202 "accepted" instead of the result.
StatusOr<Reply> Done(RequestContext& ctx, Json result) {
  auto it = ctx.query.find("wait");
  Reply r;
  r.accepted = it != ctx.query.end() && it->second == "false";
  r.result = std::move(result);
  return r;
}

StatusOr<SnapshotStore*> Store(RequestContext& ctx) {
  if (ctx.snapshots == nullptr) return Internal("snapshots are not configured");
  return ctx.snapshots;
}

Json ListJson(const std::vector<SnapshotInfo>& list) {
  Json out = Json::MakeArray();
  for (const auto& info : list) out.Push(info.ToJson());
  return out;
}

// `checksum` (query or body): Qdrant validates it as a SHA-256 hex digest.
StatusOr<std::optional<std::string>> ChecksumParam(const Json* value, const char* where) {
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  bool valid = value->is_string() && value->as_string().size() == 64;
  if (valid) {
    for (char c : value->as_string()) valid = valid && std::isxdigit(static_cast<unsigned char>(c));
  }
  if (!valid) {
    return Unprocessable(std::string("Validation error in ") + where +
                         ": [checksum: invalid SHA256 hash]");
  }
  return std::optional<std::string>(value->as_string());
}

// Qdrant's SnapshotPriority.
Status CheckPriority(const Json* value, const char* deserialize_error) {
  if (value == nullptr || value->is_null()) return Status::Ok();
  if (value->is_string()) {
    const std::string& p = value->as_string();
    if (p == "no_sync" || p == "snapshot" || p == "replica") return Status::Ok();
  }
  return InvalidArgument(std::string(deserialize_error) + "priority: unknown variant " +
                         value->Dump() + ", expected one of `no_sync`, `snapshot`, `replica`");
}

StatusOr<Reply> ListSnapshots(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  QUIVER_ASSIGN_OR_RETURN(auto list, store->List(ctx.Param("collection_name")));
  return Ok(ListJson(list));
}

StatusOr<Reply> CreateSnapshot(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  QUIVER_ASSIGN_OR_RETURN(SnapshotInfo info, store->Create(ctx.Param("collection_name")));
  return Done(ctx, info.ToJson());
}

StatusOr<Reply> DownloadSnapshot(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  Reply r;
  QUIVER_ASSIGN_OR_RETURN(r.file, store->FileOf(ctx.Param("collection_name"),
                                                ctx.Param("snapshot_name")));
  return r;
}

StatusOr<Reply> DeleteSnapshot(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  QUIVER_RETURN_IF_ERROR(store->Delete(ctx.Param("collection_name"), ctx.Param("snapshot_name")));
  return Done(ctx, Json(true));
}

// PUT /collections/{c}/snapshots/recover {"location", "priority", "checksum", "api_key"}.
StatusOr<Reply> RecoverSnapshot(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  if (!ctx.body.is_object()) return InvalidArgument("Format error in JSON body: expected an object");
  const Json* location = ctx.body.Find("location");
  if (location == nullptr) return InvalidArgument("Format error in JSON body: missing field `location`");
  if (!location->is_string()) {
    return InvalidArgument("Format error in JSON body: location: invalid type: expected a URL string");
  }
  QUIVER_RETURN_IF_ERROR(CheckPriority(ctx.body.Find("priority"), "Format error in JSON body: "));
  QUIVER_ASSIGN_OR_RETURN(auto checksum, ChecksumParam(ctx.body.Find("checksum"), "JSON body"));
  QUIVER_RETURN_IF_ERROR(store->RecoverFromLocation(ctx.Param("collection_name"),
                                                    location->as_string(), checksum));
  return Done(ctx, Json(true));
}

// A read-only mapping of a whole file (the spooled upload body), unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const char*>(p);
        size_ = static_cast<size_t>(st.st_size);
      }
    }
    ::close(fd);
    ok_ = data_ != nullptr || st.st_size == 0;
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  bool ok() const { return ok_; }
  std::string_view view() const { return {data_ ? data_ : "", size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool ok_ = false;
};

Status WriteFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot create " + path);
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n <= 0) {
      ::close(fd);
      return Internal("cannot write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::Ok();
}

// POST /collections/{c}/snapshots/upload?priority=&checksum= with multipart field `snapshot`.
// The body is normally spooled to a file by the server (RestApi::PlanBody).
StatusOr<Reply> UploadSnapshot(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  auto param = [&](const char* name) -> std::optional<Json> {
    auto it = ctx.query.find(name);
    if (it == ctx.query.end()) return std::nullopt;
    return Json(it->second);
  };
  auto priority = param("priority");
  QUIVER_RETURN_IF_ERROR(CheckPriority(priority ? &*priority : nullptr, "Query deserialize error: "));
  auto checksum_value = param("checksum");
  QUIVER_ASSIGN_OR_RETURN(auto checksum, ChecksumParam(checksum_value ? &*checksum_value : nullptr,
                                                       "query parameters"));
  const std::string* content_type = ctx.http.Header("content-type");

  std::error_code ec;
  std::filesystem::create_directories(store->UploadDir(), ec);
  static std::atomic<uint64_t> counter{0};
  std::string part_path = store->UploadDir() + "/part-" + std::to_string(::getpid()) + "-" +
                          std::to_string(counter++);
  std::string filename;
  {
    std::optional<MappedFile> mapped;
    std::string_view body = ctx.http.body;
    if (!ctx.http.body_file.empty()) {
      mapped.emplace(ctx.http.body_file);
      if (!mapped->ok()) return Internal("cannot read the uploaded body");
      body = mapped->view();
    }
    QUIVER_ASSIGN_OR_RETURN(MultipartPart part,
                            FindMultipartPart(body, content_type ? *content_type : "", "snapshot"));
    filename = part.filename;
    QUIVER_RETURN_IF_ERROR(WriteFile(part_path, body.substr(part.offset, part.size)));
  }
  Status restored =
      store->RecoverFromUpload(ctx.Param("collection_name"), part_path, filename, checksum);
  std::filesystem::remove(part_path, ec);  // still there when the checks refused it
  QUIVER_RETURN_IF_ERROR(restored);
  return Done(ctx, Json(true));
}

StatusOr<Reply> ListFullSnapshots(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  QUIVER_ASSIGN_OR_RETURN(auto list, store->ListFull());
  return Ok(ListJson(list));
}

StatusOr<Reply> CreateFullSnapshot(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  QUIVER_ASSIGN_OR_RETURN(SnapshotInfo info, store->CreateFull());
  return Done(ctx, info.ToJson());
}

StatusOr<Reply> DownloadFullSnapshot(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  Reply r;
  QUIVER_ASSIGN_OR_RETURN(r.file, store->FullFileOf(ctx.Param("snapshot_name")));
  return r;
}

StatusOr<Reply> DeleteFullSnapshot(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(SnapshotStore * store, Store(ctx));
  QUIVER_RETURN_IF_ERROR(store->DeleteFull(ctx.Param("snapshot_name")));
  return Done(ctx, Json(true));
}

}  // namespace

std::vector<Route> SnapshotRoutes() {
  return {
      {"GET", "/collections/{collection_name}/snapshots", Operation::kListSnapshots, ListSnapshots},
      {"POST", "/collections/{collection_name}/snapshots", Operation::kCreateSnapshot, CreateSnapshot},
      {"POST", "/collections/{collection_name}/snapshots/upload", Operation::kUploadSnapshot, UploadSnapshot},
      {"PUT", "/collections/{collection_name}/snapshots/recover", Operation::kRecoverSnapshot, RecoverSnapshot},
      {"GET", "/collections/{collection_name}/snapshots/{snapshot_name}", Operation::kDownloadSnapshot, DownloadSnapshot},
      {"DELETE", "/collections/{collection_name}/snapshots/{snapshot_name}", Operation::kDeleteSnapshot, DeleteSnapshot},
      {"GET", "/snapshots", Operation::kListFullSnapshots, ListFullSnapshots},
      {"POST", "/snapshots", Operation::kCreateFullSnapshot, CreateFullSnapshot},
      {"GET", "/snapshots/{snapshot_name}", Operation::kDownloadFullSnapshot, DownloadFullSnapshot},
      {"DELETE", "/snapshots/{snapshot_name}", Operation::kDeleteFullSnapshot, DeleteFullSnapshot},
  };
}

}  // namespace quiver::rest
