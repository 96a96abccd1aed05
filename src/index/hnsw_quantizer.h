#pragma once
// Quantizers of the HNSW index (internal to src/index): they turn float vectors into the compact
// codes that graph traversal compares.
//
// ScalarQuantizer (Quantization::kInt8): one range [lo, lo + 255 * step] for the whole index,
// cut from the `quantile` share of all values (the tails (1 - quantile) / 2 on each side are
// clamped), so that a few outliers do not waste the 256 levels. Each value becomes the byte
// round((x - lo) / step). The range is per index, not per dimension: simple, and what Qdrant does.
//
// BinaryQuantizer (Quantization::kBinary): one bit per dimension, set when the value is above
// that dimension's mean. Centring first keeps the bits informative for data that is not
// centred on zero (e.g. all-positive pixel values), where plain sign bits would all be 1.
//
// Thread safety: immutable after Fit(); Encode* may run concurrently.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace quiver::index::internal {

class ScalarQuantizer {
 public:
  ScalarQuantizer() = default;
  ScalarQuantizer(float lo, float step) : lo_(lo), step_(step) {}

  // Fits the range to a deterministic sample of data (n vectors of dim floats).
  static ScalarQuantizer Fit(const float* data, size_t n, size_t dim, float quantile);

  float lo() const { return lo_; }
  float step() const { return step_; }  // > 0
  float Decode(uint8_t code) const { return lo_ + step_ * static_cast<float>(code); }

  // codes[i] = clamp(round((v[i] - lo) / step), 0, 255) for i < dim.
  void Encode(const float* v, size_t dim, uint8_t* codes) const;

 private:
  float lo_ = 0.0f;
  float step_ = 1.0f;
};

class BinaryQuantizer {
 public:
  BinaryQuantizer() = default;
  explicit BinaryQuantizer(std::vector<float> center) : center_(std::move(center)) {}

  static BinaryQuantizer Fit(const float* data, size_t n, size_t dim);

  const std::vector<float>& center() const { return center_; }  // one value per dimension

  static size_t Words(size_t dim) { return (dim + 63) / 64; }
  // Bit i of the code (word i / 64, bit i % 64) is v[i] > center[i]; padding bits are 0.
  void Encode(const float* v, uint64_t* words) const;

 private:
  std::vector<float> center_;
};

}  // namespace quiver::index::internal
