// AuditLog: files, rotation, retention, queries, damaged files, concurrency, back-pressure.
// Every test runs in its own temporary directory with a fake clock.

#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_files.h"

namespace quiver::audit {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay0 = 1718409600000;  // 2024-06-15T00:00:00Z
constexpr int64_t kMinuteMs = 60'000;

using Filters = std::vector<std::pair<std::string, std::string>>;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("quiver-audit-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  AuditOptions Options() {
    AuditOptions options;
    options.dir = dir_.string();
    return options;
  }

  std::unique_ptr<AuditLog> OpenLog(AuditOptions options) {
    StatusOr<std::unique_ptr<AuditLog>> log =
        AuditLog::Open(std::move(options), [this] { return now_.load(); });
    EXPECT_TRUE(log.ok()) << log.status().message();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // Audit file names in the directory, sorted; other files too when `all`.
  std::vector<std::string> Files(bool all = false) {
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_)) {
      std::string name = e.path().filename().string();
      if (all || ParseAuditFileName(name)) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string Contents(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // The lines of a file, without their '\n'; a missing final '\n' fails the test.
  std::vector<std::string> Lines(const std::string& name) {
    const std::string text = Contents(name);
    EXPECT_TRUE(text.empty() || text.back() == '\n') << name << " ends mid-line";
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines.push_back(text.substr(start, nl - start));
    }
    return lines;
  }

  void Append(const std::string& name, const std::string& bytes) {
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::app);
    out << bytes;
  }

  static Json ParseLine(const std::string& line) {
    StatusOr<Json> j = Json::Parse(line);
    EXPECT_TRUE(j.ok()) << j.status().message() << ": " << line;
    return j.ok() ? *j : Json();
  }

  static std::string Str(const Json& j, std::string_view key) {
    const Json* v = j.Find(key);
    return v != nullptr && v->is_string() ? v->as_string() : "<absent>";
  }

  static std::vector<std::string> Methods(const std::vector<Json>& events) {
    std::vector<std::string> out;
    for (const Json& e : events) out.push_back(Str(e, "method"));
    return out;
  }

  fs::path dir_;
  std::atomic<int64_t> now_{kDay0 + 12 * kHourMs};
};

// prefix + decimal n. (Not `"m" + std::to_string(n)`: GCC 12 at -O2 warns falsely, -Wrestrict.)
std::string Name(std::string_view prefix, int64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

AuditEvent Ev(int64_t ts, std::string method, std::string collection = "",
              std::string result = "ok") {
  AuditEvent e;
  e.timestamp_ms = ts;
  e.method = std::move(method);
  e.api = "/collections/" + collection;
  e.auth_type = "ApiKey";
  e.remote = "127.0.0.1";
  e.collection = std::move(collection);
  e.result = std::move(result);
  if (e.result != "ok") e.error = "Forbidden: Global access is required";
  return e;
}

TEST_F(AuditLogTest, OpenCreatesDirectoryAndCurrentFile) {
  AuditOptions options = Options();
  options.dir = (dir_ / "a" / "b").string();
  auto log = OpenLog(options);
  ASSERT_NE(log, nullptr);
  EXPECT_TRUE(fs::is_regular_file(dir_ / "a" / "b" / "audit.2024-06-15.log"));
}

TEST_F(AuditLogTest, OpenRejectsEmptyDirAndUnusableDir) {
  AuditOptions options;
  StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(options);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kInvalidArgument);

  fs::create_directories(dir_);
  Append("plain-file", "x");
  options.dir = (dir_ / "plain-file").string();
  log = AuditLog::Open(options);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kInternal);
}

