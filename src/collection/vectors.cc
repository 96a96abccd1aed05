#include "collection/vectors.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "vector/distance.h"

namespace quiver {
namespace {

StatusOr<DenseVector> ParseDense(const Json& j) {
  DenseVector v;
  v.reserve(j.size());
  for (const Json& x : j.as_array()) {
    if (!x.is_number()) {
      return InvalidArgument("Format error in JSON body: vector values must be numbers");
    }
    double d = x.as_double();
    float f = static_cast<float>(d);
    if (!std::isfinite(f)) {
      return InvalidArgument("Format error in JSON body: vector value " + x.Dump() +
                             " is out of float32 range");
    }
    v.push_back(f);
  }
  return v;
}

}  // namespace

StatusOr<VectorValue> ParseVectorValue(const Json& j) {
  if (j.is_array()) {
    if (!j.as_array().empty() && j.as_array()[0].is_array()) {
      MultiVector m;
      for (const Json& row : j.as_array()) {
        if (!row.is_array()) {
          return InvalidArgument("Format error in JSON body: multivector rows must be arrays");
        }
        QUIVER_ASSIGN_OR_RETURN(DenseVector r, ParseDense(row));
        if (m.dim == 0) m.dim = r.size();
        if (r.size() != m.dim || r.empty()) {
          return Unprocessable(
              "vector: all vectors in a multivector must have "
              "the same non-zero dimension");
        }
        m.data.insert(m.data.end(), r.begin(), r.end());
      }
      return VectorValue(std::move(m));
    }
    QUIVER_ASSIGN_OR_RETURN(DenseVector d, ParseDense(j));
    return VectorValue(std::move(d));
  }
  if (j.is_object() && j.Find("indices") && j.Find("values")) {
    const Json& idx = *j.Find("indices");
    const Json& val = *j.Find("values");
    if (!idx.is_array() || !val.is_array()) {
      return InvalidArgument("Format error in JSON body: sparse vector needs arrays");
    }
    SparseVector s;
    for (const Json& i : idx.as_array()) {
      if (i.type() != Json::Type::kInt || i.as_int() < 0 || i.as_int() > UINT32_MAX) {
        return InvalidArgument("Format error in JSON body: sparse indices must be u32 integers");
      }
      s.indices.push_back(static_cast<uint32_t>(i.as_int()));
    }
    QUIVER_ASSIGN_OR_RETURN(s.values, ParseDense(val));
    if (s.indices.size() != s.values.size()) {
      return Unprocessable(
          "indices: must be the same length as values");
    }
    // Sort by index; duplicates are an error, as in Qdrant.
    std::vector<size_t> order(s.indices.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return s.indices[a] < s.indices[b]; });
    SparseVector sorted;
    for (size_t k : order) {
      if (!sorted.indices.empty() && sorted.indices.back() == s.indices[k]) {
        return Unprocessable("indices: must be unique");
      }
      sorted.indices.push_back(s.indices[k]);
      sorted.values.push_back(s.values[k]);
    }
    return VectorValue(std::move(sorted));
  }
  return InvalidArgument("Format error in JSON body: vector must be a list of numbers, a list of "
                         "lists, or a sparse vector {indices, values}");
}

StatusOr<NamedVectors> ParseNamedVectors(const Json& j) {
  NamedVectors out;
  if (j.is_object() && !(j.Find("indices") && j.Find("values"))) {
    for (const auto& [name, v] : j.as_object()) {
      QUIVER_ASSIGN_OR_RETURN(VectorValue value, ParseVectorValue(v));
      out.emplace_back(name, std::move(value));
    }
    return out;
  }
  QUIVER_ASSIGN_OR_RETURN(VectorValue value, ParseVectorValue(j));
  out.emplace_back("", std::move(value));
  return out;
}

Status ConformVector(const CollectionConfig& config, const std::string& name, VectorValue* v) {
  if (auto* sparse = std::get_if<SparseVector>(v)) {
    if (!config.sparse_vectors.count(name)) {
      if (config.vectors.count(name)) {
        return InvalidArgument("Wrong input: Conversion between sparse and regular vectors failed");
      }
      return InvalidArgument("Wrong input: Not existing vector name error: " + name);
    }
    (void)sparse;
    return Status::Ok();
  }
  const VectorParams* params = config.FindVector(name);
  if (params == nullptr) {
    if (config.sparse_vectors.count(name)) {
      return InvalidArgument("Wrong input: Conversion between sparse and regular vectors failed");
    }
    if (name.empty()) {
      return InvalidArgument("Wrong input: Not existing vector name error: ");
    }
    return InvalidArgument("Wrong input: Not existing vector name error: " + name);
  }
  if (auto* dense = std::get_if<DenseVector>(v)) {
    if (dense->empty()) return Unprocessable("vector: dense vector must not be empty");
    if (params->multivector) {
      // A single dense vector given for a multivector field is a multivector of one row.
      MultiVector m{dense->size(), std::move(*dense)};
      *v = std::move(m);
    } else {
      if (dense->size() != params->size) {
        return InvalidArgument("Wrong input: Vector dimension error: expected dim: " +
                               std::to_string(params->size) + ", got " +
                               std::to_string(dense->size()));
      }
      if (params->distance == Distance::kCosine) vec::Normalize(dense->data(), dense->size());
      return Status::Ok();
    }
  }
  auto* multi = std::get_if<MultiVector>(v);
  if (!params->multivector) {
    return InvalidArgument("Wrong input: Vector dimension error: expected dim: " +
                           std::to_string(params->size) + ", got multivector");
  }
  if (multi->dim != params->size) {
    return InvalidArgument("Wrong input: Vector dimension error: expected dim: " +
                           std::to_string(params->size) + ", got " + std::to_string(multi->dim));
  }
  if (params->distance == Distance::kCosine) {
    for (size_t r = 0; r < multi->rows(); ++r) {
      vec::Normalize(multi->data.data() + r * multi->dim, multi->dim);
    }
  }
  return Status::Ok();
}

Status ConformVectors(const CollectionConfig& config, NamedVectors* vectors) {
  for (size_t i = 0; i < vectors->size(); ++i) {
    auto& [name, value] = (*vectors)[i];
    // A bare vector given to a collection whose only dense vector is named is an error in Qdrant.
    QUIVER_RETURN_IF_ERROR(ConformVector(config, name, &value));
    for (size_t k = 0; k < i; ++k) {
      if ((*vectors)[k].first == name) {
        return InvalidArgument("Wrong input: duplicate vector name " + name);
      }
    }
  }
  return Status::Ok();
}

Json VectorToJson(const VectorValue& v) {
  if (const auto* d = std::get_if<DenseVector>(&v)) {
    Json::Array a;
    a.reserve(d->size());
    for (float f : *d) a.push_back(Json::Float(f));
    return Json(std::move(a));
  }
  if (const auto* s = std::get_if<SparseVector>(&v)) {
    Json::Array idx, val;
    for (uint32_t i : s->indices) idx.push_back(Json(static_cast<int64_t>(i)));
    for (float f : s->values) val.push_back(Json::Float(f));
    return Json(Json::Object{{"indices", Json(std::move(idx))}, {"values", Json(std::move(val))}});
  }
  const auto& m = std::get<MultiVector>(v);
  Json::Array rows;
  for (size_t r = 0; r < m.rows(); ++r) {
    Json::Array row;
    for (size_t c = 0; c < m.dim; ++c) row.push_back(Json::Float(m.data[r * m.dim + c]));
    rows.push_back(Json(std::move(row)));
  }
  return Json(std::move(rows));
}

}  // namespace quiver
