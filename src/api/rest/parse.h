#pragma once
// Translation of REST JSON bodies into the typed operations of the collection layer. Errors are
// kInvalidArgument with Qdrant's "Format error in JSON body: ..." wording.

#include <optional>
#include <string>
#include <vector>

#include "collection/operations.h"
#include "collection/query.h"
#include "common/json.h"

namespace quiver::rest {

Status FormatError(const std::string& what);

StatusOr<std::vector<PointId>> ParsePointIds(const Json& j);
StatusOr<std::optional<Filter>> ParseOptionalFilter(const Json* j);
StatusOr<PayloadSelector> ParsePayloadSelector(const Json* j, bool default_all);
StatusOr<VectorSelector> ParseVectorSelector(const Json* j, bool default_all);
// `with_vector`, or its alias `with_vectors`, of a request body (nullptr when neither is there).
const Json* WithVectorMember(const Json& body);
// `points` (list) or `batch` (columnar) of an upsert body.
StatusOr<std::vector<PointStruct>> ParseUpsertPoints(const Json& body);
// An upsert body: points plus the conditional-update members (update_filter, update_mode).
StatusOr<UpdateOperation> ParseUpsert(const Json& body);
// {points: [ids]} or {filter: {...}} of delete and payload bodies.
StatusOr<PointSelector> ParsePointSelector(const Json& body);
// One element of `POST /points/batch`'s `operations`.
StatusOr<UpdateOperation> ParseBatchOperation(const Json& op);
// Bodies of the individual write routes.
StatusOr<UpdateOperation> ParseSetPayload(const Json& body, UpdateOperation::Kind kind);
StatusOr<UpdateOperation> ParseDeletePayload(const Json& body);
StatusOr<UpdateOperation> ParseUpdateVectors(const Json& body);
StatusOr<UpdateOperation> ParseDeleteVectors(const Json& body);
StatusOr<UpdateOperation> ParseDeletePoints(const Json& body);

// Optional typed members.
StatusOr<size_t> ReadSize(const Json& body, const char* field, size_t fallback);
StatusOr<std::optional<std::string>> ReadString(const Json& body, const char* field);

// The universal query and the legacy search / recommend / discover bodies.
StatusOr<QueryRequest> ParseQueryRequest(const Json& body);
StatusOr<QueryRequest> ParseSearchRequest(const Json& body);
StatusOr<QueryRequest> ParseRecommendRequest(const Json& body);
StatusOr<QueryRequest> ParseDiscoverRequest(const Json& body);
StatusOr<OrderBy> ParseOrderBy(const Json& j);

}  // namespace quiver::rest
