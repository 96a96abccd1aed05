#include "audit/audit_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "audit/audit_files.h"

namespace quiver::audit {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

int64_t SystemMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(AuditOptions options,
                                                   std::function<int64_t()> clock_ms) {
  if (options.dir.empty()) return InvalidArgument("audit log directory is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Internal("cannot create audit directory " + options.dir + ": " + ec.message());
  options.max_log_files = std::max(options.max_log_files, 1);
  options.queue_capacity = std::max<size_t>(options.queue_capacity, 1);
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options), std::move(clock_ms)));
  // Open the current file now, so a directory we cannot write to fails at start-up rather than
  // on the first request.
  QUIVER_RETURN_IF_ERROR(log->OpenPeriod(PeriodStart(log->clock_ms_(), log->options_.hourly)));
  log->writer_ = std::thread(&AuditLog::WriterLoop, log.get());
  return log;
}

AuditLog::AuditLog(AuditOptions options, std::function<int64_t()> clock_ms)
    : options_(std::move(options)), clock_ms_(std::move(clock_ms)) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  CloseFile();
}

void AuditLog::Record(AuditEvent event) {
  // Only times that RFC 3339 can write (years 1970..9999 here) make file names and lines.
  constexpr int64_t kMaxTimestampMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
  if (event.timestamp_ms <= 0 || event.timestamp_ms > kMaxTimestampMs) {
    event.timestamp_ms = clock_ms_();
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (queue_.size() >= options_.queue_capacity) {
    ++dropped_;
    ++overflow_unreported_;
    return;
  }
  const bool was_empty = queue_.empty();
  queue_.push_back(std::move(event));
  ++queued_total_;
  lock.unlock();
  // The writer sleeps only while the queue is empty, so only the first event needs to wake it.
  if (was_empty) work_cv_.notify_one();
}

void AuditLog::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = queued_total_;
  written_cv_.wait(lock, [&] { return written_total_ >= target; });
}

uint64_t AuditLog::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void AuditLog::WriterLoop() {
  std::vector<AuditEvent> batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return !queue_.empty() || stop_; });
    if (queue_.empty()) break;  // stop_ and nothing left
    batch.swap(queue_);
    // Drops are counted only while the queue is full, and only this thread empties it, so every
    // drop counted so far happened after every event of `batch` was recorded: the next line
    // written after the batch is the right one to report them.
    const uint64_t overflow = std::exchange(overflow_unreported_, 0);
    lock.unlock();
    uint64_t failed = 0;
    for (const AuditEvent& event : batch) {
      if (!WriteEvent(event)) ++failed;
    }
    unreported_ += overflow;
    const size_t handled = batch.size();
    batch.clear();
    lock.lock();
    dropped_ += failed;
    written_total_ += handled;
    written_cv_.notify_all();
  }
  if (unreported_ > 0) {
    spdlog::warn("audit log: {} events lost at the end of the log (queue full or write failed)",
                 unreported_);
  }
}

bool AuditLog::WriteEvent(const AuditEvent& event) {
  if (options_.test_before_write) options_.test_before_write();
  int64_t period = PeriodStart(event.timestamp_ms, options_.hourly);
  // A late event (stamped before another thread's, queued after it, or a clock stepped back)
  // goes to the newest file: files are never reopened once a newer one exists.
  if (have_period_) period = std::max(period, file_start_ms_);
  if (fd_ < 0 || period != file_start_ms_) {
    if (Status st = OpenPeriod(period); !st.ok()) {
      if (!warned_) spdlog::error("audit log: {}", st.message());
      warned_ = true;
      ++unreported_;
      return false;
    }
  }
  line_.clear();
  AppendAuditLine(event, unreported_, &line_);
  if (!AppendLine(line_)) {
    ++unreported_;
    return false;
  }
  unreported_ = 0;
  warned_ = false;
  return true;
}

Status AuditLog::OpenPeriod(int64_t start_ms) {
  CloseFile();
  file_start_ms_ = start_ms;
  have_period_ = true;
  const std::string path =
      (std::filesystem::path(options_.dir) / AuditFileName(start_ms, options_.hourly)).string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Internal("cannot open audit file " + path + ": " + ErrnoText());
  // A kill -9 inside write(2) can leave a last line without its '\n'. That fragment is cut off
  // before anything is appended, so a file never keeps a torn line once the log is open again
  // (the event it held was lost with the process, like everything still queued).
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const std::string message = "cannot stat audit file " + path + ": " + ErrnoText();
    ::close(fd);
    return Internal(message);
  }
  off_t keep = st.st_size;
  char buf[4096];
  while (keep > 0) {
    const off_t from = keep > static_cast<off_t>(sizeof buf) ? keep - static_cast<off_t>(sizeof buf) : 0;
    const ssize_t n = ::pread(fd, buf, static_cast<size_t>(keep - from), from);
    if (n != keep - from) {
      keep = -1;
      break;
    }
    ssize_t i = n - 1;
    while (i >= 0 && buf[i] != '\n') --i;
    if (i >= 0) {
      keep = from + i + 1;
      break;
    }
    keep = from;
  }
  if (keep < 0 || (keep != st.st_size && ::ftruncate(fd, keep) != 0)) {
    const std::string message = "cannot repair the end of audit file " + path;
    ::close(fd);
    return Internal(message);
  }
  fd_ = fd;
  PruneOldFiles();
  return Status::Ok();
}

void AuditLog::CloseFile() {
  if (fd_ < 0) return;
  ::fdatasync(fd_);
  ::close(fd_);
  fd_ = -1;
}

void AuditLog::PruneOldFiles() {
  StatusOr<std::vector<AuditFile>> files = ListAuditFiles(options_.dir);
  if (!files.ok()) {
    spdlog::warn("audit log: {}", files.status().message());
    return;
  }
  const std::string current = AuditFileName(file_start_ms_, options_.hourly);
  size_t count = files->size();
  for (const AuditFile& file : *files) {  // oldest first
    if (count <= static_cast<size_t>(options_.max_log_files)) break;
    if (file.name == current) continue;  // even when a file of a later period exists
    std::error_code ec;
    std::filesystem::remove(std::filesystem::path(options_.dir) / file.name, ec);
    if (ec) {
      spdlog::warn("audit log: cannot delete old file {}: {}", file.name, ec.message());
      continue;
    }
    --count;
  }
}

bool AuditLog::AppendLine(const std::string& line) {
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(line.size())) return true;
  const std::string why = n < 0 ? ErrnoText() : "short write";
  if (n > 0) {
    // Part of the line reached the file (disk full). Cut it off; failing that, end it so the
    // next line is not glued to it. Failing both, close: reopening repairs the end.
    struct stat st;
    if (::fstat(fd_, &st) != 0 || ::ftruncate(fd_, st.st_size - n) != 0) {
      if (::write(fd_, "\n", 1) != 1) CloseFile();
    }
  }
  if (!warned_) spdlog::error("audit log: write failed: {}", why);
  warned_ = true;
  return false;
}

}  // namespace quiver::audit
