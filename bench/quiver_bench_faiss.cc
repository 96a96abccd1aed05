// The FAISS engine: IndexHNSWFlat from Debian's libfaiss-dev 1.7.3 (a static library, as shipped).
//
// Build runs `build_threads` OpenMP threads; searches run with one OpenMP thread. SearchAll hands
// all queries to one index.search() call, FAISS's own batch API: with one thread it still answers
// them one after another, but allocates its visited table once rather than once per query.
// Filtering: 1.7.3 honours SearchParameters::sel inside the HNSW traversal (an IDSelectorBitmap).

#include <faiss/IndexHNSW.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <omp.h>

#include "quiver_bench_engines.h"

namespace quiver::bench {
namespace {

class FaissEngine : public Engine {
 public:
  std::string name() const override { return "faiss"; }

  Status Build(const Dataset& data, const BuildOptions& options) override {
    try {
      faiss::MetricType metric =
          data.metric == Metric::kL2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT;
      index_ = std::make_unique<faiss::IndexHNSWFlat>(static_cast<int>(data.dim),
                                                      static_cast<int>(options.m), metric);
      index_->hnsw.efConstruction = static_cast<int>(options.ef_construct);
      omp_set_num_threads(options.build_threads);
      index_->add(static_cast<faiss::Index::idx_t>(data.n), data.base.data());
      omp_set_num_threads(1);
    } catch (const std::exception& e) {
      omp_set_num_threads(1);
      return Internal(std::string("faiss: ").append(e.what()));
    }
    return Status::Ok();
  }

  // Flat vector storage plus the graph (neighbour lists, their offsets, node levels).
  size_t MemoryBytes() const override {
    if (!index_) return 0;
    const auto* storage = dynamic_cast<const faiss::IndexFlatCodes*>(index_->storage);
    const faiss::HNSW& g = index_->hnsw;
    size_t bytes = storage ? storage->codes.size() : 0;
    bytes += g.neighbors.size() * sizeof(faiss::HNSW::storage_idx_t);
    bytes += g.offsets.size() * sizeof(size_t) + g.levels.size() * sizeof(int);
    return bytes;
  }

  bool SetFilter(const FilterSet* filter) override {
    selector_.reset();
    bitmap_.clear();
    if (filter == nullptr) return true;
    bitmap_.assign((filter->mask.size() + 7) / 8, 0);
    for (uint32_t id : filter->ids) bitmap_[id / 8] |= static_cast<uint8_t>(1u << (id % 8));
    selector_ = std::make_unique<faiss::IDSelectorBitmap>(filter->mask.size(), bitmap_.data());
    return true;
  }

  void SearchAll(const Dataset& data, size_t k, size_t ef,
                 std::vector<std::vector<uint32_t>>* results) override {
    omp_set_num_threads(1);
    // 1.7.3 takes the selector from the parameters but, in its search loop, ef from the index's
    // own hnsw.efSearch (measured: params.efSearch alone leaves the search at the default 16).
    index_->hnsw.efSearch = static_cast<int>(ef);
    faiss::SearchParametersHNSW params;
    params.efSearch = static_cast<int>(ef);
    params.sel = selector_.get();
    distances_.resize(data.nq * k);
    labels_.resize(data.nq * k);
    index_->search(static_cast<faiss::Index::idx_t>(data.nq), data.queries.data(),
                   static_cast<faiss::Index::idx_t>(k), distances_.data(), labels_.data(),
                   &params);
    results->resize(data.nq);
    for (size_t q = 0; q < data.nq; ++q) {
      auto& out = (*results)[q];
      out.clear();
      for (size_t i = 0; i < k; ++i) {
        faiss::Index::idx_t id = labels_[q * k + i];
        if (id >= 0) out.push_back(static_cast<uint32_t>(id));  // -1: fewer than k found
      }
    }
  }

 private:
  std::unique_ptr<faiss::IndexHNSWFlat> index_;
  std::vector<uint8_t> bitmap_;  // owned here: IDSelectorBitmap keeps a pointer to it
  std::unique_ptr<faiss::IDSelectorBitmap> selector_;
  std::vector<float> distances_;
  std::vector<faiss::Index::idx_t> labels_;
};

}  // namespace

std::unique_ptr<Engine> MakeFaissEngine() { return std::make_unique<FaissEngine>(); }

}  // namespace quiver::bench
