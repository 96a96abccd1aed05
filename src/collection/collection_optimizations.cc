// Collection status and `GET /collections/{c}/optimizations`, from the state of the index builds.
#include <ctime>
#include <mutex>

#include "collection/collection.h"

namespace quiver {
namespace {

// RFC 3339 in UTC with microseconds, as Qdrant's chrono timestamps.
std::string Rfc3339(std::chrono::system_clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros % 1000000));
  return buf;
}

Json SegmentInfo(const std::string& uuid, uint64_t points) {
  return Json(Json::Object{{"uuid", Json(uuid)}, {"points_count", Json(points)}});
}

// A stable name for a vector's unindexed part, which has no segment object of its own.
std::string AppendableUuid(uint64_t uid, const std::string& vector) {
  uint64_t h = 0xcbf29ce484222325ULL ^ uid;
  for (unsigned char c : vector) h = (h ^ c) * 0x100000001b3ULL;
  char buf[37];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(h & 0xFFFFFFFFFFFFULL));
  return buf;
}

Json BuildJson(const IndexBuildRecord& b, uint64_t uid, bool done) {
  Json progress = Json::MakeObject();
  progress.Set("name", b.optimizer);
  progress.Set("started_at", Rfc3339(b.started));
  if (done) {
    progress.Set("finished_at", Rfc3339(b.finished));
    progress.Set("duration_sec",
                 Json(std::chrono::duration<double>(b.finished - b.started).count()));
    progress.Set("done", Json(b.points));
  }
  progress.Set("total", Json(b.points));
  Json out = Json::MakeObject();
  out.Set("uuid", b.uuid);
  out.Set("optimizer", b.optimizer);
  out.Set("status", done ? Json("done") : Json("optimizing"));
  out.Set("segments", Json(Json::Array{SegmentInfo(AppendableUuid(uid, b.vector), b.points)}));
  out.Set("progress", progress);
  return out;
}

}  // namespace

const char* Collection::StatusColor() const {
  {
    std::lock_guard lock(opt_mu_);
    if (running_build_) return "yellow";
  }
  for (const auto& [name, col] : dense_) {
    if (NeedsBuild(col, col.settings)) return "grey";
  }
  return "green";
}

Json Collection::Optimizations(bool with_queued, bool with_completed, bool with_idle,
                               size_t completed_limit) const {
  std::shared_lock lock(mu_);
  std::optional<BuildRecord> running;
  std::deque<BuildRecord> completed;
  {
    std::lock_guard status(opt_mu_);
    running = running_build_;
    completed = completed_builds_;
  }
  Json queued = Json::MakeArray();
  Json idle = Json::MakeArray();
  uint64_t queued_points = 0;
  for (const auto& [name, col] : dense_) {
    bool building = running && running->vector == name;
    const char* reason = building ? nullptr : BuildReason(col, col.settings);
    if (reason != nullptr) {
      uint64_t points = col.index->pending().cardinality();
      queued_points += points;
      queued.Push(Json(Json::Object{
          {"optimizer", Json(reason)},
          {"segments", Json(Json::Array{SegmentInfo(AppendableUuid(uid_, name), points)})}}));
    }
    if (const VectorIndex::Segment* seg = col.index->segment(); seg && !building) {
      idle.Push(SegmentInfo(seg->uuid, col.index->fresh().cardinality()));
    }
  }
  Json summary = Json::MakeObject();
  summary.Set("queued_optimizations", Json(static_cast<uint64_t>(queued.size())));
  summary.Set("queued_segments", Json(static_cast<uint64_t>(queued.size())));
  summary.Set("queued_points", Json(queued_points));
  summary.Set("idle_segments", Json(static_cast<uint64_t>(idle.size())));
  Json out = Json::MakeObject();
  out.Set("summary", summary);
  Json running_list = Json::MakeArray();
  if (running) running_list.Push(BuildJson(*running, uid_, false));
  out.Set("running", running_list);
  if (with_queued) out.Set("queued", queued);
  if (with_completed) {
    Json done = Json::MakeArray();
    for (auto it = completed.rbegin(); it != completed.rend() && done.size() < completed_limit;
         ++it) {
      done.Push(BuildJson(*it, uid_, true));
    }
    out.Set("completed", done);
  }
  if (with_idle) out.Set("idle_segments", idle);
  return out;
}

}  // namespace quiver
