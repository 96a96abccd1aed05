// AuditLog::Query: reads the audit files back for POST /audit/logs.
//
// Files are read newest period first. Every line of a file of period P has a timestamp before the
// end of P (the writer puts a late event into a newer file, never an older one), which lets the
// scan stop early: once `limit` matches are held and the oldest of them is at or after the end of
// a file's period, nothing in that file can displace them. Matches are held in a heap of at most
// `limit`, so memory stays O(limit) whatever the size of the files.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <tuple>

#include "audit/audit_files.h"
#include "audit/audit_log.h"

namespace quiver::audit {
namespace {

struct Match {
  int64_t timestamp_ms;
  size_t file_rank;  // higher: a newer file
  size_t line_no;    // higher: written later within its file
  Json event;
};

// As a heap's "less", it keeps the oldest match held on top: the one to give up first.
struct NewerFirst {
  bool operator()(const Match& a, const Match& b) const {
    return std::tie(a.timestamp_ms, a.file_rank, a.line_no) >
           std::tie(b.timestamp_ms, b.file_rank, b.line_no);
  }
};

// The timestamp of a line as the writer renders it (`{"timestamp":"...",`), read without parsing
// the JSON; nullopt for any other shape (the full parse then decides).
std::optional<int64_t> LeadingTimestamp(std::string_view line) {
  constexpr std::string_view kPrefix = "{\"timestamp\":\"";
  if (!line.starts_with(kPrefix)) return std::nullopt;
  const size_t end = line.find('"', kPrefix.size());
  if (end == std::string_view::npos) return std::nullopt;
  StatusOr<int64_t> ts = ParseTimestamp(line.substr(kPrefix.size(), end - kPrefix.size()));
  if (!ts.ok()) return std::nullopt;
  return *ts;
}

bool IsFilterable(std::string_view key) {
  for (std::string_view name : kFieldNames) {
    if (name == key) return name != "timestamp";  // filtered by the time range instead
  }
  return false;
}

bool MatchesFilters(const Json& event,
                    const std::vector<std::pair<std::string, std::string>>& filters) {
  for (const auto& [key, value] : filters) {
    if (!IsFilterable(key)) return false;
    const Json* field = event.Find(key);
    if (field == nullptr || !field->is_string() || field->as_string() != value) return false;
  }
  return true;
}

class LineReader {
 public:
  explicit LineReader(FILE* f) : f_(f) {}
  ~LineReader() {
    std::free(buf_);
    std::fclose(f_);
  }
  // The next line, with its '\n'; nullopt at the end of the file or on an error (see error()).
  std::optional<std::string_view> Next() {
    const ssize_t n = ::getline(&buf_, &cap_, f_);
    if (n < 0) return std::nullopt;
    return std::string_view(buf_, static_cast<size_t>(n));
  }
  bool error() const { return std::ferror(f_) != 0; }

 private:
  FILE* f_;
  char* buf_ = nullptr;
  size_t cap_ = 0;
};

}  // namespace

StatusOr<std::vector<Json>> AuditLog::Query(
    int64_t from_ms, int64_t to_ms, const std::vector<std::pair<std::string, std::string>>& filters,
    size_t limit) const {
  std::vector<Json> out;
  if (limit == 0) return out;
  QUIVER_ASSIGN_OR_RETURN(std::vector<AuditFile> files, ListAuditFiles(options_.dir));
  const auto in_range = [&](int64_t ts) {
    return (from_ms == 0 || ts >= from_ms) && (to_ms == 0 || ts < to_ms);
  };
  std::vector<Match> heap;  // a heap under NewerFirst: heap.front() is the oldest match held
  for (size_t rank = files.size(); rank-- > 0;) {
    const AuditFile& file = files[rank];
    if (from_ms != 0 && file.end_ms() <= from_ms) continue;
    if (heap.size() == limit && heap.front().timestamp_ms >= file.end_ms()) continue;
    const std::string path = (std::filesystem::path(options_.dir) / file.name).string();
    FILE* f = std::fopen(path.c_str(), "re");
    if (f == nullptr) {
      if (errno == ENOENT) continue;  // deleted by retention since it was listed
      return Internal("cannot open audit file " + path + ": " + std::strerror(errno));
    }
    LineReader reader(f);
    size_t line_no = 0;
    while (std::optional<std::string_view> raw = reader.Next()) {
      ++line_no;
      std::string_view line = *raw;
      // A last line without '\n' is a fragment that a crash left, or a line still being
      // written: never an event.
      if (!line.ends_with('\n')) break;
      line.remove_suffix(1);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line.empty()) continue;
      if (std::optional<int64_t> ts = LeadingTimestamp(line)) {
        if (!in_range(*ts)) continue;
        if (heap.size() == limit &&
            !NewerFirst()(Match{*ts, rank, line_no, Json()}, heap.front())) {
          continue;
        }
      }
      StatusOr<Json> event = Json::Parse(line);
      if (!event.ok() || !event->is_object()) continue;  // a damaged line: skip it
      const Json* stamp = event->Find("timestamp");
      if (stamp == nullptr || !stamp->is_string()) continue;
      StatusOr<int64_t> ts = ParseTimestamp(stamp->as_string());
      if (!ts.ok() || !in_range(*ts) || !MatchesFilters(*event, filters)) continue;
      Match match{*ts, rank, line_no, std::move(event).value()};
      if (heap.size() == limit) {
        if (!NewerFirst()(match, heap.front())) continue;
        std::pop_heap(heap.begin(), heap.end(), NewerFirst());
        heap.pop_back();
      }
      heap.push_back(std::move(match));
      std::push_heap(heap.begin(), heap.end(), NewerFirst());
    }
    if (reader.error()) return Internal("cannot read audit file " + path);
  }
  std::sort(heap.begin(), heap.end(), NewerFirst());
  out.reserve(heap.size());
  for (Match& match : heap) out.push_back(std::move(match.event));
  return out;
}

}  // namespace quiver::audit
