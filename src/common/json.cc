#include "common/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>

namespace quiver {

Json::Json(uint64_t u) {
  if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    type_ = Type::kInt;
    int_ = static_cast<int64_t>(u);
  } else {
    type_ = Type::kUInt;
    uint_ = u;
  }
}

Json::Json(const Json& other) : type_(other.type_), is_f32_(other.is_f32_) {
  switch (type_) {
    case Type::kString: string_ = new std::string(*other.string_); break;
    case Type::kArray: array_ = new Array(*other.array_); break;
    case Type::kObject: object_ = new Object(*other.object_); break;
    default: uint_ = other.uint_;
  }
}

void Json::Release() noexcept {
  switch (type_) {
    case Type::kString: delete string_; break;
    case Type::kArray: delete array_; break;
    case Type::kObject: delete object_; break;
    default: break;
  }
  type_ = Type::kNull;
}

Json Json::Float(float f) {
  Json j(static_cast<double>(f));
  j.is_f32_ = true;
  return j;
}

double Json::as_double() const {
  switch (type_) {
    case Type::kInt: return static_cast<double>(int_);
    case Type::kUInt: return static_cast<double>(uint_);
    case Type::kDouble: return double_;
    default: return 0;
  }
}

const Json* Json::Find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const auto& [k, v] : as_object()) {
    if (k == key) return &v;
  }
  return nullptr;
}

Json* Json::Find(std::string_view key) {
  return const_cast<Json*>(static_cast<const Json*>(this)->Find(key));
}

Json& Json::Set(std::string_view key, Json value) {
  if (type_ == Type::kNull) *this = Json(Object());
  if (Json* existing = Find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  Object& object = as_object();
  object.emplace_back(std::string(key), std::move(value));
  return object.back().second;
}

bool Json::Erase(std::string_view key) {
  if (type_ != Type::kObject) return false;
  Object& object = as_object();
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it->first == key) {
      object.erase(it);
      return true;
    }
  }
  return false;
}

Json& Json::Push(Json value) {
  if (type_ == Type::kNull) *this = Json(Array());
  Array& array = as_array();
  array.push_back(std::move(value));
  return array.back();
}

size_t Json::size() const {
  if (type_ == Type::kArray) return as_array().size();
  if (type_ == Type::kObject) return as_object().size();
  return 0;
}

bool operator==(const Json& a, const Json& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Json::Type::kNull: return true;
    case Json::Type::kBool: return a.bool_ == b.bool_;
    case Json::Type::kInt: return a.int_ == b.int_;
    case Json::Type::kUInt: return a.uint_ == b.uint_;
    case Json::Type::kDouble: return a.double_ == b.double_;
    case Json::Type::kString: return a.as_string() == b.as_string();
    case Json::Type::kArray: return a.as_array() == b.as_array();
    case Json::Type::kObject: {
      if (a.as_object().size() != b.as_object().size()) return false;
      for (const auto& [k, v] : a.as_object()) {
        const Json* other = b.Find(k);
        if (other == nullptr || !(*other == v)) return false;
      }
      return true;
    }
  }
  return false;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

namespace {

void AppendDouble(double d, bool is_f32, std::string* out) {
  if (!std::isfinite(d)) {  // JSON has no NaN or infinity; Qdrant prints null for them.
    out->append("null");
    return;
  }
  char buf[64];
  std::to_chars_result r = is_f32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d))
                                  : std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, r.ptr - buf);
  out->append(text);
  // Keep doubles recognisable as such: serde prints 1.0, not 1.
  if (text.find_first_of(".eE") == std::string_view::npos) out->append(".0");
}

