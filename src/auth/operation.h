#pragma once
// Operation: what a request does, independent of the front end that received it (REST now, gRPC
// later). Every route is tagged with exactly one. The access layer decides from the operation and
// the collection names involved whether a credential may do it; the one table of which access each
// operation needs is RequirementOf() in auth/authorize.cc.
//
// Operations are grouped by the right Qdrant demands for them (lib/storage/src/rbac/ops_checks.rs
// and the handlers in src/actix/api/), which is why the collection-level and whole-node snapshot
// and cluster routes are separate operations.

#include <cstddef>
#include <iterator>

namespace quiver {

enum class Operation {
  kServiceInfo,      // GET /: open even when keys are configured
  kHealthCheck,      // /healthz, /livez, /readyz: open even when keys are configured
  kListCollections,  // GET /collections (lists only what the credential may see)
  kGetCollection,    // GET /collections/{c}, GET /collections/{c}/exists
  kCreateCollection,
  kUpdateCollection,
  kDeleteCollection,
  kUpdateAliases,    // POST /collections/aliases
  kListAliases,      // GET /aliases (filtered), GET /collections/{c}/aliases (c needs read)
  kCreatePayloadIndex,
  kDeletePayloadIndex,
  kUpsertPoints,
  kUpdatePoints,     // delete points, payload and vector changes, batch
  kRetrievePoints,
  kScrollPoints,
  kCountPoints,
  kSearchPoints,     // query, search, recommend, discover, groups, matrix
  kFacet,
  // Collection snapshots (and shard snapshots of a collection).
  kListSnapshots,     // GET /collections/{c}/snapshots
  kCreateSnapshot,    // POST /collections/{c}/snapshots
  kDeleteSnapshot,    // DELETE /collections/{c}/snapshots/{name}
  kDownloadSnapshot,  // GET /collections/{c}/snapshots/{name}
  kUploadSnapshot,    // POST /collections/{c}/snapshots/upload: checked before the body is read
  kRecoverSnapshot,   // PUT /collections/{c}/snapshots/recover
  // Whole-node snapshots.
  kListFullSnapshots,     // GET /snapshots
  kCreateFullSnapshot,    // POST /snapshots
  kDeleteFullSnapshot,    // DELETE /snapshots/{name}
  kDownloadFullSnapshot,  // GET /snapshots/{name}
  // Cluster.
  kClusterInfo,              // GET /cluster
  kUpdateClusterSetup,       // POST /cluster/recover, DELETE /cluster/peer/{id}
  kCollectionClusterInfo,    // GET /collections/{c}/cluster
  kUpdateCollectionCluster,  // POST /collections/{c}/cluster
  // Service.
  kMetrics,    // GET /metrics
  kTelemetry,  // GET /telemetry (any credential; the content is filtered by access)
  kListIssues,        // GET /issues (any credential; collection issues filtered by access)
  kClearIssues,       // DELETE /issues
  kGetLogger,         // GET /logger
  kUpdateLogger,      // POST /logger
  kGetOptimizations,  // GET /collections/{c}/optimizations
  kAuditLogs,  // POST /audit/logs
};

// Every enumerator, for tests and tables that must cover them all.
inline constexpr Operation kAllOperations[] = {
    Operation::kServiceInfo,         Operation::kHealthCheck,
    Operation::kListCollections,     Operation::kGetCollection,
    Operation::kCreateCollection,    Operation::kUpdateCollection,
    Operation::kDeleteCollection,    Operation::kUpdateAliases,
    Operation::kListAliases,         Operation::kCreatePayloadIndex,
    Operation::kDeletePayloadIndex,  Operation::kUpsertPoints,
    Operation::kUpdatePoints,        Operation::kRetrievePoints,
    Operation::kScrollPoints,        Operation::kCountPoints,
    Operation::kSearchPoints,        Operation::kFacet,
    Operation::kListSnapshots,       Operation::kCreateSnapshot,
    Operation::kDeleteSnapshot,      Operation::kDownloadSnapshot,
    Operation::kUploadSnapshot,      Operation::kRecoverSnapshot,
    Operation::kListFullSnapshots,   Operation::kCreateFullSnapshot,
    Operation::kDeleteFullSnapshot,  Operation::kDownloadFullSnapshot,
    Operation::kClusterInfo,         Operation::kUpdateClusterSetup,
    Operation::kCollectionClusterInfo, Operation::kUpdateCollectionCluster,
    Operation::kMetrics,             Operation::kTelemetry,
    Operation::kListIssues,          Operation::kClearIssues,
    Operation::kGetLogger,           Operation::kUpdateLogger,
    Operation::kGetOptimizations,    Operation::kAuditLogs,
};
static_assert(std::size(kAllOperations) == static_cast<std::size_t>(Operation::kAuditLogs) + 1,
              "kAllOperations must list every Operation");

// A stable snake_case name (audit log, metrics). Never null.
const char* OperationName(Operation op);

}  // namespace quiver
