// PayloadIndexes and filters: binding text conditions, candidate slots, cardinality estimates.
#include <algorithm>
#include <cmath>

#include "collection/payload_indexes.h"
#include "collection/point_id.h"
#include "index/payload_index_ordered.h"
#include "index/payload_index_text.h"

namespace quiver {

struct PayloadIndexes::FieldHit {
  index::Bitmap slots;
  bool exact = false;  // slots are exactly the condition's matches (else a superset)
};

namespace {

using index::FieldType;

class BoundText final : public TextMatcher {
 public:
  explicit BoundText(index::TextQuery query) : query_(std::move(query)) {}
  bool Matches(std::string_view value) const override { return query_.Matches(value); }

 private:
  index::TextQuery query_;
};

index::TextQuery::Kind TextKindOf(Match::Kind k) {
  if (k == Match::Kind::kTextAny) return index::TextQuery::Kind::kAnyToken;
  if (k == Match::Kind::kPhrase) return index::TextQuery::Kind::kPhrase;
  return index::TextQuery::Kind::kAllTokens;
}

bool IsTextMatch(const Match& m) {
  return m.kind == Match::Kind::kText || m.kind == Match::Kind::kTextAny ||
         m.kind == Match::Kind::kPhrase;
}

PayloadPath Join(const PayloadPath* prefix, const PayloadPath& key) {
  if (prefix == nullptr) return key;
  PayloadPath out = *prefix;
  out.items.insert(out.items.end(), key.items.begin(), key.items.end());
  return out;
}

// UUID strings in the index's canonical form (strings that are no UUID are left out).
std::vector<std::string> CanonicalUuids(const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  for (const std::string& t : texts) {
    auto id = PointId::FromString(t);
    if (id.ok() && id->is_uuid) out.push_back(id->ToString());
  }
  return out;
}

template <typename T>
index::Bounds<T> BoundsOf(const RangeBounds<T>& r) {
  index::Bounds<T> b;
  if (r.gt) b.gt = &*r.gt;
  if (r.gte) b.gte = &*r.gte;
  if (r.lt) b.lt = &*r.lt;
  if (r.lte) b.lte = &*r.lte;
  return b;
}

// Qdrant's estimate combinators (query_optimization / estimations.rs).
CardinalityEstimate Unknown(uint64_t total) { return {0, total / 2, total}; }
CardinalityEstimate Exact(uint64_t n) { return {n, n, n}; }

CardinalityEstimate CombineMust(const std::vector<CardinalityEstimate>& parts, uint64_t total) {
  if (parts.empty()) return Exact(total);
  if (total == 0) return Exact(0);
  double exp = static_cast<double>(total);
  uint64_t max = total, min_sum = 0;
  for (const auto& p : parts) {
    exp *= static_cast<double>(p.exp) / static_cast<double>(total);
    max = std::min(max, p.max);
    min_sum += p.min;
  }
  uint64_t slack = (parts.size() - 1) * total;
  uint64_t min = std::min(min_sum > slack ? min_sum - slack : 0, max);
  return {min, std::clamp(static_cast<uint64_t>(std::llround(exp)), min, max), max};
}

CardinalityEstimate CombineShould(const std::vector<CardinalityEstimate>& parts, uint64_t total) {
  if (total == 0) return Exact(0);
  double none = 1.0;
  uint64_t min = 0, max_sum = 0;
  for (const auto& p : parts) {
    none *= 1.0 - static_cast<double>(p.exp) / static_cast<double>(total);
    min = std::max(min, p.min);
    max_sum += p.max;
  }
  uint64_t max = std::min(total, max_sum);
  uint64_t e = static_cast<uint64_t>(std::llround(static_cast<double>(total) * (1.0 - none)));
  return {min, std::clamp(e, min, max), max};
}

CardinalityEstimate Invert(const CardinalityEstimate& c, uint64_t total) {
  return {total - std::min(total, c.max), total - std::min(total, c.exp),
          total - std::min(total, c.min)};
}

}  // namespace

// ---- binding ----

namespace {

// Binds in place; returns whether anything changed. `prefix`: the path of the enclosing nested
// conditions (their conditions' keys are relative to one array element).
struct Binder {
  const PayloadIndexes& indexes;