template <class Integer>
void AppendInteger(Integer n, std::string* out) {
  char buf[24];
  out->append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

// Builds a Json tree from RapidJSON's SAX events.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  explicit TreeBuilder(size_t outer_depth) : outer_depth_(outer_depth) {}
  bool Null() { return Add(); }
  bool Bool(bool b) { return Add(b); }
  bool Int(int i) { return Add(static_cast<int64_t>(i)); }
  bool Uint(unsigned u) { return Add(static_cast<int64_t>(u)); }
  bool Int64(int64_t i) { return Add(i); }
  bool Uint64(uint64_t u) { return Add(u); }
  bool Double(double d) { return Add(d); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (HasSurrogate(s, n)) return false;
    return Add(std::string(s, n));
  }
  bool StartObject() { return Open(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (HasSurrogate(s, n)) return false;
    keys_.emplace_back(s, n);
    return true;
  }
  bool EndObject(rapidjson::SizeType members) {
    // Duplicate keys: the last one wins, as serde_json does for maps.
    Json object = Json::MakeObject();
    object.as_object().reserve(members);
    const size_t first = values_.size() - members;
    for (size_t i = first; i < values_.size(); ++i) {
      object.Set(keys_[keys_.size() - members + (i - first)], std::move(values_[i]));
    }
    values_.resize(first);
    keys_.resize(keys_.size() - members);
    --depth_;
    return Add(std::move(object));
  }
  bool StartArray() { return Open(); }
  bool EndArray(rapidjson::SizeType elements) {
    Json::Array array;
    array.reserve(elements);
    const size_t first = values_.size() - elements;
    std::move(values_.begin() + first, values_.end(), std::back_inserter(array));
    values_.resize(first);
    --depth_;
    return Add(Json(std::move(array)));
  }

  Json TakeRoot() { return std::move(root_); }
  bool too_deep() const { return too_deep_; }

  // Qdrant's parser stops at 128 levels; so do we, which also bounds the recursion of Dump()
  // and of the destructor.
  static constexpr size_t kMaxDepth = 128;

 private:
  // RapidJSON turns a lone low-surrogate escape ("\udc00") into the bytes ED B0..BF, which
  // are not UTF-8; serde refuses such strings, and so do we.
  static bool HasSurrogate(const char* s, size_t n) {
    for (size_t i = 0; i + 1 < n; ++i) {
      const auto lead = static_cast<unsigned char>(s[i]);
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (lead == 0xED && next >= 0xA0) return true;
    }
    return false;
  }
  bool TooDeep() {
    too_deep_ = true;
    return false;
  }
  bool too_deep_ = false;
  bool Open() {
    if (outer_depth_ + depth_ >= kMaxDepth) return TooDeep();
    ++depth_;
    return true;
  }
  // Values wait on one stack until their container ends and RapidJSON says how many it holds:
  // each array or object is then built at its exact size, instead of growing element by element.
  // Built in place: a vector of a thousand numbers is a thousand of these calls.
  template <class... Value>
  bool Add(Value&&... value) {
    if (depth_ == 0) {
      root_ = Json(std::forward<Value>(value)...);
    } else {
      values_.emplace_back(std::forward<Value>(value)...);
    }
    return true;
  }

  const size_t outer_depth_;  // containers around this document (ParseNested)
  size_t depth_ = 0;
  std::vector<Json> values_;
  std::vector<std::string> keys_;
  Json root_;
};

// 1-based line and column of a byte offset, as serde reports them.
std::pair<size_t, size_t> LineColumn(std::string_view text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

}  // namespace

StatusOr<Json> Json::Parse(std::string_view text) { return ParseNested(text, 0); }

StatusOr<Json> Json::ParseNested(std::string_view text, size_t depth) {
  TreeBuilder builder(depth);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::ParseResult result =
      // Recursive (13% faster than RapidJSON's iterative mode on a batch of query vectors): the
      // builder refuses to open a container 128 deep, which bounds the recursion to as many frames.
      reader.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseStopWhenDoneFlag |
                   rapidjson::kParseValidateEncodingFlag>(stream, builder);
  if (builder.too_deep()) {
    auto [line, col] = LineColumn(text, result.Offset());
    return InvalidArgument("recursion limit exceeded at line " + std::to_string(line) +
                           " column " + std::to_string(col));
  }
  if (result.IsError()) {
    auto [line, col] = LineColumn(text, result.Offset());
    return InvalidArgument(std::string(rapidjson::GetParseError_En(result.Code())) + " at line " +
                           std::to_string(line) + " column " + std::to_string(col));
  }
  // Only whitespace may follow the document.
  for (size_t i = stream.Tell(); i < text.size(); ++i) {
    char c = text[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      auto [line, col] = LineColumn(text, i);
      return InvalidArgument("trailing characters at line " + std::to_string(line) + " column " +
                             std::to_string(col));
    }
  }
  return builder.TakeRoot();
}

void Json::DumpTo(std::string* out) const {
  switch (type_) {
    case Type::kNull: out->append("null"); break;
    case Type::kBool: out->append(bool_ ? "true" : "false"); break;
    case Type::kInt: AppendInteger(int_, out); break;
    case Type::kUInt: AppendInteger(uint_, out); break;
    case Type::kDouble: AppendDouble(double_, is_f32_, out); break;
    case Type::kString: AppendJsonString(as_string(), out); break;
    case Type::kArray: {
      const Array& array = as_array();
      out->push_back('[');
      for (size_t i = 0; i < array.size(); ++i) {
        if (i) out->push_back(',');
        array[i].DumpTo(out);
      }
      out->push_back(']');
      break;
    }
    case Type::kObject: {
      const Object& object = as_object();
      out->push_back('{');
      for (size_t i = 0; i < object.size(); ++i) {
        if (i) out->push_back(',');
        AppendJsonString(object[i].first, out);
        out->push_back(':');
        object[i].second.DumpTo(out);
      }
      out->push_back('}');
      break;
    }
  }
}

std::string Json::Dump() const {
  std::string out;
  DumpTo(&out);
  return out;
}

}  // namespace quiver
