#pragma once
// Operation: what a request does, independent of the front end that received it. The access
// layer decides from this (and the collection names involved) whether a credential may do it;
// the one table of which access each operation needs lives with the access layer.

namespace quiver {

enum class Operation {
  kServiceInfo,      // GET /
  kHealthCheck,      // /healthz, /livez, /readyz: open even when keys are configured
  kListCollections,
  kGetCollection,
  kCreateCollection,
  kUpdateCollection,
  kDeleteCollection,
  kUpdateAliases,
  kListAliases,
  kCreatePayloadIndex,
  kDeletePayloadIndex,
  kUpsertPoints,
  kUpdatePoints,     // delete points, payload and vector changes, batch
  kRetrievePoints,
  kScrollPoints,
  kCountPoints,
  kSearchPoints,     // query, search, recommend, discover, groups, matrix
  kFacet,
};

const char* OperationName(Operation op);

}  // namespace quiver