TEST_F(AuditLogTest, LinesParseAsJsonWithAllFields) {
  auto log = OpenLog(Options());
  AuditEvent e;  // timestamp 0: stamped from the clock
  e.method = "search_points";
  e.api = "/collections/books/points/search";
  e.auth_type = "Jwt";
  e.subject = "alice";
  e.remote = "192.0.2.1";
  e.collection = "books";
  e.tracing_id = "req-1";
  e.result = "denied";
  e.error = "Forbidden: Access to collection books is required";
  e.client_cert_subject = "CN=client";
  now_ = kDay0 + 12 * kHourMs + 345;
  log->Record(e);
  log->Flush();
  std::vector<std::string> lines = Lines("audit.2024-06-15.log");
  ASSERT_EQ(lines.size(), 1u);
  Json j = ParseLine(lines[0]);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 11u);
  EXPECT_EQ(Str(j, "timestamp"), "2024-06-15T12:00:00.345Z");
  EXPECT_EQ(Str(j, "method"), "search_points");
  EXPECT_EQ(Str(j, "api"), "/collections/books/points/search");
  EXPECT_EQ(Str(j, "auth_type"), "Jwt");
  EXPECT_EQ(Str(j, "subject"), "alice");
  EXPECT_EQ(Str(j, "remote"), "192.0.2.1");
  EXPECT_EQ(Str(j, "collection"), "books");
  EXPECT_EQ(Str(j, "tracing_id"), "req-1");
  EXPECT_EQ(Str(j, "result"), "denied");
  EXPECT_EQ(Str(j, "error"), "Forbidden: Access to collection books is required");
  EXPECT_EQ(Str(j, "client_cert_subject"), "CN=client");
  EXPECT_EQ(log->dropped(), 0u);
}

TEST_F(AuditLogTest, OutOfRangeTimestampsAreStampedWithTheClock) {
  auto log = OpenLog(Options());
  log->Record(Ev(-5, "negative"));
  log->Record(Ev(253402300800000, "year_10000"));
  log->Flush();
  std::vector<std::string> lines = Lines("audit.2024-06-15.log");
  ASSERT_EQ(lines.size(), 2u);
  for (const std::string& line : lines) {
    EXPECT_EQ(Str(ParseLine(line), "timestamp"), "2024-06-15T12:00:00.000Z");
  }
}

TEST_F(AuditLogTest, DailyRotationAtTheBoundary) {
  now_ = kDay0 + kDayMs - 1;  // 2024-06-15T23:59:59.999Z
  auto log = OpenLog(Options());
  log->Record(Ev(0, "last_of_day"));
  now_ = kDay0 + kDayMs;  // 2024-06-16T00:00:00.000Z
  log->Record(Ev(0, "first_of_day"));
  log->Flush();
  EXPECT_EQ(Files(), (std::vector<std::string>{"audit.2024-06-15.log", "audit.2024-06-16.log"}));
  std::vector<std::string> day1 = Lines("audit.2024-06-15.log");
  std::vector<std::string> day2 = Lines("audit.2024-06-16.log");
  ASSERT_EQ(day1.size(), 1u);
  ASSERT_EQ(day2.size(), 1u);
  EXPECT_EQ(Str(ParseLine(day1[0]), "timestamp"), "2024-06-15T23:59:59.999Z");
  EXPECT_EQ(Str(ParseLine(day2[0]), "timestamp"), "2024-06-16T00:00:00.000Z");
}

TEST_F(AuditLogTest, HourlyRotationAtTheBoundary) {
  now_ = kDay0 + 14 * kHourMs - 1;  // 13:59:59.999
  AuditOptions options = Options();
  options.hourly = true;
  auto log = OpenLog(options);
  EXPECT_EQ(Files(), std::vector<std::string>{"audit.2024-06-15-13.log"});
  log->Record(Ev(0, "a"));
  log->Record(Ev(kDay0 + 14 * kHourMs, "b"));  // 14:00:00.000, given explicitly
  log->Record(Ev(kDay0 + 15 * kHourMs - 1, "c"));
  log->Record(Ev(kDay0 + 23 * kHourMs + 1, "d"));
  log->Record(Ev(kDay0 + kDayMs, "e"));  // next day, hour 00
  log->Flush();
  EXPECT_EQ(Files(),
            (std::vector<std::string>{"audit.2024-06-15-13.log", "audit.2024-06-15-14.log",
                                      "audit.2024-06-15-23.log", "audit.2024-06-16-00.log"}));
  EXPECT_EQ(Lines("audit.2024-06-15-13.log").size(), 1u);
  EXPECT_EQ(Lines("audit.2024-06-15-14.log").size(), 2u);
  EXPECT_EQ(Lines("audit.2024-06-15-23.log").size(), 1u);
  EXPECT_EQ(Lines("audit.2024-06-16-00.log").size(), 1u);
}

