// Which collections a request touches, for access control: the path's collection and every
// collection its body names (lookup_from at any prefetch depth, with_lookup, in batches too).
// Names are taken as written: an alias must itself be granted.
#include "api/rest/rest_api.h"

namespace quiver::rest {
namespace {

void AddName(const Json* name, std::vector<std::string>* out) {
  if (name == nullptr || !name->is_string()) return;
  for (const std::string& existing : *out) {
    if (existing == name->as_string()) return;
  }
  out->push_back(name->as_string());
}

// A query-like body: lookup_from here and in its prefetches.
void AddFromQuery(const Json& body, std::vector<std::string>* out) {
  if (!body.is_object()) return;
  if (const Json* l = body.Find("lookup_from"); l && l->is_object()) AddName(l->Find("collection"), out);
  if (const Json* w = body.Find("with_lookup")) {
    AddName(w->is_string() ? w : w->Find("collection"), out);
  }
  if (const Json* p = body.Find("prefetch")) {
    if (p->is_array()) {
      for (const Json& sub : p->as_array()) AddFromQuery(sub, out);
    } else {
      AddFromQuery(*p, out);
    }
  }
}

}  // namespace

std::vector<std::string> CollectionsTouched(const RequestContext& ctx) {
  std::vector<std::string> out;
  if (auto it = ctx.path.find("collection_name"); it != ctx.path.end()) out.push_back(it->second);
  AddFromQuery(ctx.body, &out);
  if (const Json* searches = ctx.body.Find("searches"); searches && searches->is_array()) {
    for (const Json& s : searches->as_array()) AddFromQuery(s, &out);
  }
  return out;
}

}  // namespace quiver::rest
