#pragma once
// Json: Quiver's own JSON value, used for payloads and for REST bodies.
//
// Domain code never sees the parser library (RapidJSON stays in json.cc). Objects keep insertion
// order, as Qdrant returns payload keys in the order they were written. Numbers keep their kind:
// integers (int64, or uint64 above INT64_MAX) and doubles stay apart because Qdrant's filters and
// payload indexes treat `1` and `1.0` differently. A double built from a float32 (vectors, scores)
// prints in float32's shortest form, so `0.05` comes back as `0.05` and not `0.05000000074505806`.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace quiver {

class Json {
 public:
  // The last three own heap memory (the destructor tests for them by order).
  enum class Type : uint8_t { kNull, kBool, kInt, kUInt, kDouble, kString, kArray, kObject };
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;

  Json() = default;
  Json(std::nullptr_t) {}                                                     // NOLINT
  Json(bool b) : type_(Type::kBool) { bool_ = b; }                            // NOLINT
  Json(int i) : type_(Type::kInt) { int_ = i; }                               // NOLINT
  Json(int64_t i) : type_(Type::kInt) { int_ = i; }                           // NOLINT
  Json(uint64_t u);                                                           // NOLINT
  Json(double d) : type_(Type::kDouble) { double_ = d; }                      // NOLINT
  Json(const char* s) : Json(std::string(s)) {}                               // NOLINT
  Json(std::string s) : type_(Type::kString) { string_ = new std::string(std::move(s)); }  // NOLINT
  Json(std::string_view s) : Json(std::string(s)) {}                            // NOLINT
  Json(Array a) : type_(Type::kArray) { array_ = new Array(std::move(a)); }     // NOLINT
  Json(Object o) : type_(Type::kObject) { object_ = new Object(std::move(o)); }  // NOLINT

  Json(const Json& other);
  Json(Json&& other) noexcept : type_(other.type_), is_f32_(other.is_f32_), uint_(other.uint_) {
    other.type_ = Type::kNull;
  }
  Json& operator=(const Json& other) { return *this = Json(other); }
  Json& operator=(Json&& other) noexcept {
    Json taken(std::move(other));  // first: `other` may live inside this value
    std::swap(type_, taken.type_);
    std::swap(is_f32_, taken.is_f32_);
    std::swap(uint_, taken.uint_);
    return *this;  // `taken` releases the old value
  }
  ~Json() {
    if (type_ >= Type::kString) Release();  // inline test: most values hold nothing to free
  }

  // A float32 value (vector component, score): printed in float32's shortest form.
  static Json Float(float f);
  static Json MakeArray() { return Json(Array{}); }
  static Json MakeObject() { return Json(Object{}); }

  // Parses one JSON document. Errors are kInvalidArgument with a position, as serde words them.
  static StatusOr<Json> Parse(std::string_view text);
  // The same document, the same errors, with a large one's work spread over `threads` threads
  // of WorkerPool::Shared(): the members of a top-level object, and each element of a large
  // array of objects or arrays in it (a batch's `searches`, an upsert's `points`), are parsed
  // at the same time.
  static StatusOr<Json> ParseParallel(std::string_view text, size_t threads);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_integer() const { return type_ == Type::kInt || type_ == Type::kUInt; }
  bool is_number() const { return is_integer() || type_ == Type::kDouble; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Accessors. REQUIRES: the matching type (checked by the is_* above).
  bool as_bool() const { return bool_; }
  int64_t as_int() const { return int_; }             // kInt only
  uint64_t as_uint() const { return uint_; }          // kUInt only (values above INT64_MAX)
  double as_double() const;                           // any number
  // These three throw std::bad_variant_access on another type.
  const std::string& as_string() const { return *Checked(Type::kString, string_); }
  const Array& as_array() const { return *Checked(Type::kArray, array_); }
  Array& as_array() { return *Checked(Type::kArray, array_); }
  const Object& as_object() const { return *Checked(Type::kObject, object_); }
  Object& as_object() { return *Checked(Type::kObject, object_); }

  // Object member lookup; nullptr when absent or when this is not an object.
  const Json* Find(std::string_view key) const;
  Json* Find(std::string_view key);
  // Sets (replacing) a member. REQUIRES: is_object() or is_null() (null becomes an object).
  Json& Set(std::string_view key, Json value);
  // Removes a member; returns whether it was there.
  bool Erase(std::string_view key);
  // Appends to an array. REQUIRES: is_array() or is_null() (null becomes an array).
  Json& Push(Json value);
  size_t size() const;  // elements of an array or members of an object, else 0

  std::string Dump() const;
  void DumpTo(std::string* out) const;

  // Structural equality; numbers compare by value (1 == 1.0 is false: kinds differ as in Qdrant).
  friend bool operator==(const Json& a, const Json& b);

 private:
  template <class T>
  T* Checked(Type wanted, T* p) const {
    if (type_ != wanted) throw std::bad_variant_access();
    return p;
  }
  void Release() noexcept;
  // Parse() of a value found `depth` containers deep in a larger document: the nesting limit
  // counts those containers too.
  static StatusOr<Json> ParseNested(std::string_view text, size_t depth);

  // 16 bytes: a batch of a hundred 784-number query vectors arrives as 78,400 of these, and at
  // 56 bytes (a std::variant of string, array and object inline) that tree was 4.4 MB, enough to
  // push the index out of the cache the searches then need. Strings, arrays and objects live on
  // the heap, owned by the value.
  Type type_ = Type::kNull;
  bool is_f32_ = false;
  union {
    bool bool_;
    int64_t int_;
    uint64_t uint_ = 0;  // the member moves copy: as wide as any other
    double double_;
    std::string* string_;
    Array* array_;
    Object* object_;
  };
};

// Appends `s` to `out` as a quoted, escaped JSON string.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace quiver