TEST_F(AuditLogTest, LateEventGoesToTheNewestFileAndQueriesStillSortByTime) {
  auto log = OpenLog(Options());
  log->Record(Ev(kDay0 + kDayMs + 5, "next_day"));
  log->Record(Ev(kDay0 + kDayMs - 5, "late"));  // stamped before, queued after
  log->Flush();
  EXPECT_EQ(Lines("audit.2024-06-15.log").size(), 0u);
  EXPECT_EQ(Lines("audit.2024-06-16.log").size(), 2u);
  StatusOr<std::vector<Json>> got = log->Query(0, 0, {}, 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Methods(*got), (std::vector<std::string>{"next_day", "late"}));
  // The late event is found by a range that ends before the file's period starts.
  got = log->Query(kDay0, kDay0 + kDayMs, {}, 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Methods(*got), std::vector<std::string>{"late"});
}

TEST_F(AuditLogTest, MaxLogFilesKeepsOnlyTheNewest) {
  fs::create_directories(dir_);
  for (const char* name : {"audit.2024-06-01.log", "audit.2024-06-02.log", "audit.log", "notes.txt",
                           "audit.2024-13-01.log"}) {
    Append(name, "");
  }
  AuditOptions options = Options();
  options.max_log_files = 3;
  auto log = OpenLog(options);  // opens 2024-06-15: three audit files, nothing deleted yet
  EXPECT_EQ(Files(), (std::vector<std::string>{"audit.2024-06-01.log", "audit.2024-06-02.log",
                                               "audit.2024-06-15.log"}));
  for (int day = 1; day <= 4; ++day) log->Record(Ev(kDay0 + day * kDayMs, "e"));
  log->Flush();
  EXPECT_EQ(Files(), (std::vector<std::string>{"audit.2024-06-17.log", "audit.2024-06-18.log",
                                               "audit.2024-06-19.log"}));
  // Files that are not audit files are never touched.
  EXPECT_EQ(Files(true), (std::vector<std::string>{"audit.2024-06-17.log", "audit.2024-06-18.log",
                                                   "audit.2024-06-19.log", "audit.2024-13-01.log",
                                                   "audit.log", "notes.txt"}));
}

TEST_F(AuditLogTest, MaxLogFilesBelowOneKeepsTheCurrentFile) {
  AuditOptions options = Options();
  options.max_log_files = 0;
  auto log = OpenLog(options);
  log->Record(Ev(kDay0 + kDayMs, "e"));
  log->Flush();
  EXPECT_EQ(Files(), std::vector<std::string>{"audit.2024-06-16.log"});
  EXPECT_EQ(Lines("audit.2024-06-16.log").size(), 1u);
}

class AuditQueryTest : public AuditLogTest {
 protected:
  // Three days, two events each, in time order: m0 .. m5.
  void SetUp() override {
    AuditLogTest::SetUp();
    log_ = OpenLog(Options());
    const char* collections[] = {"a", "b", "a", "a", "b", "a"};
    for (int i = 0; i < 6; ++i) {
      log_->Record(Ev(Ts(i), Name("m", i), collections[i], i % 3 == 0 ? "denied" : "ok"));
    }
    log_->Flush();
    ASSERT_EQ(Files().size(), 3u);
  }
  static int64_t Ts(int i) { return kDay0 + (i / 2) * kDayMs + (i % 2) * kHourMs + i; }

  std::vector<std::string> Q(int64_t from, int64_t to, const Filters& filters, size_t limit) {
    StatusOr<std::vector<Json>> got = log_->Query(from, to, filters, limit);
    EXPECT_TRUE(got.ok()) << got.status().message();
    return got.ok() ? Methods(*got) : std::vector<std::string>{};
  }

  std::unique_ptr<AuditLog> log_;
};

using V = std::vector<std::string>;

TEST_F(AuditQueryTest, NewestFirstAcrossFiles) {
  EXPECT_EQ(Q(0, 0, {}, 100), (V{"m5", "m4", "m3", "m2", "m1", "m0"}));
}

