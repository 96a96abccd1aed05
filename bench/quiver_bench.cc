// quiver-bench: Quiver's HNSW index against hnswlib and FAISS on the same data in the same run.
//
//   quiver-bench (--base F.fvecs --queries F.fvecs | --fmnist | --synthetic N,DIM,CLUSTERS,SEED)
//                [--metric l2|cosine|dot] [--k 10] [--m 16] [--ef-construct 100]
//                [--build-threads 2] [--nq 1000] [--filtered] [--json FILE]
//                [--rest http://host:port [--api-key K]]
//
// For each engine: build seconds, index memory, and single-thread queries/s with recall@k over a
// sweep of ef; then queries/s at recall >= 0.95 and >= 0.99 and the ratios best Quiver row / peer.
// See README.md ("Benchmarks") for what each figure means.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "quiver_bench_data.h"
#include "quiver_bench_engines.h"
#include "quiver_bench_report.h"
#include "quiver_bench_rest.h"
#include "quiver_bench_run.h"
#include "quiver_bench_truth.h"
#include "vector/distance.h"

namespace quiver::bench {
namespace {

constexpr int kTruthThreads = 2;

StatusOr<std::vector<size_t>> ParseList(const std::string& text, const std::string& flag) {
  std::vector<size_t> out;
  std::istringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v == 0) {
      return InvalidArgument(flag + " wants positive integers separated by commas");
    }
    out.push_back(static_cast<size_t>(v));
  }
  if (out.empty()) return InvalidArgument(flag + " is empty");
  return out;
}

struct Flags {
  std::string base, queries, synthetic, metric = "l2", json, rest, api_key;
  bool fmnist = false, filtered = false;
  size_t k = 10, nq = 1000;
  uint32_t m = 16, ef_construct = 100;
  int build_threads = 2;
  int64_t payload_m = -1;  // -1: same as m
  size_t full_scan_threshold_kb = 10000;
  uint64_t seed = 1;
  double min_time_s = 0.3;
  std::string efs = "10,16,24,32,48,64,96,128,192,256,384,512";
  std::string rest_efs = "auto";
  size_t rest_rounds = 4;
  size_t rounds = 3;
  std::string engines = "quiver,quiver-int8,hnswlib,faiss";
};

StatusOr<Dataset> LoadData(const Flags& f) {
  auto metric = ParseMetric(f.metric);
  if (!metric.ok()) return metric.status();
  int sources = (!f.base.empty() || !f.queries.empty()) + f.fmnist + !f.synthetic.empty();
  if (sources != 1) {
    return InvalidArgument("give one input: --base and --queries, --fmnist, or --synthetic");
  }
  if (f.fmnist) return LoadFashionMnist(f.nq, *metric);
  if (!f.synthetic.empty()) return MakeSyntheticFromSpec(f.synthetic, f.nq, *metric);
  if (f.base.empty() || f.queries.empty()) return InvalidArgument("--base needs --queries");
  return LoadFvecs(f.base, f.queries, f.nq, *metric);
}

