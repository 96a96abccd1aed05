#pragma once
// Vector values of a point: dense float32, sparse (indices + values) and multivectors (rows of
// dense vectors compared with max_sim), keyed by vector name ("" is the unnamed default vector).

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "collection/config.h"
#include "common/json.h"
#include "common/status.h"

namespace quiver {

struct SparseVector {
  std::vector<uint32_t> indices;  // strictly increasing after Normalise()
  std::vector<float> values;
};

struct MultiVector {
  size_t dim = 0;
  std::vector<float> data;  // rows() * dim values
  size_t rows() const { return dim == 0 ? 0 : data.size() / dim; }
  const float* row(size_t i) const { return data.data() + i * dim; }
};

using DenseVector = std::vector<float>;
using VectorValue = std::variant<DenseVector, SparseVector, MultiVector>;
using NamedVectors = std::vector<std::pair<std::string, VectorValue>>;

// Parses one vector as it appears in a request: [floats], [[floats]...] or {indices, values}.
StatusOr<VectorValue> ParseVectorValue(const Json& j);
// Parses a point's `vector` field: a bare vector (the unnamed one) or a map of named vectors.
StatusOr<NamedVectors> ParseNamedVectors(const Json& j);

// Checks names, kinds and dimensions against the collection config, sorts sparse indices, and
// normalises Cosine vectors. Errors are Qdrant's 400 messages.
Status ConformVectors(const CollectionConfig& config, NamedVectors* vectors);
Status ConformVector(const CollectionConfig& config, const std::string& name, VectorValue* v);

Json VectorToJson(const VectorValue& v);

}  // namespace quiver