TEST_F(AuditQueryTest, LimitTakesTheNewest) {
  EXPECT_EQ(Q(0, 0, {}, 1), (V{"m5"}));
  EXPECT_EQ(Q(0, 0, {}, 3), (V{"m5", "m4", "m3"}));  // crosses into the middle file
  EXPECT_EQ(Q(0, 0, {}, 0), V{});
  EXPECT_EQ(Q(0, 0, {{"collection", "a"}}, 3), (V{"m5", "m3", "m2"}));
}

TEST_F(AuditQueryTest, FiltersMustAllMatch) {
  EXPECT_EQ(Q(0, 0, {{"collection", "a"}}, 100), (V{"m5", "m3", "m2", "m0"}));
  EXPECT_EQ(Q(0, 0, {{"collection", "a"}, {"result", "denied"}}, 100), (V{"m3", "m0"}));
  EXPECT_EQ(Q(0, 0, {{"method", "m4"}}, 100), (V{"m4"}));
  EXPECT_EQ(Q(0, 0, {{"auth_type", "ApiKey"}, {"remote", "127.0.0.1"}}, 100).size(), 6u);
  EXPECT_EQ(Q(0, 0, {{"error", "Forbidden: Global access is required"}}, 100), (V{"m3", "m0"}));
  EXPECT_EQ(Q(0, 0, {{"collection", "c"}}, 100), V{});
  EXPECT_EQ(Q(0, 0, {{"collection", "A"}}, 100), V{}) << "values compare exactly";
}

TEST_F(AuditQueryTest, FiltersOnAbsentOrUnknownFieldsMatchNothing) {
  EXPECT_EQ(Q(0, 0, {{"subject", "alice"}}, 100), V{});  // no event has a subject
  EXPECT_EQ(Q(0, 0, {{"subject", ""}}, 100), V{});       // absent is not ""
  EXPECT_EQ(Q(0, 0, {{"no_such_field", "x"}}, 100), V{});
  EXPECT_EQ(Q(0, 0, {{"timestamp", FormatTimestamp(Ts(0))}}, 100), V{});
}

TEST_F(AuditQueryTest, TimeRangeIsHalfOpen) {
  EXPECT_EQ(Q(Ts(1), Ts(4), {}, 100), (V{"m3", "m2", "m1"}));
  EXPECT_EQ(Q(Ts(1) + 1, Ts(4) + 1, {}, 100), (V{"m4", "m3", "m2"}));
  EXPECT_EQ(Q(Ts(2), 0, {}, 100), (V{"m5", "m4", "m3", "m2"}));
  EXPECT_EQ(Q(0, Ts(2), {}, 100), (V{"m1", "m0"}));
  EXPECT_EQ(Q(Ts(3), Ts(3), {}, 100), V{});
  EXPECT_EQ(Q(Ts(5) + 1, 0, {}, 100), V{});
  EXPECT_EQ(Q(Ts(1), Ts(5), {{"result", "ok"}}, 2), (V{"m4", "m2"}));
}

TEST_F(AuditQueryTest, DamagedLinesAreSkipped) {
  const std::string file = "audit.2024-06-16.log";  // m2, m3
  std::string valid;
  AppendAuditLine(Ev(Ts(3) + 1, "crlf"), 0, &valid);
  valid.insert(valid.size() - 1, "\r");
  Append(file, "\n\n");
  Append(file, "not json at all\n");
  Append(file, "[1,2,3]\n");
  Append(file, "{}\n");
  Append(file, "{\"timestamp\":\"yesterday\",\"method\":\"bad_time\"}\n");
  Append(file, "{\"timestamp\":17,\"method\":\"numeric_time\"}\n");
  Append(file, "{\"timestamp\":\"2024-06-16T01:00:00.010Z\",\"method\":\"cut\n");
  std::string nul = "{\"timestamp\":\"2024-06-16T01:00:00.011Z\",\"method\":\"nul";
  nul.push_back('\0');
  Append(file, nul + "\"}\n");
  Append(file, "{\"timestamp\":\"2024-06-16T01:00:00.012Z\",\"method\":\"glued\"}{\"a\":1}\n");
  Append(file, valid);
  EXPECT_EQ(Q(0, 0, {}, 100), (V{"m5", "m4", "crlf", "m3", "m2", "m1", "m0"}));
}

