#include "auth/authorize.h"

#include <string>

namespace quiver::auth {
namespace {

// Where the right is checked, as in Qdrant: Access::check_global_access (kGlobal),
// check_collection_access / check_point_op (kCollection), or not at all (kNone: open routes, and
// listings that filter their answer instead of refusing).
enum class Scope { kNone, kGlobal, kCollection, kEachGivenCollection };

// Qdrant's AccessRequirements: write, manage (implies write), extras (snapshots, payload
// indexes, collection cluster info: refused to prw grants).
struct Requirement {
  Scope scope;
  bool write = false;
  bool manage = false;
  bool extras = false;
};

constexpr Requirement kOpen{Scope::kNone};
constexpr Requirement kGlobalRead{Scope::kGlobal};
constexpr Requirement kGlobalManage{Scope::kGlobal, false, true, false};
constexpr Requirement kCollectionRead{Scope::kCollection};
constexpr Requirement kCollectionWrite{Scope::kCollection, true, false, false};
constexpr Requirement kCollectionExtras{Scope::kCollection, false, false, true};
constexpr Requirement kCollectionWriteExtras{Scope::kCollection, true, false, true};
constexpr Requirement kCollectionManageExtras{Scope::kCollection, true, true, true};

// THE access table. Each line names the Qdrant check it mirrors (paths in qdrant/qdrant).
// No default: a new Operation does not compile (-Wswitch -Werror) until it has a row.
Requirement RequirementOf(Operation op) {
  switch (op) {
    // Whitelisted routes (src/actix/mod.rs api_key_whitelist).
    case Operation::kServiceInfo:
    case Operation::kHealthCheck: return kOpen;
    // toc.all_collections(access): filters, never refuses.
    case Operation::kListCollections: return kOpen;
    // telemetry.rs: any credential; collections telemetry is filtered by access.
    case Operation::kTelemetry: return kOpen;
    // do_list_aliases filters; do_list_collection_aliases checks the collection (read).
    case Operation::kListAliases: return {Scope::kEachGivenCollection};
    // collections.rs do_get_collection / do_collection_exists.
    case Operation::kGetCollection: return kCollectionRead;
    // ops_checks.rs check_collection_meta_operation: Create/Update/DeleteCollection and
    // ChangeAliases need global manage.
    case Operation::kCreateCollection:
    case Operation::kUpdateCollection:
    case Operation::kDeleteCollection:
    case Operation::kUpdateAliases: return kGlobalManage;
    // CreatePayloadIndex / DropPayloadIndex meta operations: write().extras().
    case Operation::kCreatePayloadIndex:
    case Operation::kDeletePayloadIndex: return kCollectionWriteExtras;
    // CollectionUpdateOperations::{Point,Vector,Payload}Operation: write.
    case Operation::kUpsertPoints:
    case Operation::kUpdatePoints: return kCollectionWrite;
    // Point/Search/Recommend/Discover/Query/Group/Count/Scroll/Facet/Matrix requests: read,
    // plus lookup collections granted (check_lookup_from, check_with_lookup, prefetch).
    case Operation::kRetrievePoints:
    case Operation::kScrollPoints:
    case Operation::kCountPoints:
    case Operation::kSearchPoints:
    case Operation::kFacet: return kCollectionRead;
    // collections.rs do_list_snapshots (extras), do_create_snapshot (write().extras());
    // snapshots/mod.rs do_delete_collection_snapshot (write().extras());
    // snapshot_api.rs get_snapshot (extras).
    case Operation::kListSnapshots:
    case Operation::kDownloadSnapshot: return kCollectionExtras;
    case Operation::kCreateSnapshot:
    case Operation::kDeleteSnapshot: return kCollectionWriteExtras;
    // snapshot_api.rs upload: ActixAccessManage (global manage, before the body is read);
    // snapshots/recover.rs: global manage.
    case Operation::kUploadSnapshot:
    case Operation::kRecoverSnapshot: return kGlobalManage;
    // snapshots/mod.rs do_list_full_snapshots (global), do_create_full_snapshot and
    // do_delete_full_snapshot (global manage); snapshot_api.rs get_full_snapshot (global).
    case Operation::kListFullSnapshots:
    case Operation::kDownloadFullSnapshot: return kGlobalRead;
    case Operation::kCreateFullSnapshot:
    case Operation::kDeleteFullSnapshot: return kGlobalManage;
    // cluster_api.rs cluster_status (global), recover_current_peer / remove_peer (manage).
    case Operation::kClusterInfo: return kGlobalRead;
    case Operation::kUpdateClusterSetup: return kGlobalManage;
    // collections.rs do_get_collection_cluster (extras), do_update_collection_cluster
    // (write().manage().extras()).
    case Operation::kCollectionClusterInfo: return kCollectionExtras;
    case Operation::kUpdateCollectionCluster: return kCollectionManageExtras;
    // service_api.rs metrics (global); audit_api.rs get_audit_logs (global manage).
    case Operation::kMetrics: return kGlobalRead;
    case Operation::kAuditLogs: return kGlobalManage;
    // issues_api.rs get_issues (any credential; filtered), clear_issues (global manage).
    case Operation::kListIssues: return kOpen;
    case Operation::kClearIssues: return kGlobalManage;
    // service_api.rs get_logger_config (global), update_logger_config (global manage).
    case Operation::kGetLogger: return kGlobalRead;
    case Operation::kUpdateLogger: return kGlobalManage;
    // collections_api.rs get_optimizations: check_collection_access(AccessRequirements::new()).
    case Operation::kGetOptimizations: return kCollectionRead;
  }
  return kGlobalManage;  // unreachable for valid enumerators; fail closed
}

Status Forbidden(const std::string& reason) {
  return Status(StatusCode::kPermissionDenied, "Forbidden: " + reason);
}

// GlobalAccessMode::meets_requirements.
Status CheckGlobalMode(Access::Global global, const Requirement& req) {
  if ((req.write || req.manage) && global != Access::Global::kManage) {
    return Forbidden("Global manage access is required");
  }
  return Status::Ok();
}

// CollectionAccessList::find_view followed by CollectionAccessView::meets_requirements; the order
// of the checks (extras, write, manage) decides which reason a token sees.
Status CheckGrant(const Access& access, const std::string& collection, const Requirement& req) {
  const CollectionAccess* grant = access.Find(collection);
  if (grant == nullptr) return Forbidden("Access to collection " + collection + " is required");
  if (req.extras && *grant == CollectionAccess::kPointsReadWrite) {
    return Forbidden("Only points access is allowed for collection " + collection);
  }
  if (req.write && *grant == CollectionAccess::kRead) {
    return Forbidden("Write access to collection " + collection + " is required");
  }
  if (req.manage) return Forbidden("Manage access for this operation is required");
  return Status::Ok();
}

}  // namespace

Status Authorize(const Access& access, Operation op, const std::vector<std::string>& collections) {
  const Requirement req = RequirementOf(op);
  const bool global = access.global != Access::Global::kNone;
  switch (req.scope) {
    case Scope::kNone:
      return Status::Ok();
    case Scope::kGlobal:
      if (!global) return Forbidden("Global access is required");
      return CheckGlobalMode(access.global, req);
    case Scope::kEachGivenCollection:
      if (global) return Status::Ok();
      for (const std::string& c : collections) QUIVER_RETURN_IF_ERROR(CheckGrant(access, c, req));
      return Status::Ok();
    case Scope::kCollection:
      if (collections.empty()) {
        return Status(StatusCode::kInternal,
                      std::string("no collection given for ") + OperationName(op));
      }
      if (global) return CheckGlobalMode(access.global, req);
      QUIVER_RETURN_IF_ERROR(CheckGrant(access, collections[0], req));
      // Collections read in passing need only be granted (Qdrant: find_view, any mode).
      for (size_t i = 1; i < collections.size(); ++i) {
        QUIVER_RETURN_IF_ERROR(CheckGrant(access, collections[i], kCollectionRead));
      }
      return Status::Ok();
  }
  return Forbidden("Global manage access is required");  // unreachable; fail closed
}

bool CanSee(const Access& access, const std::string& collection) {
  return access.global != Access::Global::kNone || access.Find(collection) != nullptr;
}

}  // namespace quiver::auth
