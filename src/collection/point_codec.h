#pragma once
// Binary form of a stored point (value of a `p` key); the layout is in docs/formats/point-record.md.

#include <string>
#include <string_view>

#include "collection/vectors.h"
#include "common/json.h"
#include "common/status.h"

namespace quiver {

struct StoredPoint {
  uint64_t version = 0;  // operation id of the last write to this point
  Json payload;          // an object
  NamedVectors vectors;
};

std::string EncodePoint(const StoredPoint& point);
StatusOr<StoredPoint> DecodePoint(std::string_view bytes);

}  // namespace quiver
