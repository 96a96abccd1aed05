// The Quiver engine: quiver::index::HnswIndex, float32 or int8 (rescored, oversampling 1).

#include "index/hnsw.h"
#include "quiver_bench_engines.h"

namespace quiver::bench {
namespace {

// Lets the index visit only the ids of one FilterSet, through its byte mask.
class MaskFilter : public index::IdFilter {
 public:
  explicit MaskFilter(const std::vector<uint8_t>* mask) : mask_(mask) {}
  bool Allows(uint32_t id) const override { return id < mask_->size() && (*mask_)[id] != 0; }

 private:
  const std::vector<uint8_t>* mask_;
};

index::Metric IndexMetric(Metric metric) {
  switch (metric) {
    case Metric::kL2: return index::Metric::kL2;
    case Metric::kCosine: return index::Metric::kCosine;  // the data set normalised the vectors
    case Metric::kDot: return index::Metric::kDot;
  }
  return index::Metric::kL2;
}

class QuiverHnsw : public QuiverEngine {
 public:
  explicit QuiverHnsw(QuiverVariant variant) : variant_(variant) {}

  std::string name() const override {
    return variant_ == QuiverVariant::kInt8 ? "quiver-int8" : "quiver";
  }

  Status Build(const Dataset& data, const BuildOptions& options) override {
    index::HnswParams params;
    params.m = options.m;
    params.ef_construct = options.ef_construct;
    params.build_threads = static_cast<uint32_t>(options.build_threads);
    if (variant_ == QuiverVariant::kInt8) params.quantization = index::Quantization::kInt8;
    index_ = index::HnswIndex::Build(data.base.data(), data.n, data.dim, IndexMetric(data.metric),
                                     params);
    if (index_ == nullptr) return Internal("HnswIndex::Build returned no index");
    return Status::Ok();
  }

  size_t MemoryBytes() const override { return index_ ? index_->MemoryBytes() : 0; }

  bool SetFilter(const FilterSet* filter) override {
    filter_ = filter ? std::make_unique<MaskFilter>(&filter->mask) : nullptr;
    return true;
  }

  void SearchAll(const Dataset& data, size_t k, size_t ef,
                 std::vector<std::vector<uint32_t>>* results) override {
    index::SearchParams params;
    params.k = k;
    params.ef = ef;
    params.filter = filter_.get();
    params.rescore = true;
    params.oversampling = 1.0f;
    results->resize(data.nq);
    for (size_t q = 0; q < data.nq; ++q) {
      std::vector<index::Neighbor> found = index_->Search(data.Query(q), params);
      auto& out = (*results)[q];
      out.resize(found.size());
      for (size_t i = 0; i < found.size(); ++i) out[i] = found[i].id;
    }
  }

  void AddPayloadLinks(const FilterSet& filter, uint32_t payload_m) override {
    index_->AddPayloadLinks(filter.ids, payload_m);
  }

 private:
  QuiverVariant variant_;
  std::unique_ptr<index::HnswIndex> index_;
  std::unique_ptr<MaskFilter> filter_;
};

}  // namespace

std::unique_ptr<QuiverEngine> MakeQuiverEngine(QuiverVariant variant) {
  return std::make_unique<QuiverHnsw>(variant);
}

}  // namespace quiver::bench
