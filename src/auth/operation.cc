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
  }
  return "unknown";
}

}  // namespace quiver
