#include "quiver_bench_run.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

namespace quiver::bench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr double kFilteredTarget = 0.99;
constexpr int kTruthThreads = 2;  // the ground truth is not timed; leave the machine some room

// Repeats `pass` (one pass = every query once) until `min_time_s`; returns queries per second.
template <typename Pass>
double TimePasses(size_t nq, double min_time_s, Pass pass) {
  size_t passes = 0;
  Clock::time_point start = Clock::now();
  double elapsed = 0;
  do {
    pass();
    ++passes;
    elapsed = SecondsSince(start);
  } while (elapsed < min_time_s);
  return static_cast<double>(passes * nq) / elapsed;
}

// Exact top-k over the filter's ids for every query, single-threaded, timed.
double TimeExactScan(const Dataset& data, const FilterSet& filter, size_t k, double min_time_s,
                     std::vector<std::vector<uint32_t>>* results) {
  results->resize(data.nq);
  return TimePasses(data.nq, min_time_s, [&] {
    for (size_t q = 0; q < data.nq; ++q) {
      ExactTopK(data, data.Query(q), &filter.ids, k, &(*results)[q]);
    }
  });
}

// Sweeps ef upwards with `filter` set until recall reaches the target (qps falls as ef grows, so
// later points could only be slower). Empty when the engine cannot filter.
std::vector<SweepPoint> FilteredSweep(Engine& engine, const Dataset& data, const FilterSet& filter,
                                      const GroundTruth& truth, const RunOptions& options) {
  std::vector<SweepPoint> sweep;
  if (!engine.SetFilter(&filter)) return sweep;
  std::vector<std::vector<uint32_t>> results;
  for (size_t ef : options.efs) {
    SweepPoint p;
    p.ef = ef;
    p.qps = TimeSearch(engine, data, options.k, ef, options.min_time_s, &results);
    p.recall = MeanRecall(data, truth, results, &filter.mask);
    fmt::print(stderr, "  {} filtered {}: ef {} recall {:.4f} qps {:.0f}\n", engine.name(),
               filter.value, ef, p.recall, p.qps);
    sweep.push_back(p);
    if (p.recall >= kFilteredTarget) break;
  }
  (void)engine.SetFilter(nullptr);
  return sweep;
}

// The best qps at recall >= target, else the best recall (with its qps).
FilteredResult PickFiltered(const std::string& engine, const FilterSet& filter,
                            const std::vector<SweepPoint>& sweep) {
  FilteredResult r;
  r.engine = engine;
  r.selectivity = filter.selectivity;
  r.matching = filter.ids.size();
  if (sweep.empty()) {
    r.note = "no filtered search";
    return r;
  }
  const SweepPoint* best = nullptr;
  for (const SweepPoint& p : sweep) {
    if (p.recall >= kFilteredTarget && (best == nullptr || p.qps > best->qps)) best = &p;
  }
  if (best == nullptr) {
    best = &*std::max_element(sweep.begin(), sweep.end(), [](const auto& a, const auto& b) {
      return a.recall < b.recall;
    });
    r.note = fmt::format("recall {} not reached; best recall", kFilteredTarget);
  }
  r.recall = best->recall;
  r.qps = best->qps;
  r.ef = best->ef;
  return r;
}

}  // namespace

std::optional<double> EngineResult::QpsAtRecall(double recall) const {
  std::optional<double> best;
  for (const SweepPoint& p : sweep) {
    if (p.recall >= recall && (!best || p.qps > *best)) best = p.qps;
  }
  return best;
}

