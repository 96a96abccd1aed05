#include "collection/point_codec.h"

#include <cstring>

namespace quiver {
namespace {

constexpr uint8_t kFormatVersion = 1;
enum VectorKind : uint8_t { kDense = 0, kSparse = 1, kMulti = 2 };

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
void PutArray(std::string* out, const T* data, size_t n) {
  out->append(reinterpret_cast<const char*>(data), n * sizeof(T));
}

// Reads fixed-size values off the front of a byte string; fails once it runs out.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  template <typename T>
  bool Get(T* v) {
    if (b_.size() < sizeof(T)) return false;
    std::memcpy(v, b_.data(), sizeof(T));
    b_.remove_prefix(sizeof(T));
    return true;
  }
  template <typename T>
  bool GetArray(std::vector<T>* v, size_t n) {
    if (b_.size() / sizeof(T) < n) return false;
    v->resize(n);
    if (n > 0) std::memcpy(v->data(), b_.data(), n * sizeof(T));  // data() may be null when empty
    b_.remove_prefix(n * sizeof(T));
    return true;
  }
  bool GetBytes(std::string_view* s, size_t n) {
    if (b_.size() < n) return false;
    *s = b_.substr(0, n);
    b_.remove_prefix(n);
    return true;
  }
  bool done() const { return b_.empty(); }

 private:
  std::string_view b_;
};

}  // namespace

std::string EncodePoint(const StoredPoint& point) {
  std::string out;
  Put<uint8_t>(&out, kFormatVersion);
  Put<uint64_t>(&out, point.version);
  std::string payload = point.payload.Dump();
  Put<uint32_t>(&out, static_cast<uint32_t>(payload.size()));
  out += payload;
  Put<uint16_t>(&out, static_cast<uint16_t>(point.vectors.size()));
  for (const auto& [name, value] : point.vectors) {
    Put<uint16_t>(&out, static_cast<uint16_t>(name.size()));
    out += name;
    if (const auto* d = std::get_if<DenseVector>(&value)) {
      Put<uint8_t>(&out, kDense);
      Put<uint32_t>(&out, static_cast<uint32_t>(d->size()));
      PutArray(&out, d->data(), d->size());
    } else if (const auto* s = std::get_if<SparseVector>(&value)) {
      Put<uint8_t>(&out, kSparse);
      Put<uint32_t>(&out, static_cast<uint32_t>(s->indices.size()));
      PutArray(&out, s->indices.data(), s->indices.size());
      PutArray(&out, s->values.data(), s->values.size());
    } else {
      const auto& m = std::get<MultiVector>(value);
      Put<uint8_t>(&out, kMulti);
      Put<uint32_t>(&out, static_cast<uint32_t>(m.dim));
      Put<uint32_t>(&out, static_cast<uint32_t>(m.rows()));
      PutArray(&out, m.data.data(), m.data.size());
    }
  }
  return out;
}

StatusOr<StoredPoint> DecodePoint(std::string_view bytes) {
  const Status corrupt = Internal("corrupt point record in storage");
  Reader r(bytes);
  StoredPoint p;
  uint8_t format = 0;
  uint32_t payload_len = 0;
  std::string_view payload;
  if (!r.Get(&format) || format != kFormatVersion || !r.Get(&p.version) ||
      !r.Get(&payload_len) || !r.GetBytes(&payload, payload_len)) {
    return corrupt;
  }
  QUIVER_ASSIGN_OR_RETURN(p.payload, Json::Parse(payload));
  uint16_t count = 0;
  if (!r.Get(&count)) return corrupt;
  for (uint16_t i = 0; i < count; ++i) {
    uint16_t name_len = 0;
    std::string_view name;
    uint8_t kind = 0;
    uint32_t n = 0;
    if (!r.Get(&name_len) || !r.GetBytes(&name, name_len) || !r.Get(&kind) || !r.Get(&n)) {
      return corrupt;
    }
    VectorValue value;
    if (kind == kDense) {
      DenseVector d;
      if (!r.GetArray(&d, n)) return corrupt;
      value = std::move(d);
    } else if (kind == kSparse) {
      SparseVector s;
      if (!r.GetArray(&s.indices, n) || !r.GetArray(&s.values, n)) return corrupt;
      value = std::move(s);
    } else if (kind == kMulti) {
      MultiVector m;
      m.dim = n;
      uint32_t rows = 0;
      if (!r.Get(&rows) || !r.GetArray(&m.data, static_cast<size_t>(rows) * n)) return corrupt;
      value = std::move(m);
    } else {
      return corrupt;
    }
    p.vectors.emplace_back(std::string(name), std::move(value));
  }
  if (!r.done()) return corrupt;
  return p;
}

}  // namespace quiver
