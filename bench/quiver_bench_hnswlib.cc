// The hnswlib engine (Debian's libhnswlib-dev 0.6.2, header-only). This translation unit alone is
// compiled with -O3 -march=native (bench/CMakeLists.txt), so hnswlib's SIMD distance functions
// use the best instruction set of this machine: the peer at its best.
//
// Filtering: hnswlib 0.6.2 predates BaseFilterFunctor (0.7). Its deletion marks give the same
// in-traversal behaviour: a marked element is still walked through but never returned, and the
// search keeps going until it holds `ef` unmarked candidates. SetFilter() marks every id outside
// the filter (untimed) and the searches then run as hnswlib's filtered searches do.

#include <hnswlib/hnswlib.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "quiver_bench_engines.h"

namespace quiver::bench {
namespace {

class HnswlibEngine : public Engine {
 public:
  std::string name() const override { return "hnswlib"; }

  Status Build(const Dataset& data, const BuildOptions& options) override {
    try {
      if (data.metric == Metric::kL2) {
        space_ = std::make_unique<hnswlib::L2Space>(data.dim);
      } else {
        space_ = std::make_unique<hnswlib::InnerProductSpace>(data.dim);  // 1 - dot
      }
      index_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(space_.get(), data.n, options.m,
                                                                 options.ef_construct);
      if (data.n == 0) return Status::Ok();
      index_->addPoint(data.Base(0), 0);  // the entry point, before the threads race
      std::atomic<size_t> next{1};
      std::exception_ptr failure;
      std::mutex failure_mu;
      auto worker = [&] {
        try {
          for (size_t i = next++; i < data.n; i = next++) index_->addPoint(data.Base(i), i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(failure_mu);
          failure = std::current_exception();
        }
      };
      std::vector<std::thread> pool;
      for (int t = 1; t < options.build_threads; ++t) pool.emplace_back(worker);
      worker();
      for (auto& t : pool) t.join();
      if (failure) std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      return Internal(std::string("hnswlib: ").append(e.what()));
    }
    return Status::Ok();
  }

  // Layer-0 block (vectors, links, labels) plus the upper-layer link lists and levels; not the
  // label map or the per-element locks, which are bookkeeping of this library's own design.
  size_t MemoryBytes() const override {
    if (!index_) return 0;
    size_t bytes = index_->max_elements_ * index_->size_data_per_element_;
    for (size_t i = 0; i < index_->cur_element_count; ++i) {
      bytes += static_cast<size_t>(index_->element_levels_[i]) * index_->size_links_per_element_;
    }
    return bytes + index_->element_levels_.size() * sizeof(int);
  }

  bool SetFilter(const FilterSet* filter) override {
    try {
      // Clear the previous marks, then mark everything the new filter excludes.
      for (uint32_t id : marked_) index_->unmarkDelete(id);
      marked_.clear();
      if (filter != nullptr) {
        for (size_t id = 0; id < filter->mask.size(); ++id) {
          if (!filter->mask[id]) marked_.push_back(static_cast<uint32_t>(id));
        }
        for (uint32_t id : marked_) index_->markDelete(id);
      }
    } catch (const std::exception&) {
      return false;
    }
    return true;
  }

  void SearchAll(const Dataset& data, size_t k, size_t ef,
                 std::vector<std::vector<uint32_t>>* results) override {
    index_->setEf(ef);
    results->resize(data.nq);
    for (size_t q = 0; q < data.nq; ++q) {
      auto found = index_->searchKnn(data.Query(q), k);  // furthest first
      auto& out = (*results)[q];
      out.resize(found.size());
      for (size_t i = found.size(); i-- > 0;) {
        out[i] = static_cast<uint32_t>(found.top().second);
        found.pop();
      }
    }
  }

 private:
  std::unique_ptr<hnswlib::SpaceInterface<float>> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index_;
  std::vector<uint32_t> marked_;  // ids currently marked deleted by SetFilter
};

}  // namespace

std::unique_ptr<Engine> MakeHnswlibEngine() { return std::make_unique<HnswlibEngine>(); }

}  // namespace quiver::bench