int Run(const Flags& f) {
  auto efs = ParseList(f.efs, "--ef");
  auto rest_efs = f.rest_efs == "auto" ? StatusOr<std::vector<size_t>>(std::vector<size_t>{})
                                       : ParseList(f.rest_efs, "--rest-ef");
  std::string host, port;
  Status url = f.rest.empty() ? Status::Ok() : ParseRestUrl(f.rest, &host, &port);
  auto loaded = LoadData(f);
  for (const Status& s : {efs.status(), rest_efs.status(), url, loaded.status()}) {
    if (!s.ok()) {
      fmt::print(stderr, "quiver-bench: {}\n", s.message());
      return 2;
    }
  }
  const Dataset& data = *loaded;
  fmt::print(stderr, "{}: {} base, {} queries, dim {}, {} (kernels: {})\n", data.name, data.n,
             data.nq, data.dim, MetricName(data.metric), vec::KernelName());

  RunOptions options;
  options.k = f.k;
  options.efs = *efs;
  std::sort(options.efs.begin(), options.efs.end());
  options.min_time_s = f.min_time_s;
  options.rounds = f.rounds;
  options.build = {f.m, f.ef_construct, std::max(1, f.build_threads)};
  options.payload_m = f.payload_m < 0 ? f.m : static_cast<uint32_t>(f.payload_m);
  options.full_scan_threshold_kb = f.full_scan_threshold_kb;
  options.filter_seed = f.seed;

  auto start = std::chrono::steady_clock::now();
  GroundTruth truth = ComputeGroundTruth(data, f.k, nullptr, kTruthThreads);
  fmt::print(stderr, "ground truth: {:.2f} s\n",
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

  Report report;
  report.dataset = data.name;
  report.metric = data.metric;
  report.n = data.n;
  report.dim = data.dim;
  report.nq = data.nq;
  report.k = f.k;
  report.build = options.build;

  // Every engine is built first and stays alive, with its row of report.engines: the sweep
  // interleaves them.
  std::vector<std::pair<std::unique_ptr<Engine>, size_t>> built;
  QuiverEngine* quiver_f32 = nullptr;
  QuiverEngine* quiver = nullptr;  // the one the filtered runs use
  std::string filtered_variant;
  Engine *hnswlib = nullptr, *faiss = nullptr;
  std::istringstream names(f.engines);
  std::string name;
  while (std::getline(names, name, ',')) {
    std::unique_ptr<Engine> engine;
    if (name == "quiver" || name == "quiver-int8") {
      engine = MakeQuiverEngine(name == "quiver" ? QuiverVariant::kFloat32 : QuiverVariant::kInt8);
    } else if (name == "hnswlib") {
      engine = MakeHnswlibEngine();
    } else if (name == "faiss") {
      engine = MakeFaissEngine();
    } else {
      fmt::print(stderr, "quiver-bench: unknown engine {} in --engines\n", name);
      return 2;
    }
    report.engines.push_back(BuildEngine(*engine, data, options));
    if (!report.engines.back().error.empty()) continue;
    // The filtered runs use the best Quiver index built: int8 (a collection with scalar
    // quantization) when it is in the run, else float32.
    if (name == "quiver-int8" || name == "quiver") {
      auto* q = static_cast<QuiverEngine*>(engine.get());
      if (name == "quiver") quiver_f32 = q;
      if (name == "quiver-int8" || !quiver) {
        quiver = q;
        filtered_variant = name;
      }
    }
    if (name == "hnswlib") hnswlib = engine.get();
    if (name == "faiss") faiss = engine.get();
    built.emplace_back(std::move(engine), report.engines.size() - 1);
  }
  {
    std::vector<Engine*> engines;
    std::vector<EngineResult*> results;
    for (const auto& [engine, row] : built) {
      engines.push_back(engine.get());
      results.push_back(&report.engines[row]);
    }
    SweepEngines(engines, data, truth, options, results);
  }

  if (f.filtered) {
    if (quiver) fmt::print("filtered: the quiver rows search the {} index\n", filtered_variant);
    std::vector<FilterSet> sets = MakeFilterSets(data.n, options.filter_seed);
    if (quiver && options.payload_m > 0) {
      // What the collection does for an indexed keyword field (Qdrant's payload_m).
      start = std::chrono::steady_clock::now();
      for (const FilterSet& set : sets) quiver->AddPayloadLinks(set, options.payload_m);
      fmt::print(stderr, "quiver payload links (payload_m {}): {:.2f} s\n", options.payload_m,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    for (const FilterSet& set : sets) {
      auto rows = RunFiltered(data, set, quiver, hnswlib, faiss, options);
      report.filtered.insert(report.filtered.end(), rows.begin(), rows.end());
    }
  }

  int rc = 0;
  if (!f.rest.empty()) {
    RestOptions rest;
    rest.url = f.rest;
    rest.api_key = f.api_key;
    rest.efs = *rest_efs;
    const EngineResult* f32 = nullptr;
    for (const EngineResult& e : report.engines) {
      if (e.name == "quiver" && e.error.empty()) f32 = &e;
    }
    if (rest.efs.empty() && f32) rest.efs = EfsReaching(*f32, {0.95, 0.99});
    if (rest.efs.empty()) rest.efs = {32, 64, 128};  // no float32 sweep to choose from
    rest.m = f.m;
    rest.ef_construct = f.ef_construct;
    rest.min_time_s = f.min_time_s;
    rest.rounds = f.rest_rounds;
    if (quiver_f32) {
      rest.in_process_qps = [&](size_t ef) {
        std::vector<std::vector<uint32_t>> ignored;
        return TimeSearch(*quiver_f32, data, f.k, ef, f.min_time_s, &ignored);
      };
    }
    auto result = RunRest(data, truth, f.k, rest);
    if (result.ok()) {
      report.rest = std::move(result).value();
    } else {
      fmt::print(stderr, "quiver-bench: --rest: {}\n", result.status().message());
      rc = 1;
    }
  }

  PrintEngines(report);
  PrintFiltered(report);
  PrintRest(report);
  if (!f.json.empty()) {
    Status written = WriteJson(report, f.json);
    if (!written.ok()) {
      fmt::print(stderr, "quiver-bench: {}\n", written.message());
      rc = 1;
    }
  }
  return rc;
}

}  // namespace
}  // namespace quiver::bench

int main(int argc, char** argv) {
  quiver::bench::Flags f;
  CLI::App app{"quiver-bench: Quiver's HNSW index against hnswlib and FAISS"};
  app.add_option("--base", f.base, "base vectors (.fvecs)");
  app.add_option("--queries", f.queries, "query vectors (.fvecs)");
  app.add_flag("--fmnist", f.fmnist, "Fashion-MNIST from dataset-fashion-mnist (60k x 784)");
  app.add_option("--synthetic", f.synthetic, "N,DIM,CLUSTERS,SEED: Gaussian clusters");
  app.add_option("--metric", f.metric, "l2 | cosine | dot")->capture_default_str();
  app.add_option("--k", f.k, "neighbours per query (recall@k)")->capture_default_str();
  app.add_option("--m", f.m, "HNSW M")->capture_default_str();
  app.add_option("--ef-construct", f.ef_construct, "HNSW ef_construct")->capture_default_str();
  app.add_option("--build-threads", f.build_threads, "threads per build")->capture_default_str();
  app.add_option("--nq", f.nq, "queries (the first nq)")->capture_default_str();
  app.add_option("--ef", f.efs, "the ef sweep, comma-separated")->capture_default_str();
  app.add_option("--min-time", f.min_time_s, "seconds each measurement repeats for")
      ->capture_default_str();
  app.add_option("--engines", f.engines, "comma-separated subset")->capture_default_str();
  app.add_flag("--filtered", f.filtered, "also the filtered benchmark (10% and 1% selectivity)");
  app.add_option("--payload-m", f.payload_m, "Quiver's extra links per keyword value (-1: m)")
      ->capture_default_str();
  app.add_option("--full-scan-threshold-kb", f.full_scan_threshold_kb,
                 "the planner's exact-scan threshold")->capture_default_str();
  app.add_option("--seed", f.seed, "seed of the keyword attribute")->capture_default_str();
  app.add_option("--json", f.json, "write the figures as JSON to this file");
  app.add_option("--rest", f.rest, "also query a running server at http://host:port");
  app.add_option("--api-key", f.api_key, "api-key for --rest");
  app.add_option("--rest-ef", f.rest_efs,
                 "ef values for --rest (auto: where float32 Quiver reaches recall 0.95 and 0.99)")
      ->capture_default_str();
  app.add_option("--rounds", f.rounds,
                 "sweep rounds, engines interleaved at each ef; each keeps its best")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rest-rounds", f.rest_rounds,
                 "REST / in-process alternations per ef; each side keeps its best")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return quiver::bench::Run(f);
}
