#pragma once
// AuditLog: the audit trail of access checks, as JSON lines in rotated files.
//
// Request threads call Record, which only queues the event; one background thread renders each
// event and appends it to the file of its period with one write(2) on an O_APPEND descriptor.
// The file format, the rotation and retention rules and the crash guarantees are described in
// docs/formats/audit-log.md.
//
// Thread safety: Record, Flush, Query and dropped may be called from any thread at once. The
// destructor must not run concurrently with any of them.
//
// Invariants (writer thread): lines are appended only to the file of the newest period seen so
// far, so files are written in period order and a file is never reopened once a newer one exists;
// after it opens a file, at most max_log_files audit files remain in the directory.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "audit/audit_event.h"
#include "common/json.h"
#include "common/status.h"

namespace quiver::audit {

// Milliseconds since the Unix epoch from the system clock.
int64_t SystemMs();

struct AuditOptions {
  std::string dir;        // created when missing
  bool hourly = false;    // one file per UTC hour instead of per UTC day
  int max_log_files = 7;  // audit files kept in `dir`, the newest; values below 1 count as 1
  // Events waiting for the writer. Past this, Record drops the event and counts it (dropped()).
  size_t queue_capacity = 16384;
  // Tests only: runs on the writer thread before each line is written (to make the writer slow).
  std::function<void()> test_before_write = nullptr;
};

class AuditLog {
 public:
  // Creates `options.dir` if needed, opens (creating) the file of the current period and deletes
  // audit files beyond max_log_files. `clock_ms` gives milliseconds since the epoch: it stamps
  // events recorded without a timestamp and picks the first file. Errors: kInvalidArgument for an
  // empty dir; kInternal when the directory or the file cannot be created or opened.
  static StatusOr<std::unique_ptr<AuditLog>> Open(AuditOptions options,
                                                  std::function<int64_t()> clock_ms = SystemMs);

  // Writes every event recorded before it began, then stops the writer thread.
  ~AuditLog();

  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues `event` and returns; it never waits for disk I/O, only for a short critical section.
  // An event whose timestamp_ms is 0 (or out of range: negative, past year 9999) is stamped with
  // the clock. When queue_capacity events are already waiting the event is dropped: dropped()
  // counts it, and the next line written carries
  // `"dropped_before": N` for the N events lost since the previous line.
  void Record(AuditEvent event);

  // Returns once every event recorded before the call is written to its file (or counted as
  // dropped because the write failed). Lines are in the page cache, not necessarily on disk.
  void Flush();

  // POST /audit/logs: the events with from_ms <= timestamp < to_ms (0: no bound) whose fields
  // equal every (field, value) of `filters`, newest first, at most `limit`. A filter on a field
  // the line lacks or on an unknown field name matches nothing, as in Qdrant. Reads the files, so
  // it sees what was written, not what is still queued (call Flush first to see everything).
  // Lines that are not complete JSON objects (a crash's last fragment) are skipped.
  // Errors: kInternal when the directory or a file cannot be read.
  StatusOr<std::vector<Json>> Query(int64_t from_ms, int64_t to_ms,
                                    const std::vector<std::pair<std::string, std::string>>& filters,
                                    size_t limit) const;

  // Events lost so far: recorded while the queue was full, or whose write failed.
  uint64_t dropped() const;

  const AuditOptions& options() const { return options_; }

 private:
  AuditLog(AuditOptions options, std::function<int64_t()> clock_ms);

  void WriterLoop();
  // Writes one event to the file of its period; returns false when it was lost.
  bool WriteEvent(const AuditEvent& event);
  // Makes the file of period `start_ms` the open one; then deletes files past max_log_files.
  Status OpenPeriod(int64_t start_ms);
  void CloseFile();
  void PruneOldFiles();
  // Appends `line` with one write(2); after a short write, cuts the fragment off again.
  bool AppendLine(const std::string& line);

  const AuditOptions options_;
  const std::function<int64_t()> clock_ms_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // writer waits: queue_ non-empty or stop_
  std::condition_variable written_cv_;  // Flush waits: written_ advanced
  std::vector<AuditEvent> queue_;       // guarded by mu_
  uint64_t queued_total_ = 0;           // guarded by mu_: events ever queued
  uint64_t written_total_ = 0;          // guarded by mu_: of those, handled by the writer
  uint64_t overflow_unreported_ = 0;    // guarded by mu_: drops not yet carried by a line
  uint64_t dropped_ = 0;                // guarded by mu_
  bool stop_ = false;                   // guarded by mu_

  // Writer thread only (and Open, before the thread starts).
  int fd_ = -1;
  int64_t file_start_ms_ = 0;  // period of the open file, or of the last one opened
  bool have_period_ = false;
  uint64_t unreported_ = 0;  // events lost since the last line written
  bool warned_ = false;      // an I/O failure was logged; cleared by the next success
  std::string line_;         // the line being written, kept to reuse its buffer

  std::thread writer_;
};

}  // namespace quiver::audit
