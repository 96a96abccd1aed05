#pragma once
// --rest URL: the same queries through a running Quiver (or Qdrant) server's REST API, to measure
// what HTTP and JSON cost on top of the index.
//
// It creates the collection `bench_<pid>` (the data's size and distance, hnsw_config m and
// ef_construct) and loads it as Qdrant's documentation advises for bulk uploads: indexing off
// (`indexing_threshold` 0), the base upserted in batches of 1000 with wait=true, then indexing on
// again (`indexing_threshold` 10000, the default), so one build indexes every vector. It waits
// until the collection reports status green, sends the queries as `points/query/batch` requests
// of 100 searches at each ef, and deletes the collection at the end (also after an error, as far
// as the server lets it).
//
// Each ef is measured `rounds` times, alternating with Quiver's in-process search at the same ef
// (`in_process_qps`), and each side keeps its best figure: on a shared machine whose speed moves
// by a factor of two within seconds, the best of several runs is the one least slowed by others,
// and both sides get the same number of tries in the same minute.

#include <cstddef>
#include <functional>
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
  size_t rounds = 4;             // REST / in-process alternations per ef
  double green_timeout_s = 600;  // how long to wait for the collection to turn green
  // Quiver's in-process queries/s at one ef, on the index type the collection uses (float32).
  std::function<double(size_t ef)> in_process_qps;
};

struct RestPoint {
  size_t ef = 0;
  double recall = 0;
  double qps = 0;
  std::optional<double> inproc_qps;  // Quiver in process at the same ef, alongside

  // qps / inproc_qps, when both are there.
  std::optional<double> Ratio() const {
    if (!inproc_qps || *inproc_qps <= 0) return std::nullopt;
    return qps / *inproc_qps;
  }
};

struct RestResult {
  std::string collection;
  double upsert_s = 0;      // all batches, wait=true
  double green_wait_s = 0;  // after indexing was switched on until status green
  uint64_t indexed_vectors = 0;  // the collection's indexed_vectors_count when green
  std::vector<RestPoint> points;
};

// Splits http://host[:port] (port 80 by default; no path, no TLS); kInvalidArgument otherwise.
Status ParseRestUrl(const std::string& url, std::string* host, std::string* port);

// Runs the REST benchmark. Errors: a malformed URL, a connection failure, a non-2xx answer (with
// its body), a collection that does not turn green in time.
StatusOr<RestResult> RunRest(const Dataset& data, const GroundTruth& truth, size_t k,
                             const RestOptions& options);

}  // namespace quiver::bench