std::vector<size_t> EfsReaching(const EngineResult& e, const std::vector<double>& recalls) {
  std::vector<size_t> out;
  for (double recall : recalls) {
    if (const SweepPoint* p = SmallestEfReaching(e.sweep, recall)) out.push_back(p->ef);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double TimeSearch(Engine& engine, const Dataset& data, size_t k, size_t ef, double min_time_s,
                  std::vector<std::vector<uint32_t>>* results) {
  return TimePasses(data.nq, min_time_s, [&] { engine.SearchAll(data, k, ef, results); });
}

EngineResult BuildEngine(Engine& engine, const Dataset& data, const RunOptions& options) {
  EngineResult r;
  r.name = engine.name();
  fmt::print(stderr, "building {} ...\n", r.name);
  Clock::time_point start = Clock::now();
  Status built = engine.Build(data, options.build);
  r.build_s = SecondsSince(start);
  if (!built.ok()) {
    r.error = built.message();
    fmt::print(stderr, "  {} failed: {}\n", r.name, r.error);
    return r;
  }
  r.memory_mib = static_cast<double>(engine.MemoryBytes()) / (1024.0 * 1024.0);
  fmt::print(stderr, "  {} built in {:.2f} s, {:.1f} MiB\n", r.name, r.build_s, r.memory_mib);
  return r;
}

void SweepEngines(const std::vector<Engine*>& engines, const Dataset& data,
                  const GroundTruth& truth, const RunOptions& options,
                  const std::vector<EngineResult*>& results) {
  for (EngineResult* r : results) r->sweep.assign(options.efs.size(), SweepPoint{});
  std::vector<std::vector<uint32_t>> answers;
  for (size_t round = 1; round <= std::max<size_t>(1, options.rounds); ++round) {
    for (size_t i = 0; i < options.efs.size(); ++i) {
      for (size_t e = 0; e < engines.size(); ++e) {
        const size_t ef = options.efs[i];
        SweepPoint& p = results[e]->sweep[i];
        const double qps = TimeSearch(*engines[e], data, options.k, ef, options.min_time_s,
                                      &answers);
        p.ef = ef;
        p.recall = MeanRecall(data, truth, answers);  // the same answers every round
        p.qps = std::max(p.qps, qps);
        fmt::print(stderr, "  round {}: {} ef {} recall {:.4f} qps {:.0f}\n", round,
                   results[e]->name, ef, p.recall, qps);
      }
    }
  }
}

std::vector<FilterSet> MakeFilterSets(size_t n, uint64_t seed) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  size_t rare = std::max<size_t>(1, static_cast<size_t>(std::llround(0.01 * n)));
  size_t common = std::max<size_t>(1, static_cast<size_t>(std::llround(0.10 * n)));
  FilterSet ten{"common", 0.10, {}, std::vector<uint8_t>(n, 0)};
  FilterSet one{"rare", 0.01, {}, std::vector<uint8_t>(n, 0)};
  for (size_t i = 0; i < n && i < rare + common; ++i) {
    FilterSet& set = i < rare ? one : ten;
    set.ids.push_back(order[i]);
    set.mask[order[i]] = 1;
  }
  std::sort(ten.ids.begin(), ten.ids.end());
  std::sort(one.ids.begin(), one.ids.end());
  return {std::move(ten), std::move(one)};
}

std::vector<FilteredResult> RunFiltered(const Dataset& data, const FilterSet& filter,
                                        QuiverEngine* quiver, Engine* hnswlib, Engine* faiss,
                                        const RunOptions& options) {
  fmt::print(stderr, "filtered ground truth for {} ({} ids) ...\n", filter.value,
             filter.ids.size());
  GroundTruth truth = ComputeGroundTruth(data, options.k, &filter.ids, kTruthThreads);
  std::vector<FilteredResult> out;
  std::vector<std::vector<uint32_t>> results;

  if (quiver != nullptr) {
    // The collection's rule: when the matching vectors fit under full_scan_threshold_kb, an
    // exact scan of them is cheaper than a filtered graph walk.
    size_t matching_kb = filter.ids.size() * data.dim * sizeof(float) / 1024;
    FilteredResult r;
    if (matching_kb < options.full_scan_threshold_kb) {
      r.engine = "quiver-planner";
      r.selectivity = filter.selectivity;
      r.matching = filter.ids.size();
      r.qps = TimeExactScan(data, filter, options.k, options.min_time_s, &results);
      r.recall = MeanRecall(data, truth, results, &filter.mask);
      r.note = fmt::format("exact scan ({} KiB < {} KiB)", matching_kb,
                           options.full_scan_threshold_kb);
    } else {
      // The smallest ef reaching the target; the sweep stops there.
      r = PickFiltered("quiver-planner", filter,
                       FilteredSweep(*quiver, data, filter, truth, options));
      if (r.ef) {
        r.note = fmt::format("hnsw ef {} ({} KiB >= {} KiB){}", *r.ef, matching_kb,
                             options.full_scan_threshold_kb,
                             *r.recall < kFilteredTarget ? "; recall 0.99 not reached" : "");
      }
    }
    out.push_back(r);
    if (!r.ef) {
      // The planner scanned: show the graph path too, to compare it with the peers' traversal.
      out.push_back(PickFiltered("quiver-filter", filter,
                                 FilteredSweep(*quiver, data, filter, truth, options)));
    }
  }
  if (hnswlib != nullptr) {
    out.push_back(PickFiltered("hnswlib-filter", filter,
                               FilteredSweep(*hnswlib, data, filter, truth, options)));
  }
  if (faiss != nullptr) {
    out.push_back(PickFiltered("faiss-idselector", filter,
                               FilteredSweep(*faiss, data, filter, truth, options)));
  }
  FilteredResult exact;
  exact.engine = "exact-scan";
  exact.selectivity = filter.selectivity;
  exact.matching = filter.ids.size();
  exact.qps = TimeExactScan(data, filter, options.k, options.min_time_s, &results);
  exact.recall = MeanRecall(data, truth, results, &filter.mask);
  out.push_back(exact);
  return out;
}

}  // namespace quiver::bench
