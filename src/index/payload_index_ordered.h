#pragma once
// Ordered payload indexes: NumericIndex<Key> for integer (int64_t), float (double) and datetime
// (DatetimeKey) fields, with exact lookups, range queries and ordered iteration (order_by); and
// GeoIndex, the geo points of a field sorted by latitude, so that a geo condition only tests the
// points inside its latitude band.
//
// Thread safety and invariants: as FieldIndex (payload_index.h).

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "index/payload_index.h"

namespace quiver::index {

// The scale range queries compare values on: integers and floats as doubles (as a filter
// compares the raw payload numbers), datetimes as themselves. Monotone in the key.
inline double RangeScale(int64_t k) { return static_cast<double>(k); }
inline double RangeScale(double k) { return k; }
inline DatetimeKey RangeScale(const DatetimeKey& k) { return k; }

// The member of FieldValues a NumericIndex<Key> reads (the pointer only picks the overload).
inline const std::vector<int64_t>& KeysOf(const FieldValues& v, const int64_t*) { return v.ints; }
inline const std::vector<double>& KeysOf(const FieldValues& v, const double*) { return v.floats; }
inline const std::vector<DatetimeKey>& KeysOf(const FieldValues& v, const DatetimeKey*) {
  return v.datetimes;
}

template <typename Key>
class NumericIndex final : public FieldIndex {
 public:
  using Scale = decltype(RangeScale(std::declval<Key>()));

  explicit NumericIndex(FieldType type) : FieldIndex(type) {}

  // The slots holding exactly `key`.
  Bitmap Find(const Key& key) const {
    std::vector<uint32_t> slots;
    for (auto it = entries_.lower_bound(Entry{key, 0}); it != entries_.end() && it->first == key;
         ++it) {
      slots.push_back(it->second);
    }
    return FromSlots(slots);
  }
  Bitmap FindAny(const std::vector<Key>& keys) const {
    Bitmap out;
    for (const Key& k : keys) out |= Find(k);
    return out;
  }

  // The slots holding a value whose RangeScale satisfies every bound given.
  Bitmap Range(const Bounds<Scale>& b) const {
    auto it = entries_.begin();
    // Start at the stricter lower bound (binary search); the upper bounds end the walk.
    if (b.gt && (!b.gte || !(*b.gt < *b.gte))) {
      it = entries_.lower_bound(Probe{*b.gt, true});
    } else if (b.gte) {
      it = entries_.lower_bound(Probe{*b.gte, false});
    }
    std::vector<uint32_t> slots;
    for (; it != entries_.end(); ++it) {
      Scale s = RangeScale(it->first);
      if ((b.lt && !(s < *b.lt)) || (b.lte && *b.lte < s)) break;
      slots.push_back(it->second);
    }
    return FromSlots(slots);
  }

  // Calls fn(key, slot) for every stored value in key order (ascending, or descending), ties in
  // slot order of the same direction, until fn returns false.
  template <typename Fn>
  void ForEachOrdered(bool descending, Fn&& fn) const {
    if (descending) {
      for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
        if (!fn(it->first, it->second)) return;
      }
    } else {
      for (const Entry& e : entries_) {
        if (!fn(e.first, e.second)) return;
      }
    }
  }

  // Calls fn(key, slots holding it) for each distinct key, ascending.
  template <typename Fn>
  void ForEachValueCount(Fn&& fn) const {
    for (auto it = entries_.begin(); it != entries_.end();) {
      auto end = entries_.upper_bound(Entry{it->first, UINT32_MAX});
      fn(it->first, static_cast<uint64_t>(std::distance(it, end)));
      it = end;
    }
  }

  size_t values_count() const { return entries_.size(); }

 private:
  using Entry = std::pair<Key, uint32_t>;
  // A position on the scale: before (after = false) or after (true) every entry equal to v.
  struct Probe {
    Scale v;
    bool after;
  };
  struct Less {
    using is_transparent = void;
    bool operator()(const Entry& a, const Entry& b) const { return a < b; }
    bool operator()(const Entry& e, const Probe& p) const {
      Scale s = RangeScale(e.first);
      return p.after ? !(p.v < s) : s < p.v;
    }
    bool operator()(const Probe& p, const Entry& e) const {
      Scale s = RangeScale(e.first);
      return p.after ? p.v < s : !(s < p.v);
    }
  };

  static Bitmap FromSlots(const std::vector<uint32_t>& slots) {
    Bitmap out;
    out.addMany(slots.size(), slots.data());
    return out;
  }

  bool Insert(uint32_t slot, const FieldValues& values) override {
    std::vector<Key> keys = KeysOf(values, static_cast<const Key*>(nullptr));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (keys.empty()) return false;
    for (const Key& k : keys) entries_.insert(Entry{k, slot});
    if (by_slot_.size() <= slot) by_slot_.resize(size_t{slot} + 1);
    by_slot_[slot] = std::move(keys);
    return true;
  }
  void Erase(uint32_t slot) override {
    if (slot >= by_slot_.size()) return;
    for (const Key& k : by_slot_[slot]) entries_.erase(Entry{k, slot});
    by_slot_[slot].clear();
    by_slot_[slot].shrink_to_fit();
  }

  std::set<Entry, Less> entries_;
  std::vector<std::vector<Key>> by_slot_;  // distinct keys per slot, for Erase
};

using IntegerIndex = NumericIndex<int64_t>;
using FloatIndex = NumericIndex<double>;
using DatetimeIndex = NumericIndex<DatetimeKey>;

// Geo points sorted by latitude. Correct first: a query tests every point in its latitude band.
class GeoIndex final : public FieldIndex {
 public:
  GeoIndex() : FieldIndex(FieldType::kGeo) {}

  // The slots holding a point p with lat_min <= p.lat <= lat_max and contains(p).
  Bitmap Within(double lat_min, double lat_max,
                const std::function<bool(const GeoKey&)>& contains) const;

 private:
  bool Insert(uint32_t slot, const FieldValues& values) override;
  void Erase(uint32_t slot) override;

  std::set<std::tuple<double, double, uint32_t>> by_lat_;  // (lat, lon, slot)
  std::vector<std::vector<GeoKey>> by_slot_;
};

}  // namespace quiver::index
