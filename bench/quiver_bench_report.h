#pragma once
// quiver-bench's output: readable tables on stdout and the --json file.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "quiver_bench_rest.h"
#include "quiver_bench_run.h"

namespace quiver::bench {

struct Report {
  std::string dataset;
  Metric metric = Metric::kL2;
  size_t n = 0, dim = 0, nq = 0, k = 10;
  BuildOptions build;
  std::vector<EngineResult> engines;
  std::vector<FilteredResult> filtered;
  std::optional<RestResult> rest;
};

// A Quiver row is one whose engine name starts with "quiver"; the best of them (highest qps,
// lowest build time) is compared with each peer.
void PrintEngines(const Report& report);
void PrintFiltered(const Report& report);
void PrintRest(const Report& report);

// Writes {"dataset": {...}, "engines": [...], "ratios": {...}, "filtered": [...], "rest": [...]}
// to `path`; a missing figure is null.
Status WriteJson(const Report& report, const std::string& path);

}  // namespace quiver::bench
