#pragma once
// --rest URL: the same queries through a running Quiver (or Qdrant) server's REST API, to measure
// what HTTP and JSON cost on top of the index.
//
// It creates the collection `bench_<pid>` (the data's size and distance, hnsw_config m and
// ef_construct), upserts the base in batches of 1000 with wait=true, waits until the collection
// reports status green, sends the queries as `points/query/batch` requests of 100 searches at each
// ef, and deletes the collection at the end (also after an error, as far as the server lets it).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "quiver_bench_data.h"
#include "quiver_bench_truth.h"

namespace quiver::bench {

struct RestOptions {
  std::string url;        // http://host:port (no TLS)
  std::string api_key;    // sent as `api-key` when not empty
  std::vector<size_t> efs;
  uint32_t m = 16;
  uint32_t ef_construct = 100;
  double min_time_s = 0.3;
  double green_timeout_s = 600;  // how long to wait for the collection to turn green
};

struct RestPoint {
  size_t ef = 0;
  double recall = 0;
  double qps = 0;
  std::optional<double> inproc_qps;  // Quiver in process at the same ef, when it was measured
};

struct RestResult {
  std::string collection;
  double upsert_s = 0;      // all batches, wait=true
  double green_wait_s = 0;  // after the last upsert until status green
  std::vector<RestPoint> points;
};

// Splits http://host[:port] (port 80 by default; no path, no TLS); kInvalidArgument otherwise.
Status ParseRestUrl(const std::string& url, std::string* host, std::string* port);

// Runs the REST benchmark. Errors: a malformed URL, a connection failure, a non-2xx answer (with
// its body), a collection that does not turn green in time.
StatusOr<RestResult> RunRest(const Dataset& data, const GroundTruth& truth, size_t k,
                             const RestOptions& options);

}  // namespace quiver::bench
