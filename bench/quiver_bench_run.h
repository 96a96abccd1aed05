#pragma once
// What quiver-bench measures: build time, memory and the recall / queries-per-second sweep of each
// engine, and the filtered searches at 10% and 1% selectivity.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quiver_bench_engines.h"
#include "quiver_bench_truth.h"

namespace quiver::bench {

struct RunOptions {
  size_t k = 10;
  std::vector<size_t> efs;      // the sweep, ascending
  double min_time_s = 0.3;      // each timed measurement repeats all queries at least this long
  size_t rounds = 3;            // sweep rounds; each (engine, ef) keeps its best
  BuildOptions build;
  uint32_t payload_m = 16;      // extra links per keyword value for Quiver; 0: none
  size_t full_scan_threshold_kb = 10000;  // the planner's rule, as the collection applies it
  uint64_t filter_seed = 1;
};

struct SweepPoint {
  size_t ef = 0;
  double recall = 0;
  double qps = 0;
};

struct EngineResult {
  std::string name;
  std::string error;  // non-empty: the build failed and there are no figures
  double build_s = 0;
  double memory_mib = 0;
  std::vector<SweepPoint> sweep;

  // The highest qps among sweep points with recall >= `recall`; nullopt when none reaches it.
  std::optional<double> QpsAtRecall(double recall) const;
};

// The point with the smallest ef whose recall reaches `recall` (sweep points, REST points);
// nullptr when none does.
template <class Point>
const Point* SmallestEfReaching(const std::vector<Point>& points, double recall) {
  const Point* best = nullptr;
  for (const Point& p : points) {
    if (p.recall >= recall && (!best || p.ef < best->ef)) best = &p;
  }
  return best;
}

// For each target recall, the smallest ef of the sweep that reaches it (targets no ef reaches are
// left out); ascending, without repeats.
std::vector<size_t> EfsReaching(const EngineResult& e, const std::vector<double>& recalls);

struct FilteredResult {
  std::string engine;
  double selectivity = 0;
  size_t matching = 0;
  std::optional<double> recall;
  std::optional<double> qps;
  std::optional<size_t> ef;  // the ef the figure was taken at (none for exact scans)
  std::string note;          // the path taken, or why there is no figure
};

// Runs every query through `engine` at `ef` until `min_time_s` has passed (at least once) and
// returns queries per second; `results` holds the last pass's answers.
double TimeSearch(Engine& engine, const Dataset& data, size_t k, size_t ef, double min_time_s,
                  std::vector<std::vector<uint32_t>>* results);

// Builds `engine` (timed) and measures its memory; the sweep is SweepEngines'.
EngineResult BuildEngine(Engine& engine, const Dataset& data, const RunOptions& options);

// Sweeps ef over options.efs for all `engines` (results[i] belongs to engines[i]), interleaved:
// each round measures every engine at one ef before moving to the next ef, and each (engine, ef)
// keeps its best queries/s over options.rounds rounds. On a machine whose speed moves by up to a
// factor of two within seconds, engines measured one after the other for a minute each were
// compared at different speeds; interleaved, they meet the same moments.
void SweepEngines(const std::vector<Engine*>& engines, const Dataset& data,
                  const GroundTruth& truth, const RunOptions& options,
                  const std::vector<EngineResult*>& results);

// The keyword attribute: a seeded shuffle gives 1% of the points the value "rare" and 10% of them
// the value "common". Returned in that order: 10%, then 1%.
std::vector<FilterSet> MakeFilterSets(size_t n, uint64_t seed);

// The filtered benchmark for one filter: Quiver's planner (its exact or HNSW path, by the
// collection's full-scan rule), hnswlib filtering in traversal, FAISS with an ID selector and an
// exact scan of the matching ids. When the planner scans, a "quiver-filter" row adds Quiver's
// HNSW search with the filter, picked as the peers' rows are. Engines may be null (skipped).
// `quiver` must already carry its payload links, if any.
std::vector<FilteredResult> RunFiltered(const Dataset& data, const FilterSet& filter,
                                        QuiverEngine* quiver, Engine* hnswlib, Engine* faiss,
                                        const RunOptions& options);

}  // namespace quiver::bench