  bool BindCondition(Condition* c, const PayloadPath* prefix) const {
    if (auto* fc = std::get_if<FieldCondition>(c)) {
      if (!fc->match || !IsTextMatch(*fc->match)) return false;
      const PayloadIndexes::Field* f = indexes.FindPath(Join(prefix, fc->key));
      if (f == nullptr || f->index->type() != FieldType::kText) return false;
      const auto& text = static_cast<const index::TextIndex&>(*f->index);
      fc->match->text_index = std::make_shared<BoundText>(
          index::TextQuery(text.tokenizer(), TextKindOf(fc->match->kind), fc->match->text));
      return true;
    }
    if (auto* nested = std::get_if<NestedCondition>(c)) {
      PayloadPath inner = Join(prefix, nested->key);
      Filter copy = *nested->filter;
      if (!BindFilter(&copy, &inner)) return false;
      nested->filter = std::make_shared<const Filter>(std::move(copy));
      return true;
    }
    if (auto* sub = std::get_if<std::shared_ptr<const Filter>>(c)) {
      Filter copy = **sub;
      if (!BindFilter(&copy, prefix)) return false;
      *sub = std::make_shared<const Filter>(std::move(copy));
      return true;
    }
    return false;
  }

  bool BindList(std::optional<std::vector<Condition>>* list, const PayloadPath* prefix) const {
    bool changed = false;
    if (*list) {
      for (Condition& c : **list) changed |= BindCondition(&c, prefix);
    }
    return changed;
  }

