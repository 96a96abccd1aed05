#include "index/hnsw_quantizer.h"

#include <algorithm>
#include <cmath>

namespace quiver::index::internal {

namespace {

// At most this many values are sorted to find the quantiles: enough for a stable range, cheap
// for any index size.
constexpr size_t kMaxSample = size_t{1} << 20;

}  // namespace

ScalarQuantizer ScalarQuantizer::Fit(const float* data, size_t n, size_t dim, float quantile) {
  const size_t total = n * dim;
  if (total == 0) return ScalarQuantizer();
  // A fixed stride through all values: deterministic, and it covers every part of the data.
  const size_t stride = std::max<size_t>(1, total / kMaxSample);
  std::vector<float> sample;
  sample.reserve(total / stride + 1);
  for (size_t i = 0; i < total; i += stride) {
    if (std::isfinite(data[i])) sample.push_back(data[i]);
  }
  if (sample.empty()) return ScalarQuantizer();
  if (!(quantile > 0.0f) || quantile > 1.0f) quantile = 1.0f;
  const double tail = (1.0 - quantile) / 2.0;
  const size_t last = sample.size() - 1;
  const size_t lo_index = static_cast<size_t>(std::floor(tail * static_cast<double>(last)));
  const size_t hi_index = static_cast<size_t>(std::ceil((1.0 - tail) * static_cast<double>(last)));
  std::nth_element(sample.begin(), sample.begin() + lo_index, sample.end());
  const float lo = sample[lo_index];
  std::nth_element(sample.begin(), sample.begin() + hi_index, sample.end());
  const float hi = sample[hi_index];
  float step = (hi - lo) / 255.0f;
  // All values (nearly) equal: any positive step encodes them all alike.
  if (!(step > 0.0f) || !std::isfinite(step)) step = 1.0f;
  return ScalarQuantizer(lo, step);
}

void ScalarQuantizer::Encode(const float* v, size_t dim, uint8_t* codes) const {
  const float inv = 1.0f / step_;
  for (size_t i = 0; i < dim; ++i) {
    float q = std::nearbyint((v[i] - lo_) * inv);
    // NaN compares false both ways and ends at 0.
    q = q > 255.0f ? 255.0f : (q >= 0.0f ? q : 0.0f);
    codes[i] = static_cast<uint8_t>(q);
  }
}

BinaryQuantizer BinaryQuantizer::Fit(const float* data, size_t n, size_t dim) {
  std::vector<double> sum(dim, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const float* v = data + i * dim;
    for (size_t d = 0; d < dim; ++d) {
      if (std::isfinite(v[d])) sum[d] += v[d];
    }
  }
  std::vector<float> center(dim, 0.0f);
  if (n > 0) {
    for (size_t d = 0; d < dim; ++d) center[d] = static_cast<float>(sum[d] / static_cast<double>(n));
  }
  return BinaryQuantizer(std::move(center));
}

void BinaryQuantizer::Encode(const float* v, uint64_t* words) const {
  const size_t dim = center_.size();
  std::fill(words, words + Words(dim), uint64_t{0});
  for (size_t d = 0; d < dim; ++d) {
    if (v[d] > center_[d]) words[d / 64] |= uint64_t{1} << (d % 64);
  }
}

}  // namespace quiver::index::internal
