#include "index/payload_index.h"

#include <algorithm>
#include <cmath>

#include "index/payload_index_ordered.h"

namespace quiver::index {

void FieldIndex::Set(uint32_t slot, const FieldValues& values) {
  Erase(slot);
  indexed_.remove(slot);
  unindexed_.remove(slot);
  if (Insert(slot, values)) indexed_.add(slot);
  if (values.other) unindexed_.add(slot);
}

// ---- keyword ----

Bitmap KeywordIndex::Find(const std::string& value) const {
  auto it = postings_.find(value);
  return it == postings_.end() ? Bitmap() : it->second;
}

Bitmap KeywordIndex::FindAny(const std::vector<std::string>& values) const {
  Bitmap out;
  for (const std::string& v : values) {
    if (auto it = postings_.find(v); it != postings_.end()) out |= it->second;
  }
  return out;
}

bool KeywordIndex::Insert(uint32_t slot, const FieldValues& values) {
  std::vector<std::string> distinct = values.strings;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.empty()) return false;
  for (const std::string& v : distinct) postings_[v].add(slot);
  if (by_slot_.size() <= slot) by_slot_.resize(size_t{slot} + 1);
  by_slot_[slot] = std::move(distinct);
  return true;
}

void KeywordIndex::Erase(uint32_t slot) {
  if (slot >= by_slot_.size()) return;
  for (const std::string& v : by_slot_[slot]) {
    auto it = postings_.find(v);
    if (it == postings_.end()) continue;
    it->second.remove(slot);
    if (it->second.isEmpty()) postings_.erase(it);
  }
  by_slot_[slot].clear();
  by_slot_[slot].shrink_to_fit();
}

// ---- bool ----

bool BoolIndex::Insert(uint32_t slot, const FieldValues& values) {
  for (bool b : values.bools) (b ? trues_ : falses_).add(slot);
  return !values.bools.empty();
}

void BoolIndex::Erase(uint32_t slot) {
  trues_.remove(slot);
  falses_.remove(slot);
}

// ---- geo ----

Bitmap GeoIndex::Within(double lat_min, double lat_max,
                        const std::function<bool(const GeoKey&)>& contains) const {
  std::vector<uint32_t> slots;
  auto it = by_lat_.lower_bound({lat_min, -INFINITY, 0});
  for (; it != by_lat_.end() && std::get<0>(*it) <= lat_max; ++it) {
    GeoKey p{std::get<1>(*it), std::get<0>(*it)};
    if (contains(p)) slots.push_back(std::get<2>(*it));
  }
  Bitmap out;
  out.addMany(slots.size(), slots.data());
  return out;
}

bool GeoIndex::Insert(uint32_t slot, const FieldValues& values) {
  if (values.geos.empty()) return false;
  for (const GeoKey& p : values.geos) by_lat_.insert({p.lat, p.lon, slot});
  if (by_slot_.size() <= slot) by_slot_.resize(size_t{slot} + 1);
  by_slot_[slot] = values.geos;
  return true;
}

void GeoIndex::Erase(uint32_t slot) {
  if (slot >= by_slot_.size()) return;
  for (const GeoKey& p : by_slot_[slot]) by_lat_.erase({p.lat, p.lon, slot});
  by_slot_[slot].clear();
  by_slot_[slot].shrink_to_fit();
}

std::unique_ptr<FieldIndex> MakeFieldIndex(FieldType type) {
  switch (type) {
    case FieldType::kKeyword:
    case FieldType::kUuid: return std::make_unique<KeywordIndex>(type);
    case FieldType::kInteger: return std::make_unique<IntegerIndex>(type);
    case FieldType::kFloat: return std::make_unique<FloatIndex>(type);
    case FieldType::kDatetime: return std::make_unique<DatetimeIndex>(type);
    case FieldType::kBool: return std::make_unique<BoolIndex>();
    case FieldType::kGeo: return std::make_unique<GeoIndex>();
    case FieldType::kText: break;
  }
  return nullptr;
}

}  // namespace quiver::index