TEST_F(AuditLogTest, TruncatedLastLineIsSkippedAndRepairedOnReopen) {
  const std::string file = "audit.2024-06-15.log";
  std::string half;
  AppendAuditLine(Ev(kDay0 + 12 * kHourMs + 5, "torn"), 0, &half);
  half.resize(half.size() / 2);
  {
    auto log = OpenLog(Options());
    for (int i = 0; i < 3; ++i) log->Record(Ev(kDay0 + 12 * kHourMs + i, Name("m", i)));
    log->Flush();
    Append(file, half);  // as a crash inside write(2) would leave it
    StatusOr<std::vector<Json>> got = log->Query(0, 0, {}, 100);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(Methods(*got), (V{"m2", "m1", "m0"}));
  }
  // A restart cuts the fragment off before appending: no torn line stays in the file.
  auto log = OpenLog(Options());
  log->Record(Ev(kDay0 + 12 * kHourMs + 10, "after_restart"));
  log->Flush();
  std::vector<std::string> lines = Lines(file);
  ASSERT_EQ(lines.size(), 4u);
  for (const std::string& line : lines) EXPECT_NE(line, half);
  EXPECT_EQ(Str(ParseLine(lines[3]), "method"), "after_restart");
  StatusOr<std::vector<Json>> got = log->Query(0, 0, {}, 100);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Methods(*got), (V{"after_restart", "m2", "m1", "m0"}));
}

TEST_F(AuditLogTest, ReopenAppendsToTheExistingFile) {
  { OpenLog(Options())->Record(Ev(0, "first")); }  // the destructor writes it
  auto log = OpenLog(Options());
  log->Record(Ev(0, "second"));
  log->Flush();
  std::vector<std::string> lines = Lines("audit.2024-06-15.log");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Str(ParseLine(lines[0]), "method"), "first");
  EXPECT_EQ(Str(ParseLine(lines[1]), "method"), "second");
}

