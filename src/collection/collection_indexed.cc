// Collection reads that go through the payload indexes: filter preparation (text binding and
// candidate slots), cardinality estimates, facet counts and order_by iteration.
#include <algorithm>
#include <mutex>

#include "collection/collection.h"
#include "index/payload_index_ordered.h"

namespace quiver {

Collection::SlotFilter Collection::PrepareFilter(const std::optional<Filter>& filter,
                                                 bool with_candidates) const {
  SlotFilter out;
  if (!filter) return out;
  out.bound = indexes_.Bind(*filter);
  out.filter = out.bound ? out.bound.get() : &*filter;
  if (with_candidates && !indexes_.empty()) {
    out.candidates = indexes_.Candidates(*out.filter, SlotLookup());
  } else if (with_candidates) {
    // Without payload indexes, has_id conditions still narrow the scan.
    if (std::optional<std::vector<PointId>> ids = RequiredIds(*out.filter)) {
      index::Bitmap slots;
      for (const PointId& id : *ids) {
        if (auto it = offsets_.find(id); it != offsets_.end()) slots.add(it->second);
      }
      out.candidates = std::move(slots);
    }
  }
  return out;
}

bool Collection::Passes(uint32_t slot, const SlotFilter& filter) const {
  if (filter.filter == nullptr) return true;
  PointView view{slots_[slot].id, slots_[slot].payload,
                 [this, slot](std::string_view name) { return HasVector(slot, name); }};
  return Matches(*filter.filter, view);
}

bool Collection::Admits(uint32_t slot, const SlotFilter& filter) const {
  return slot < slots_.size() && slots_[slot].live &&
         (!filter.candidates || filter.candidates->contains(slot)) && Passes(slot, filter);
}

PayloadIndexes::SlotOf Collection::SlotLookup() const {
  return [this](const PointId& id) -> std::optional<uint32_t> {
    auto it = offsets_.find(id);
    if (it == offsets_.end()) return std::nullopt;
    return it->second;
  };
}

void Collection::Reindex(uint32_t slot) {
  if (indexes_.empty()) return;
  indexes_.Update(slot, slots_[slot].live ? &slots_[slot].payload : nullptr);
}

CardinalityEstimate Collection::EstimateLocked(const std::optional<Filter>& filter) const {
  uint64_t total = offsets_.size();
  if (!filter) return {total, total, total};
  return indexes_.Estimate(*filter, total, SlotLookup());
}

CardinalityEstimate Collection::EstimateCardinality(const std::optional<Filter>& filter) const {
  std::shared_lock lock(mu_);
  return EstimateLocked(filter);
}

// ---- order_by ----

void Collection::ForEachOrderedValue(const std::string& key, bool descending,
                                     const std::function<bool(double, uint32_t)>& fn) const {
  const PayloadIndexes::Field* field = indexes_.Find(key);
  if (field == nullptr) return;
  const index::FieldIndex* idx = field->index.get();
  if (const auto* ints = dynamic_cast<const index::IntegerIndex*>(idx)) {
    ints->ForEachOrdered(descending,
                         [&](int64_t k, uint32_t s) { return fn(static_cast<double>(k), s); });
  } else if (const auto* floats = dynamic_cast<const index::FloatIndex*>(idx)) {
    floats->ForEachOrdered(descending, fn);
  } else if (const auto* times = dynamic_cast<const index::DatetimeIndex*>(idx)) {
    // Datetimes order as seconds since the epoch (what order_value reports).
    times->ForEachOrdered(descending, [&](const index::DatetimeKey& k, uint32_t s) {
      return fn(static_cast<double>(k.seconds) + k.nanos * 1e-9, s);
    });
  }
}

StatusOr<ScrollResult> Collection::ScrollOrdered(const std::optional<Filter>& filter, size_t limit,
                                                 const OrderBy& order_by,
                                                 const PayloadSelector& with_payload,
                                                 const VectorSelector& with_vector) const {
  QUIVER_RETURN_IF_ERROR(PayloadPath::Parse(order_by.key).status());
  QUIVER_RETURN_IF_ERROR(CheckRangeIndex(order_by.key));
  ScrollResult result;
  if (limit == 0) return result;
  SlotFilter sf = PrepareFilter(filter);
  // The index yields (value, slot) in order; a point with several values appears once per value, as
  // in Qdrant. Stop after `limit` entries and the ties of the last one.
  std::vector<std::pair<double, uint32_t>> ordered;
  ForEachOrderedValue(order_by.key, order_by.descending, [&](double v, uint32_t s) {
    if (ordered.size() >= limit && v != ordered.back().first) return false;
    if (order_by.start_from &&
        (order_by.descending ? v > *order_by.start_from : v < *order_by.start_from)) {
      return true;
    }
    if (Admits(s, sf)) ordered.emplace_back(v, s);
    return true;
  });
  auto less = [&](const auto& a, const auto& b) {
    if (a.first != b.first) return order_by.descending ? a.first > b.first : a.first < b.first;
    return slots_[a.second].id < slots_[b.second].id;
  };
  std::sort(ordered.begin(), ordered.end(), less);
  for (size_t i = 0; i < ordered.size() && i < limit; ++i) {
    PointOut p = Render(ordered[i].second, with_payload, with_vector);
    double v = ordered[i].first;
    p.order_value = (v == static_cast<int64_t>(v)) ? Json(static_cast<int64_t>(v)) : Json(v);
    result.points.push_back(std::move(p));
  }
  return result;
}

// ---- facet ----

StatusOr<std::vector<FacetHit>> Collection::Facet(const std::string& key,
                                                  const std::optional<Filter>& filter,
                                                  size_t limit) const {
  std::shared_lock lock(mu_);
  const PayloadIndexes::Field* field = indexes_.Find(key);
  index::FieldType type = field ? field->index->type() : index::FieldType::kText;
  if (type != index::FieldType::kKeyword && type != index::FieldType::kInteger &&
      type != index::FieldType::kBool && type != index::FieldType::kUuid) {
    return InvalidArgument("Bad request: Index required but not found for \"" + key +
                           "\" of one of the following types: [keyword, integer, bool, uuid]. "
                           "Help: Create an index for this key or use a different filter.");
  }
  QUIVER_RETURN_IF_ERROR(PayloadPath::Parse(key).status());
  // Each value counts the points holding it (once per point), among the matching ones.
  std::optional<index::Bitmap> matching;
  if (filter) {
    index::Bitmap m;
    ForEachMatch(PrepareFilter(filter), [&](uint32_t s) { m.add(s); });
    matching = std::move(m);
  }
  auto count = [&](const index::Bitmap& slots) {
    return matching ? slots.and_cardinality(*matching) : slots.cardinality();
  };
  std::vector<FacetHit> hits;
  const index::FieldIndex* idx = field->index.get();
  if (const auto* words = dynamic_cast<const index::KeywordIndex*>(idx)) {
    words->ForEachValue([&](const std::string& v, const index::Bitmap& slots) {
      hits.push_back({Json(v), count(slots)});
    });
  } else if (const auto* ints = dynamic_cast<const index::IntegerIndex*>(idx)) {
    std::map<int64_t, size_t> counts;
    ints->ForEachOrdered(false, [&](int64_t k, uint32_t s) {
      if (!matching || matching->contains(s)) ++counts[k];
      return true;
    });
    for (const auto& [k, n] : counts) hits.push_back({Json(k), n});
  } else if (const auto* bools = dynamic_cast<const index::BoolIndex*>(idx)) {
    hits.push_back({Json(true), count(bools->Find(true))});
    hits.push_back({Json(false), count(bools->Find(false))});
  }
  hits.erase(
      std::remove_if(hits.begin(), hits.end(), [](const FacetHit& h) { return h.count == 0; }),
      hits.end());
  std::sort(hits.begin(), hits.end(), [](const FacetHit& a, const FacetHit& b) {
    if (a.count != b.count) return a.count > b.count;
    return a.value.Dump() < b.value.Dump();
  });
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

}  // namespace quiver
