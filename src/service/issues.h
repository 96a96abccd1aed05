#pragma once
// Issues: Qdrant's report of performance problems and configuration suggestions (`GET /issues`,
// lib/common/issues in Qdrant). An issue is active from the moment something submits it until it
// is solved (its cause went away) or cleared (`DELETE /issues`).
//
// The one kind Quiver raises is Qdrant's UNINDEXED_FIELD: a search, scroll, count or facet that
// took longer than `service.slow_query_secs` and filtered on a payload field that no payload index
// serves. Its id is "UNINDEXED_FIELD/<collection>/<field>"; it is solved when an index is created
// on that field or the collection is deleted. (Qdrant's other kind, TOO_MANY_COLLECTIONS, is
// defined there but never submitted.)
//
// Thread safety: IssueRegistry may be used concurrently; one mutex guards the map, held only for
// map operations.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"

namespace quiver {

inline constexpr char kUnindexedFieldIssue[] = "UNINDEXED_FIELD";

// Qdrant's IssueRecord. The front end renders it (`timestamp` as RFC 3339).
struct IssueRecord {
  std::string id;  // "<CODE>/<instance>", unique among active issues
  std::string description;
  // Qdrant's Solution: {"immediate": {message, action}}, {"immediate_choice": [...]} or
  // {"refactor": "<text>"}; an action is {method, uri, headers, body}.
  Json solution;
  int64_t timestamp_ms = 0;  // when it was first submitted
  std::optional<std::string> related_collection;
};

class IssueRegistry {
 public:
  // Activates an issue. Returns false (and keeps the first record, with its timestamp) when an
  // issue with that id is already active.
  bool Submit(IssueRecord record);
  // Deactivates one issue; returns whether it was active.
  bool Solve(const std::string& id);
  // Deactivates every issue related to `collection`.
  void SolveCollection(const std::string& collection);
  void Clear();
  // Active issues, ordered by id.
  std::vector<IssueRecord> All() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, IssueRecord> issues_;
};

// The id of the UNINDEXED_FIELD issue of `field` (a payload key as written in filters).
std::string UnindexedFieldIssueId(const std::string& collection, const std::string& field);

// UNINDEXED_FIELD issues for the conditions of `filter` (Qdrant's Filter JSON, as in a request
// body; anything malformed is skipped) whose field no payload index of `payload_schema` can
// serve. `payload_schema` is the `payload_schema` object of GET /collections/{c}: field ->
// {"data_type": ..., "params": {...}}. As Qdrant's IssueExtractor: each condition needs one of a
// set of index kinds (match on a string: keyword; on an integer: integer; range: float or
// integer, or datetime when a bound is a string; geo: geo; text/phrase: text; prefix: keyword
// with prefix; values_count, is_empty, is_null: any), a `nested` condition's fields are
// `<key>[].<field>`, and the solution proposes `PUT /collections/<c>/index` with each schema
// that would serve it. Ordered by field.
std::vector<IssueRecord> UnindexedFieldIssues(const std::string& collection, const Json& filter,
                                              const Json& payload_schema, int64_t now_ms);

}  // namespace quiver
