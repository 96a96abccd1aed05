// The line format, timestamps and file names: golden strings and boundary cases.

#include "audit/audit_event.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "audit/audit_files.h"
#include "common/json.h"

namespace quiver::audit {
namespace {

constexpr int64_t k2024_06_15 = 1718409600000;  // 2024-06-15T00:00:00Z

AuditEvent FullEvent() {
  AuditEvent e;
  e.timestamp_ms = k2024_06_15 + 10 * kHourMs + 30 * 60'000 + 123;
  e.method = "upsert_points";
  e.api = "/collections/books/points";
  e.auth_type = std::string(kAuthJwt);
  e.subject = "alice";
  e.remote = "10.0.0.7";
  e.collection = "books";
  e.tracing_id = "req-42";
  e.result = std::string(kResultDenied);
  e.error = "Forbidden: Write access to collection books is required";
  e.client_cert_subject = "CN=worker-1,O=Acme";
  return e;
}

std::string Line(const AuditEvent& e, uint64_t dropped_before = 0) {
  std::string out;
  AppendAuditLine(e, dropped_before, &out);
  return out;
}

TEST(AuditEventTest, FullEventGoldenLine) {
  EXPECT_EQ(Line(FullEvent()),
            R"({"timestamp":"2024-06-15T10:30:00.123Z","method":"upsert_points",)"
            R"("api":"/collections/books/points","auth_type":"Jwt","subject":"alice",)"
            R"("remote":"10.0.0.7","collection":"books","tracing_id":"req-42","result":"denied",)"
            R"("error":"Forbidden: Write access to collection books is required",)"
            R"("client_cert_subject":"CN=worker-1,O=Acme"})"
            "\n");
}

TEST(AuditEventTest, EmptyFieldsAreLeftOutButAuthTypeAndResultStay) {
  AuditEvent e;
  e.timestamp_ms = k2024_06_15;
  EXPECT_EQ(Line(e), R"({"timestamp":"2024-06-15T00:00:00.000Z","auth_type":"","result":""})"
                     "\n");
  e.auth_type = std::string(kAuthNone);
  e.api = "/collections";
  e.result = std::string(kResultDenied);
  e.error = "Unauthorized: Must provide an API key or an Authorization bearer token";
  EXPECT_EQ(Line(e),
            R"({"timestamp":"2024-06-15T00:00:00.000Z","api":"/collections","auth_type":"None",)"
            R"("result":"denied","error":"Unauthorized: Must provide an API key or an )"
            R"(Authorization bearer token"})"
            "\n");
}

TEST(AuditEventTest, DroppedBeforeIsAddedOnlyWhenPositive) {
  AuditEvent e = FullEvent();
  EXPECT_EQ(Line(e).find("dropped_before"), std::string::npos);
  const std::string line = Line(e, 17);
  EXPECT_NE(line.find(R"(,"dropped_before":17})"), std::string::npos) << line;
}

