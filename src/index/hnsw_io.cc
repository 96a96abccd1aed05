// HnswIndex::Save / Load (being written).

#include "index/hnsw.h"
#include "index/hnsw_graph.h"

namespace quiver::index {

Status HnswIndex::Save(const std::string& path) const {
  return Internal("HnswIndex::Save: not written yet (" + path + ")");
}

StatusOr<std::unique_ptr<HnswIndex>> HnswIndex::Load(const std::string& path) {
  return Internal("HnswIndex::Load: not written yet (" + path + ")");
}

}  // namespace quiver::index
