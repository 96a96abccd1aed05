#pragma once
// Authorize: the one check of an Access against an Operation. The table of which right each
// operation needs (RequirementOf in authorize.cc) follows Qdrant's checks one for one; see the
// comments there.
//
// Call it after Authenticate() succeeded and before looking anything up, so that a scoped token
// cannot learn whether a collection exists. The REST layer skips authentication entirely for
// kHealthCheck and kServiceInfo; Authorize answers OK for them anyway.

#include <string>
#include <vector>

#include "auth/access.h"
#include "auth/operation.h"
#include "common/status.h"

namespace quiver::auth {

// collections: the collection names the request touches, as written (an alias must itself be
// granted; it is never resolved here):
//   [0]  the collection the operation acts on (the path's {collection_name});
//   [1…] collections only read in passing: `lookup_from` of recommend/discover/query, the
//        `with_lookup` collection of groups, the `lookup_from` of every (nested) prefetch.
//        These need only to be granted, in any mode (prw included), as in Qdrant.
// Operations on the whole node (create collection, aliases, full snapshots, cluster, metrics,
// audit) ignore `collections`. kListAliases checks read access to each given collection (none
// for GET /aliases, the path collection for GET /collections/{c}/aliases).
//
// Returns OK, or kPermissionDenied whose message is Qdrant's full error text, e.g.
// "Forbidden: Access to collection c is required" (StorageError::Forbidden's Display); the REST
// layer puts it unchanged into {"status":{"error":…}} with HTTP 403. Reasons:
//   Global manage access is required            global read, the op needs write or manage
//   Global access is required                   collection grants, the op is node-wide
//   Access to collection <c> is required        <c> not granted
//   Only points access is allowed for collection <c>   prw, op touches snapshots/indexes/cluster
//   Write access to collection <c> is required  r, op writes
//   Manage access for this operation is required       rw, op needs manage (collection cluster)
// kInternal when a collection-scoped operation is given no collection (a caller bug).
[[nodiscard]] Status Authorize(const Access& access, Operation op,
                               const std::vector<std::string>& collections);

// Whether `collection` (a collection or alias name) may appear in GET /collections and
// GET /aliases for this access: any global right, or any grant on that exact name. An alias is
// listed only when both the alias and its collection are visible.
bool CanSee(const Access& access, const std::string& collection);

}  // namespace quiver::auth