TEST(AuditEventTest, EveryLineIsOneValidJsonObjectWhateverTheFieldsHold) {
  AuditEvent e = FullEvent();
  e.subject = "line\nbreak \"quoted\" back\\slash \t tab \x01 ctl";
  e.tracing_id = std::string("bad utf8 \xff\xfe end");
  e.error = "truncated \xE2\x82";             // a sequence cut short
  e.collection = "overlong \xC0\xAF";         // overlong '/'
  e.api = "surrogate \xED\xA0\x80 x";         // UTF-16 surrogate encoded in UTF-8
  e.remote = "caf\xC3\xA9 \xF0\x9F\x98\x80";  // valid: é and an emoji stay as they are
  const std::string line = Line(e);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line only";
  StatusOr<Json> j = Json::Parse(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(j.ok()) << j.status().message() << "\n" << line;
  EXPECT_EQ(j->Find("subject")->as_string(), e.subject);
  EXPECT_EQ(j->Find("tracing_id")->as_string(), "bad utf8 \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(j->Find("error")->as_string(), "truncated \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(j->Find("collection")->as_string(), "overlong \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(j->Find("api")->as_string(), "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD x");
  EXPECT_EQ(j->Find("remote")->as_string(), e.remote);
}

TEST(AuditEventTest, FormatTimestamp) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(946684799999), "1999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(k2024_06_15 + kDayMs - 1), "2024-06-15T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(253402300799999), "9999-12-31T23:59:59.999Z");
}

TEST(AuditEventTest, ParseTimestampAcceptsRfc3339Forms) {
  const std::map<std::string, int64_t> cases = {
      {"2024-06-15T00:00:00Z", k2024_06_15},
      {"2024-06-15T00:00:00.000Z", k2024_06_15},
      {"2024-06-15t00:00:00z", k2024_06_15},
      {"2024-06-15 00:00:00Z", k2024_06_15},
      {"2024-06-15T00:00:00.5Z", k2024_06_15 + 500},
      {"2024-06-15T00:00:00.123456789Z", k2024_06_15 + 123},  // Qdrant's nanoseconds
      {"2024-06-15T02:00:00+02:00", k2024_06_15},
      {"2024-06-14T22:30:00-01:30", k2024_06_15},
      {"1970-01-01T00:00:00Z", 0},
      {"1969-12-31T23:59:59.999Z", -1},
      {"2016-12-31T23:59:60Z", 1483228800000},  // leap second: the next second
      {"2000-02-29T00:00:00Z", 951782400000},
  };
  for (const auto& [text, ms] : cases) {
    StatusOr<int64_t> got = ParseTimestamp(text);
    ASSERT_TRUE(got.ok()) << text << ": " << got.status().message();
    EXPECT_EQ(*got, ms) << text;
  }
  for (int64_t ms : {int64_t{0}, int64_t{-1}, k2024_06_15 + 86'399'999, int64_t{253402300799999}}) {
    EXPECT_EQ(*ParseTimestamp(FormatTimestamp(ms)), ms);
  }
}

TEST(AuditEventTest, ParseTimestampRejectsMalformed) {
  for (const char* text : {"",
                           "2024-06-15",
                           "2024-06-15T00:00:00",
                           "2024-06-15T00:00Z",
                           "2024-6-15T00:00:00Z",
                           "2024-06-15T00:00:00.Z",
                           "2024-06-15T00:00:00ZZ",
                           "2024-06-15T00:00:00+0200",
                           "2024-13-01T00:00:00Z",
                           "2024-00-01T00:00:00Z",
                           "2023-02-29T00:00:00Z",
                           "2024-04-31T00:00:00Z",
                           "2024-06-15T24:00:00Z",
                           "2024-06-15T00:60:00Z",
                           "2024-06-15T00:00:61Z",
                           "2024-06-15T00:00:00+24:00",
                           "x2024-06-15T00:00:00Z",
                           "2024-06-15T00:00:00Z ",
                           "+024-06-15T00:00:00Z",
                           "1718409600000"}) {
    StatusOr<int64_t> got = ParseTimestamp(text);
    EXPECT_FALSE(got.ok()) << "accepted: \"" << text << "\"";
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(AuditEventTest, TracingIdFollowsQdrantsHeaderOrderAndLength) {
  std::map<std::string, std::string> headers;
  auto get = [&](std::string_view name) -> std::optional<std::string_view> {
    auto it = headers.find(std::string(name));
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  EXPECT_EQ(TracingIdFromHeaders(get), "");
  headers["traceparent"] = "00-abc-def-01";
  EXPECT_EQ(TracingIdFromHeaders(get), "00-abc-def-01");
  headers["x-tracing-id"] = "t-1";
  EXPECT_EQ(TracingIdFromHeaders(get), "t-1");
  headers["x-request-id"] = std::string(300, 'r');
  EXPECT_EQ(TracingIdFromHeaders(get), std::string(kMaxTracingIdBytes, 'r'));
}

TEST(AuditFilesTest, NamesOfPeriods) {
  const int64_t t = k2024_06_15 + 14 * kHourMs + 59 * 60'000 + 59'999;
  EXPECT_EQ(PeriodStart(t, false), k2024_06_15);
  EXPECT_EQ(PeriodStart(t, true), k2024_06_15 + 14 * kHourMs);
  EXPECT_EQ(PeriodStart(-1, false), -kDayMs);
  EXPECT_EQ(AuditFileName(PeriodStart(t, false), false), "audit.2024-06-15.log");
  EXPECT_EQ(AuditFileName(PeriodStart(t, true), true), "audit.2024-06-15-14.log");
  EXPECT_EQ(AuditFileName(0, true), "audit.1970-01-01-00.log");
}

TEST(AuditFilesTest, ParseAuditFileName) {
  std::optional<AuditFile> daily = ParseAuditFileName("audit.2024-06-15.log");
  ASSERT_TRUE(daily);
  EXPECT_EQ(daily->start_ms, k2024_06_15);
  EXPECT_EQ(daily->span_ms, kDayMs);
  std::optional<AuditFile> hourly = ParseAuditFileName("audit.2024-06-15-23.log");
  ASSERT_TRUE(hourly);
  EXPECT_EQ(hourly->start_ms, k2024_06_15 + 23 * kHourMs);
  EXPECT_EQ(hourly->end_ms(), k2024_06_15 + kDayMs);
  for (const char* name :
       {"audit.log", "audit.2024-06-15", "audit.2024-06-15.log.gz", "audit.2024-13-01.log",
        "audit.2024-02-30.log", "audit.2024-06-15-24.log", "audit.2024-06-15-1.log",
        "audit.2024-06-15T01.log", "audit.2024-06-15 01.log", "xaudit.2024-06-15.log",
        "audit.24-06-15.log", "audit.2024-06-15-01-00.log", "notes.txt"}) {
    EXPECT_FALSE(ParseAuditFileName(name)) << name;
  }
}

}  // namespace
}  // namespace quiver::audit