TEST_F(AuditLogTest, EightThreadsEveryLineIntact) {
  auto log = OpenLog(Options());
  constexpr int kThreads = 8, kPerThread = 1000;
  // ~700-byte lines, so many of them straddle a 4 KiB page of the file.
  const std::string long_error(600, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        AuditEvent e = Ev(0, "upsert_points", Name("c", t), "denied");
        e.subject = std::to_string(t) + "/" + std::to_string(i);
        e.error = long_error;
        log->Record(std::move(e));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  log->Flush();
  EXPECT_EQ(log->dropped(), 0u);
  std::vector<std::string> lines = Lines("audit.2024-06-15.log");
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<std::string> subjects;
  for (const std::string& line : lines) {
    Json j = ParseLine(line);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_EQ(Str(j, "error"), long_error);
    EXPECT_EQ(Str(j, "method"), "upsert_points");
    subjects.insert(Str(j, "subject"));
  }
  EXPECT_EQ(subjects.size(), static_cast<size_t>(kThreads * kPerThread));
  StatusOr<std::vector<Json>> got = log->Query(0, 0, {}, 100000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(AuditLogTest, KillNineLeavesOnlyWholeLines) {
  // A child process writes as fast as it can and is killed with SIGKILL mid-stream.
  fs::create_directories(dir_);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    AuditOptions options = Options();
    StatusOr<std::unique_ptr<AuditLog>> log =
        AuditLog::Open(options, [] { return kDay0 + 12 * kHourMs; });
    if (!log.ok()) ::_exit(1);
    AuditEvent e = Ev(0, "upsert_points", "c");
    e.error = std::string(700, 'x');  // lines straddle the file's pages
    for (;;) (*log)->Record(e);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early: " << status;

  const std::string text = Contents("audit.2024-06-15.log");
  size_t whole = 0, start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    Json j = ParseLine(text.substr(start, nl - start));
    ASSERT_TRUE(j.is_object());
    ++whole;
  }
  EXPECT_GT(whole, 0u);
  // Whatever follows the last '\n' (nothing, unless the kill cut a write(2) short) is skipped
  // by Query and ended by the next writer.
  auto log = OpenLog(Options());
  StatusOr<std::vector<Json>> got = log->Query(0, 0, {}, whole + 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), whole);
  log->Record(Ev(0, "after_crash"));
  log->Flush();
  got = log->Query(0, 0, {{"method", "after_crash"}}, 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 1u);
  std::cout << "[   INFO   ] " << whole << " whole lines, " << text.size() - start
            << " bytes after the last newline\n";
}

TEST_F(AuditLogTest, RecordingTenThousandEventsIsFast) {
  auto log = OpenLog(Options());
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i) log->Record(Ev(0, "search_points", "c"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  log->Flush();
  EXPECT_EQ(Lines("audit.2024-06-15.log").size(), 10000u);
  EXPECT_EQ(log->dropped(), 0u);
}

TEST_F(AuditLogTest, RecordDoesNotBlockWhileTheWriterIsStuck) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  AuditOptions options = Options();
  options.queue_capacity = 1000;
  options.test_before_write = [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
  };
  auto log = OpenLog(options);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i) log->Record(Ev(kDay0 + 12 * kHourMs + i, Name("e", i)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  // The writer holds one batch (0 to 1000 events: it may not have run yet); 1000 more wait in
  // the queue; the rest drop.
  const uint64_t dropped = log->dropped();
  EXPECT_GE(dropped, 8000u);
  EXPECT_LE(dropped, 9000u);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  log->Flush();
  EXPECT_EQ(log->dropped(), dropped);
  // Each run of lost events was followed, in recording order, by the next event written; the
  // first line after a run reports its length. (There can be two runs: events dropped before
  // the writer first took the queue, and those dropped while it was stuck.) A last event
  // reports the final run.
  log->Record(Ev(kDay0 + 13 * kHourMs, "next"));
  log->Flush();
  std::vector<std::string> lines = Lines("audit.2024-06-15.log");
  ASSERT_EQ(lines.size(), 10000 - dropped + 1);
  uint64_t expected = 0, reported = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    Json j = ParseLine(lines[i]);
    if (const Json* d = j.Find("dropped_before")) {
      ASSERT_TRUE(d->is_integer());
      ASSERT_GT(d->as_int(), 0);
      expected += d->as_int();
      reported += d->as_int();
    }
    if (i + 1 == lines.size()) {
      EXPECT_EQ(Str(j, "method"), "next");
      EXPECT_EQ(expected, 10000u);
    } else {
      ASSERT_EQ(Str(j, "method"), Name("e", expected)) << "line " << i;
      ++expected;
    }
  }
  EXPECT_EQ(reported, dropped);
}

TEST_F(AuditLogTest, DestructorWritesEverythingQueued) {
  AuditOptions options = Options();
  options.test_before_write = [] { std::this_thread::sleep_for(std::chrono::microseconds(20)); };
  {
    auto log = OpenLog(options);
    for (int i = 0; i < 2000; ++i) log->Record(Ev(0, "e"));
  }
  EXPECT_EQ(Lines("audit.2024-06-15.log").size(), 2000u);
}

TEST_F(AuditLogTest, FailedWritesAreCountedAndReportedByTheNextLine) {
  auto log = OpenLog(Options());
  log->Record(Ev(0, "before"));
  log->Flush();
  fs::remove_all(dir_);  // the next day's file cannot be created
  log->Record(Ev(kDay0 + kDayMs, "lost1"));
  log->Record(Ev(kDay0 + kDayMs + 1, "lost2"));
  log->Flush();
  EXPECT_EQ(log->dropped(), 2u);
  fs::create_directories(dir_);
  log->Record(Ev(kDay0 + kDayMs + 2, "after"));
  log->Flush();
  EXPECT_EQ(log->dropped(), 2u);
  std::vector<std::string> lines = Lines("audit.2024-06-16.log");
  ASSERT_EQ(lines.size(), 1u);
  Json j = ParseLine(lines[0]);
  EXPECT_EQ(Str(j, "method"), "after");
  ASSERT_NE(j.Find("dropped_before"), nullptr);
  EXPECT_EQ(j.Find("dropped_before")->as_int(), 2);
}

TEST_F(AuditLogTest, FlushWithNothingRecordedReturns) {
  auto log = OpenLog(Options());
  log->Flush();
  StatusOr<std::vector<Json>> got = log->Query(0, 0, {}, 10);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST_F(AuditLogTest, QueryOfAMissingDirectoryIsAnError) {
  auto log = OpenLog(Options());
  fs::remove_all(dir_);
  StatusOr<std::vector<Json>> got = log->Query(0, 0, {}, 10);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace quiver::audit
