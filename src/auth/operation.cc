#include "auth/operation.h"

namespace quiver {

const char* OperationName(Operation op) {
  switch (op) {
    case Operation::kServiceInfo: return "service_info";
    case Operation::kHealthCheck: return "health_check";
    case Operation::kListCollections: return "list_collections";
    case Operation::kGetCollection: return "get_collection";
    case Operation::kCreateCollection: return "create_collection";
    case Operation::kUpdateCollection: return "update_collection";
    case Operation::kDeleteCollection: return "delete_collection";
    case Operation::kUpdateAliases: return "update_aliases";
    case Operation::kListAliases: return "list_aliases";
    case Operation::kCreatePayloadIndex: return "create_payload_index";
    case Operation::kDeletePayloadIndex: return "delete_payload_index";
    case Operation::kUpsertPoints: return "upsert_points";
    case Operation::kUpdatePoints: return "update_points";
    case Operation::kRetrievePoints: return "retrieve_points";
    case Operation::kScrollPoints: return "scroll_points";
    case Operation::kCountPoints: return "count_points";
    case Operation::kSearchPoints: return "search_points";
    case Operation::kFacet: return "facet";
    case Operation::kListSnapshots: return "list_snapshots";
    case Operation::kCreateSnapshot: return "create_snapshot";
    case Operation::kDeleteSnapshot: return "delete_snapshot";
    case Operation::kDownloadSnapshot: return "download_snapshot";
    case Operation::kUploadSnapshot: return "upload_snapshot";
    case Operation::kRecoverSnapshot: return "recover_snapshot";
    case Operation::kListFullSnapshots: return "list_full_snapshots";
    case Operation::kCreateFullSnapshot: return "create_full_snapshot";
    case Operation::kDeleteFullSnapshot: return "delete_full_snapshot";
    case Operation::kDownloadFullSnapshot: return "download_full_snapshot";
    case Operation::kClusterInfo: return "cluster_info";
    case Operation::kUpdateClusterSetup: return "update_cluster_setup";
    case Operation::kCollectionClusterInfo: return "collection_cluster_info";
    case Operation::kUpdateCollectionCluster: return "update_collection_cluster";
    case Operation::kMetrics: return "metrics";
    case Operation::kTelemetry: return "telemetry";
    case Operation::kListIssues: return "issues";
    case Operation::kClearIssues: return "clear_issues";
    case Operation::kGetLogger: return "get_logger_config";
    case Operation::kUpdateLogger: return "update_logger_config";
    case Operation::kGetOptimizations: return "get_optimizations";
    case Operation::kAuditLogs: return "get_audit_logs";
  }
  return "unknown";
}

}  // namespace quiver