  bool BindFilter(Filter* f, const PayloadPath* prefix) const {
    bool changed = BindList(&f->must, prefix);
    changed |= BindList(&f->should, prefix);
    changed |= BindList(&f->must_not, prefix);
    if (f->min_should) {
      for (Condition& c : f->min_should->conditions) changed |= BindCondition(&c, prefix);
    }
    return changed;
  }
};

}  // namespace

std::shared_ptr<const Filter> PayloadIndexes::Bind(const Filter& filter) const {
  bool any_text = std::any_of(fields_.begin(), fields_.end(),
                              [](const Field& f) { return f.index->type() == FieldType::kText; });
  if (!any_text) return nullptr;
  Filter copy = filter;
  if (!Binder{*this}.BindFilter(&copy, nullptr)) return nullptr;
  return std::make_shared<const Filter>(std::move(copy));
}

// ---- candidates ----

std::optional<PayloadIndexes::FieldHit> PayloadIndexes::FieldCandidates(
    const FieldCondition& c) const {
  // values_count, is_empty and is_null decide alone and look at raw values: not indexed.
  if (c.values_count || c.is_empty || c.is_null) return std::nullopt;
  const Field* f = FindPath(c.key);
  if (f == nullptr) return std::nullopt;
  const index::FieldIndex& idx = *f->index;
  FieldType type = idx.type();
  const auto* keyword = dynamic_cast<const index::KeywordIndex*>(&idx);
  const auto* integer = dynamic_cast<const index::IntegerIndex*>(&idx);
  // A superset: the index's answer plus every slot holding a value it could not store.
  auto with_unindexed = [&](index::Bitmap b) {
    bool exact = idx.unindexed().isEmpty();
    b |= idx.unindexed();
    return FieldHit{std::move(b), exact};
  };

  std::optional<FieldHit> acc;
  bool declined = false;
  auto add = [&](std::optional<FieldHit> hit) {
    if (!hit) {
      declined = true;
    } else if (!acc) {
      acc = std::move(hit);
    } else {
      acc->slots |= hit->slots;
      acc->exact = acc->exact && hit->exact;
    }
  };

  if (c.match) {
    const Match& m = *c.match;
    std::optional<FieldHit> hit;
    if (m.kind == Match::Kind::kValue) {
      if (m.value_type == Match::ValueType::kString && type == FieldType::kKeyword) {
        hit = FieldHit{keyword->Find(m.text), true};
      } else if (m.value_type == Match::ValueType::kString && type == FieldType::kUuid) {
        hit = with_unindexed(keyword->FindAny(CanonicalUuids({m.text})));
        hit->exact = false;  // "A0..." and "a0..." are one UUID but different strings
      } else if (m.value_type == Match::ValueType::kInteger && integer && f->lookup) {
        hit = FieldHit{integer->Find(m.int_value), true};
      } else if (m.value_type == Match::ValueType::kBool && type == FieldType::kBool) {
        hit = FieldHit{static_cast<const index::BoolIndex&>(idx).Find(m.bool_value), true};
      }
    } else if (m.kind == Match::Kind::kAny) {
      if (!m.integers && type == FieldType::kKeyword) {
        hit = FieldHit{keyword->FindAny(m.strings), true};
      } else if (!m.integers && type == FieldType::kUuid) {
        hit = with_unindexed(keyword->FindAny(CanonicalUuids(m.strings)));
        hit->exact = false;
      } else if (m.integers && integer && f->lookup) {
        hit = FieldHit{integer->FindAny(m.ints), true};
      }
    } else if (IsTextMatch(m) && type == FieldType::kText) {
      const auto& text = static_cast<const index::TextIndex&>(idx);
      index::TextQuery q(text.tokenizer(), TextKindOf(m.kind), m.text);
      hit = FieldHit{q.Candidates(text), false};  // per point, while matching is per value
    }
    add(std::move(hit));
  }
  if (c.range) {
    if (integer && f->range) {
      add(with_unindexed(integer->Range(BoundsOf(*c.range))));
    } else if (type == FieldType::kFloat) {
      add(FieldHit{static_cast<const index::FloatIndex&>(idx).Range(BoundsOf(*c.range)), true});
    } else {
      add(std::nullopt);
    }
  }
  if (c.datetime_range) {
    if (type == FieldType::kDatetime) {
      RangeBounds<index::DatetimeKey> r;
      const auto& d = *c.datetime_range;
      if (d.gt) r.gt = ToDatetimeKey(*d.gt);
      if (d.gte) r.gte = ToDatetimeKey(*d.gte);
      if (d.lt) r.lt = ToDatetimeKey(*d.lt);
      if (d.lte) r.lte = ToDatetimeKey(*d.lte);
      add(FieldHit{static_cast<const index::DatetimeIndex&>(idx).Range(BoundsOf(r)), true});
    } else {
      add(std::nullopt);
    }
  }
  if (c.geo_bounding_box || c.geo_radius || c.geo_polygon) {
    if (type != FieldType::kGeo) return std::nullopt;
    const auto& geo = static_cast<const index::GeoIndex&>(idx);
    auto point = [](const index::GeoKey& k) { return GeoPoint{k.lon, k.lat}; };
    if (const auto& box = c.geo_bounding_box) {
      add(FieldHit{geo.Within(box->bottom_right.lat, box->top_left.lat,
                              [&](const index::GeoKey& k) { return box->Contains(point(k)); }),
                   true});
    }
    if (const auto& circle = c.geo_radius) {
      // Haversine distance >= R * |delta latitude|: nothing outside this band is in range.
      constexpr double kMetersPerDegree = 6371008.8 * M_PI / 180.0;
      double band = circle->radius_m / kMetersPerDegree * 1.0001 + 1e-9;
      add(FieldHit{geo.Within(circle->center.lat - band, circle->center.lat + band,
                              [&](const index::GeoKey& k) { return circle->Contains(point(k)); }),
                   true});
    }
    if (const auto& poly = c.geo_polygon) {
      double lo = INFINITY, hi = -INFINITY;
      for (const GeoPoint& p : poly->exterior) {
        lo = std::min(lo, p.lat);
        hi = std::max(hi, p.lat);
      }
      add(FieldHit{
          geo.Within(lo, hi, [&](const index::GeoKey& k) { return poly->Contains(point(k)); }),
          true});
    }
  }
  if (declined) return std::nullopt;
  return acc;
}

std::optional<PayloadIndexes::FieldHit> PayloadIndexes::ConditionCandidates(
    const Condition& c, const SlotOf& slot_of) const {
  if (const auto* fc = std::get_if<FieldCondition>(&c)) return FieldCandidates(*fc);
  if (const auto* has_id = std::get_if<HasIdCondition>(&c)) {
    FieldHit hit{index::Bitmap(), true};
    for (const PointId& id : has_id->ids) {
      if (auto slot = slot_of(id)) hit.slots.add(*slot);
    }
    return hit;
  }
  if (const auto* sub = std::get_if<std::shared_ptr<const Filter>>(&c)) {
    auto slots = FilterCandidates(**sub, slot_of);
    if (!slots) return std::nullopt;
    return FieldHit{std::move(*slots), false};
  }
  return std::nullopt;
}

std::optional<index::Bitmap> PayloadIndexes::FilterCandidates(const Filter& f,
                                                              const SlotOf& slot_of) const {
  std::optional<index::Bitmap> acc;
  auto narrow = [&](index::Bitmap b) {
    if (!acc)
      acc = std::move(b);
    else
      *acc &= b;
  };
  if (f.must) {
    for (const Condition& c : *f.must) {
      if (auto hit = ConditionCandidates(c, slot_of)) narrow(std::move(hit->slots));
    }
  }
  // An empty `should` is no constraint here (top-level semantics); nested filters never get here.
  if (f.should && !f.should->empty()) {
    index::Bitmap any;
    bool all_indexed = true;
    for (const Condition& c : *f.should) {
      auto hit = ConditionCandidates(c, slot_of);
      if (!hit) {
        all_indexed = false;
        break;
      }
      any |= hit->slots;
    }
    if (all_indexed) narrow(std::move(any));
  }
  return acc;
}

std::optional<index::Bitmap> PayloadIndexes::Candidates(const Filter& filter,
                                                        const SlotOf& slot_of) const {
  return FilterCandidates(filter, slot_of);
}

// ---- estimates ----

CardinalityEstimate PayloadIndexes::EstimateCondition(const Condition& c, uint64_t total,
                                                      const SlotOf& slot_of) const {
  if (const auto* sub = std::get_if<std::shared_ptr<const Filter>>(&c)) {
    return EstimateFilter(**sub, total, slot_of);
  }
  if (std::holds_alternative<FieldCondition>(c) || std::holds_alternative<HasIdCondition>(c)) {
    if (auto hit = ConditionCandidates(c, slot_of)) {
      uint64_t n = std::min<uint64_t>(hit->slots.cardinality(), total);
      return hit->exact ? Exact(n) : CardinalityEstimate{0, n, n};
    }
  }
  return Unknown(total);
}

CardinalityEstimate PayloadIndexes::EstimateFilter(const Filter& f, uint64_t total,
                                                   const SlotOf& slot_of) const {
  std::vector<CardinalityEstimate> parts;
  if (f.must) {
    for (const Condition& c : *f.must) parts.push_back(EstimateCondition(c, total, slot_of));
  }
  auto should_of = [&](const std::vector<Condition>& conditions) {
    std::vector<CardinalityEstimate> any;
    for (const Condition& c : conditions) any.push_back(EstimateCondition(c, total, slot_of));
    return CombineShould(any, total);
  };
  if (f.should && !f.should->empty()) parts.push_back(should_of(*f.should));
  if (f.min_should) {
    CardinalityEstimate any = should_of(f.min_should->conditions);
    if (f.min_should->min_count > 1) any.min = 0;
    parts.push_back(any);
  }
  if (f.must_not) {
    for (const Condition& c : *f.must_not) {
      parts.push_back(Invert(EstimateCondition(c, total, slot_of), total));
    }
  }
  return CombineMust(parts, total);
}

CardinalityEstimate PayloadIndexes::Estimate(const Filter& filter, uint64_t total,
                                             const SlotOf& slot_of) const {
  return EstimateFilter(filter, total, slot_of);
}

}  // namespace quiver
