// HnswIndex::AddPayloadLinks: Qdrant's payload_m. The points sharing one keyword value get a
// small HNSW graph of their own (built exactly like the main one, with m = payload_m / 2 so that
// its layer 0 holds up to payload_m links), and its layer-0 links are added to the main graph as
// extra layer-0 links. A search filtered to that value then finds its points connected to each
// other even when they are rare and far apart in the main graph.

#include <algorithm>

#include "index/hnsw.h"
#include "index/hnsw_graph.h"

namespace quiver::index {

void HnswIndex::AddPayloadLinks(const std::vector<uint32_t>& ids, uint32_t payload_m) {
  Impl& g = *impl_;
  std::vector<uint32_t> group;
  group.reserve(ids.size());
  for (uint32_t id : ids) {
    if (id < g.n) group.push_back(id);
  }
  std::sort(group.begin(), group.end());
  group.erase(std::unique(group.begin(), group.end()), group.end());
  if (group.size() < 2 || payload_m == 0) return;
  if (g.extra.empty()) g.extra.resize(g.n);

  // Adds the link from -> to unless from already has it (in layer 0 or as an extra link).
  const auto add_link = [&g](uint32_t from, uint32_t to) {
    const uint32_t* slots = g.Links(from, 0);
    const uint32_t* end = slots + internal::CountLinks(slots, g.m0);
    if (from == to || std::find(slots, end, to) != end) return;
    std::vector<uint32_t>& extra = g.extra[from];
    if (std::find(extra.begin(), extra.end(), to) == extra.end()) extra.push_back(to);
  };

  if (group.size() <= size_t{payload_m} + 1) {  // a clique is within the budget
    for (uint32_t from : group) {
      for (uint32_t to : group) add_link(from, to);
    }
    return;
  }

  std::vector<float> data(group.size() * g.dim);
  for (size_t i = 0; i < group.size(); ++i) {
    std::copy_n(g.Vector(group[i]), g.dim, data.begin() + static_cast<ptrdiff_t>(i * g.dim));
  }
  HnswParams sub = g.params;
  sub.m = std::max<uint32_t>(2, payload_m / 2);
  const std::unique_ptr<HnswIndex> subgraph =
      Build(data.data(), group.size(), g.dim, g.metric, sub);
  const Impl& s = *subgraph->impl_;
  for (uint32_t local = 0; local < group.size(); ++local) {
    const uint32_t* slots = s.Links(local, 0);
    const uint32_t count = std::min(internal::CountLinks(slots, s.m0), payload_m);
    for (uint32_t i = 0; i < count; ++i) add_link(group[local], group[slots[i]]);
  }
}

}  // namespace quiver::index
