#pragma once
// Payload field indexes: for one payload field, a map from typed values to the slots (dense
// point offsets of one collection) that hold them, as roaring bitmaps.
//
// The index module knows nothing of payload paths, filters or datetime text: the collection
// extracts a slot's values at the field's path, converts them to the index's type (FieldValues)
// and hands them in; queries take typed arguments and return bitmaps of slots. One FieldIndex
// subclass per Qdrant payload schema type:
//   keyword, uuid -> KeywordIndex (uuid as its canonical hyphenated lower-case text)
//   integer       -> NumericIndex<int64_t>      float -> NumericIndex<double>
//   datetime      -> NumericIndex<DatetimeKey>  bool  -> BoolIndex
//   geo           -> GeoIndex                   text  -> TextIndex (payload_index_text.h)
//
// Every index also keeps two bitmaps: `indexed()` (slots holding at least one value the index
// stored: the `points` of Qdrant's payload_schema) and `unindexed()` (slots holding some non-null
// value the index could not store, e.g. 1.5 under an integer index). A caller that wants a
// SUPERSET of the slots a condition matches on the raw payload adds unindexed() where such
// values could match.
//
// Thread safety: none inside; the owner (the collection) serialises writers against readers.
// Invariant: a slot appears in the value maps exactly for the values of its last Set().

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <roaring/roaring.hh>

namespace quiver::index {

// CRoaring 0.2 (Debian 12) declares its C++ class `Roaring` in the global namespace.
using Bitmap = ::Roaring;

enum class FieldType { kKeyword, kInteger, kFloat, kBool, kUuid, kDatetime, kGeo, kText };

// An instant: seconds since the Unix epoch and nanoseconds (>= 1e9 only for a leap second),
// ordered member-wise as the collection's Datetime.
struct DatetimeKey {
  int64_t seconds = 0;
  uint32_t nanos = 0;
  friend auto operator<=>(const DatetimeKey&, const DatetimeKey&) = default;
};

struct GeoKey {
  double lon = 0, lat = 0;
};

// The typed values of one slot at the indexed path (arrays already expanded). Only the member
// matching the index's type is read; `other` says the slot also held a value that could not be
// converted to that type (null excluded).
struct FieldValues {
  std::vector<std::string> strings;  // keyword, uuid (canonical), text (raw text)
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<bool> bools;
  std::vector<DatetimeKey> datetimes;
  std::vector<GeoKey> geos;
  bool other = false;
};

// Optional bounds of a range query; a value passes when it satisfies every bound given.
template <typename T>
struct Bounds {
  const T* gt = nullptr;
  const T* gte = nullptr;
  const T* lt = nullptr;
  const T* lte = nullptr;
};

class FieldIndex {
 public:
  explicit FieldIndex(FieldType type) : type_(type) {}
  virtual ~FieldIndex() = default;
  FieldIndex(const FieldIndex&) = delete;
  FieldIndex& operator=(const FieldIndex&) = delete;

  FieldType type() const { return type_; }

  // Replaces what the index holds for `slot` by `values` (no values: the slot leaves the index).
  void Set(uint32_t slot, const FieldValues& values);
  void Remove(uint32_t slot) { Set(slot, FieldValues{}); }

  const Bitmap& indexed() const { return indexed_; }
  const Bitmap& unindexed() const { return unindexed_; }
  uint64_t points_count() const { return indexed_.cardinality(); }

 protected:
  // Adds the slot's values; returns whether any was stored. REQUIRES: Erase(slot) ran before.
  virtual bool Insert(uint32_t slot, const FieldValues& values) = 0;
  // Drops whatever the index holds for `slot` (nothing held: no-op).
  virtual void Erase(uint32_t slot) = 0;

 private:
  const FieldType type_;
  Bitmap indexed_;
  Bitmap unindexed_;
};

// A keyword (or uuid) index: exact text -> slots.
class KeywordIndex final : public FieldIndex {
 public:
  explicit KeywordIndex(FieldType type) : FieldIndex(type) {}
  // The slots holding `value` (empty when none).
  Bitmap Find(const std::string& value) const;
  Bitmap FindAny(const std::vector<std::string>& values) const;
  // Each distinct value with its slots, in byte order of the value.
  template <typename Fn>  // Fn(const std::string&, const Bitmap&)
  void ForEachValue(Fn&& fn) const {
    for (const auto& [value, slots] : postings_) fn(value, slots);
  }
  size_t distinct_values() const { return postings_.size(); }

 private:
  bool Insert(uint32_t slot, const FieldValues& values) override;
  void Erase(uint32_t slot) override;

  std::map<std::string, Bitmap, std::less<>> postings_;
  std::vector<std::vector<std::string>> by_slot_;  // distinct values per slot, for Erase
};

class BoolIndex final : public FieldIndex {
 public:
  BoolIndex() : FieldIndex(FieldType::kBool) {}
  const Bitmap& Find(bool value) const { return value ? trues_ : falses_; }

 private:
  bool Insert(uint32_t slot, const FieldValues& values) override;
  void Erase(uint32_t slot) override;

  Bitmap trues_, falses_;
};

// Builds the empty index for a type. REQUIRES: type != kText (see MakeTextIndex).
std::unique_ptr<FieldIndex> MakeFieldIndex(FieldType type);

}  // namespace quiver::index
