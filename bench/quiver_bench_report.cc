#include "quiver_bench_report.h"

#include <fmt/core.h>

#include <fstream>
#include <functional>

#include "common/json.h"

namespace quiver::bench {
namespace {

const char* const kPeers[] = {"hnswlib", "faiss"};

bool IsQuiverRow(const EngineResult& e) { return e.name.rfind("quiver", 0) == 0; }

const EngineResult* FindEngine(const Report& report, const std::string& name) {
  for (const EngineResult& e : report.engines) {
    if (e.name == name && e.error.empty()) return &e;
  }
  return nullptr;
}

using Figure = std::function<std::optional<double>(const EngineResult&)>;

std::optional<double> Qps95(const EngineResult& e) { return e.QpsAtRecall(0.95); }
std::optional<double> Qps99(const EngineResult& e) { return e.QpsAtRecall(0.99); }
std::optional<double> BuildS(const EngineResult& e) { return e.build_s; }

struct Best {
  std::optional<double> value;
  std::string row;
};

// The best Quiver row for one figure: the highest, or the lowest when `lower_is_better`.
Best BestQuiver(const Report& report, const Figure& figure, bool lower_is_better) {
  Best best;
  for (const EngineResult& e : report.engines) {
    if (!IsQuiverRow(e) || !e.error.empty()) continue;
    std::optional<double> v = figure(e);
    if (v && (!best.value || (lower_is_better ? *v < *best.value : *v > *best.value))) {
      best = {v, e.name};
    }
  }
  return best;
}

struct Ratio {
  std::optional<double> value;  // best Quiver row / peer
  std::string row;
};

Ratio RatioTo(const Report& report, const char* peer, const Figure& figure, bool lower_better) {
  const EngineResult* p = FindEngine(report, peer);
  Best best = BestQuiver(report, figure, lower_better);
  std::optional<double> pv = p ? figure(*p) : std::nullopt;
  if (!best.value || !pv || *pv == 0) return {std::nullopt, best.row};
  return {*best.value / *pv, best.row};
}

std::string Num(std::optional<double> v, const char* format = "{:.0f}") {
  return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
}

Json OrNull(std::optional<double> v) { return v ? Json(*v) : Json(); }

}  // namespace

void PrintEngines(const Report& report) {
  fmt::print("\n{}: n={} dim={} metric={} queries={} k={}; M={} ef_construct={} build_threads={}\n",
             report.dataset, report.n, report.dim, MetricName(report.metric), report.nq, report.k,
             report.build.m, report.build.ef_construct, report.build.build_threads);
  fmt::print("\n{:<13} {:>9} {:>11} {:>11} {:>11}\n", "engine", "build_s", "memory_MiB",
             "qps@0.95", "qps@0.99");
  for (const EngineResult& e : report.engines) {
    if (!e.error.empty()) {
      fmt::print("{:<13} failed: {}\n", e.name, e.error);
      continue;
    }
    fmt::print("{:<13} {:>9.2f} {:>11.1f} {:>11} {:>11}\n", e.name, e.build_s, e.memory_mib,
               Num(Qps95(e)), Num(Qps99(e)));
  }
  // The sweep: one column per engine, "recall qps" per ef.
  fmt::print("\nsingle-thread sweep (recall@{} / queries per second)\n{:>5}", report.k, "ef");
  for (const EngineResult& e : report.engines) fmt::print("  {:>17}", e.name);
  fmt::print("\n");
  size_t rows = 0;
  for (const EngineResult& e : report.engines) rows = std::max(rows, e.sweep.size());
  for (size_t i = 0; i < rows; ++i) {
    size_t ef = 0;
    for (const EngineResult& e : report.engines) {
      if (i < e.sweep.size()) ef = e.sweep[i].ef;
    }
    fmt::print("{:>5}", ef);
    for (const EngineResult& e : report.engines) {
      if (i < e.sweep.size()) {
        fmt::print("  {:>8.4f} {:>8.0f}", e.sweep[i].recall, e.sweep[i].qps);
      } else {
        fmt::print("  {:>17}", "-");
      }
    }
    fmt::print("\n");
  }
  fmt::print(
      "\nratios, best Quiver row / peer (qps: higher is better for Quiver; build_s: lower)\n");
  fmt::print("{:<10} {:>24} {:>24} {:>24}\n", "peer", "qps@0.95", "qps@0.99", "build_s");
  for (const char* peer : kPeers) {
    fmt::print("{:<10}", peer);
    for (auto [figure, lower] : {std::pair<Figure, bool>{Qps95, false}, {Qps99, false},
                                 {BuildS, true}}) {
      Ratio r = RatioTo(report, peer, figure, lower);
      std::string cell = r.value ? fmt::format("{:.2f} ({})", *r.value, r.row) : "-";
      fmt::print(" {:>24}", cell);
    }
    fmt::print("\n");
  }
}

void PrintFiltered(const Report& report) {
  if (report.filtered.empty()) return;
  fmt::print("\nfiltered search (keyword attribute; recall@{} against the exact filtered truth)\n",
             report.k);
  fmt::print("{:<17} {:>6} {:>8} {:>8} {:>10} {:>5}  {}\n", "engine", "select", "matching",
             "recall", "qps", "ef", "note");
  for (const FilteredResult& f : report.filtered) {
    fmt::print("{:<17} {:>5.0f}% {:>8} {:>8} {:>10} {:>5}  {}\n", f.engine, f.selectivity * 100,
               f.matching, Num(f.recall, "{:.4f}"), Num(f.qps),
               f.ef ? std::to_string(*f.ef) : std::string("-"), f.note);
  }
}

void PrintRest(const Report& report) {
  if (!report.rest) return;
  const RestResult& r = *report.rest;
  fmt::print("\nREST ({}; upsert {:.2f} s, green after {:.2f} s more, {} of {} vectors indexed; "
             "batches of 100 queries)\n",
             r.collection, r.upsert_s, r.green_wait_s, r.indexed_vectors, report.n);
  fmt::print("{:>5} {:>8} {:>10} {:>14} {:>16}\n", "ef", "recall", "rest_qps", "in_process_qps",
             "rest/in_process");
  for (const RestPoint& p : r.points) {
    fmt::print("{:>5} {:>8.4f} {:>10.0f} {:>14} {:>16}\n", p.ef, p.recall, p.qps,
               Num(p.inproc_qps), Num(p.Ratio(), "{:.3f}"));
  }
  for (double target : {0.95, 0.99}) {
    if (const RestPoint* at = SmallestEfReaching(r.points, target)) {
      fmt::print("at recall >= {}: ef {}, rest/in_process {}\n", target, at->ef,
                 Num(at->Ratio(), "{:.3f}"));
    }
  }
}

Status WriteJson(const Report& report, const std::string& path) {
  Json root = Json::MakeObject();
  Json dataset = Json::MakeObject();
  dataset.Set("name", Json(report.dataset));
  dataset.Set("metric", Json(MetricName(report.metric)));
  dataset.Set("n", Json(static_cast<uint64_t>(report.n)));
  dataset.Set("dim", Json(static_cast<uint64_t>(report.dim)));
  dataset.Set("nq", Json(static_cast<uint64_t>(report.nq)));
  dataset.Set("k", Json(static_cast<uint64_t>(report.k)));
  dataset.Set("m", Json(static_cast<uint64_t>(report.build.m)));
  dataset.Set("ef_construct", Json(static_cast<uint64_t>(report.build.ef_construct)));
  dataset.Set("build_threads", Json(report.build.build_threads));
  root.Set("dataset", std::move(dataset));

  Json engines = Json::MakeArray();
  for (const EngineResult& e : report.engines) {
    bool ok = e.error.empty();
    Json row = Json::MakeObject();
    row.Set("name", Json(e.name));
    row.Set("build_s", ok ? Json(e.build_s) : Json());
    row.Set("memory_mib", ok ? Json(e.memory_mib) : Json());
    row.Set("qps_at_recall_0_95", OrNull(Qps95(e)));
    row.Set("qps_at_recall_0_99", OrNull(Qps99(e)));
    Json sweep = Json::MakeArray();
    for (const SweepPoint& p : e.sweep) {
      Json point = Json::MakeObject();
      point.Set("ef", Json(static_cast<uint64_t>(p.ef)));
      point.Set("recall", Json(p.recall));
      point.Set("qps", Json(p.qps));
      sweep.Push(std::move(point));
    }
    row.Set("sweep", std::move(sweep));
    if (!ok) row.Set("error", Json(e.error));
    engines.Push(std::move(row));
  }
  root.Set("engines", std::move(engines));

  Json ratios = Json::MakeObject();
  for (const char* peer : kPeers) {
    Json r = Json::MakeObject();
    r.Set("qps_at_recall_0_95", OrNull(RatioTo(report, peer, Qps95, false).value));
    r.Set("qps_at_recall_0_99", OrNull(RatioTo(report, peer, Qps99, false).value));
    r.Set("build_s", OrNull(RatioTo(report, peer, BuildS, true).value));
    ratios.Set(peer, std::move(r));
  }
  root.Set("ratios", std::move(ratios));

  Json filtered = Json::MakeArray();
  for (const FilteredResult& f : report.filtered) {
    Json row = Json::MakeObject();
    row.Set("engine", Json(f.engine));
    row.Set("selectivity", Json(f.selectivity));
    row.Set("recall", OrNull(f.recall));
    row.Set("qps", OrNull(f.qps));
    row.Set("ef", f.ef ? Json(static_cast<uint64_t>(*f.ef)) : Json());
    row.Set("note", Json(f.note));
    filtered.Push(std::move(row));
  }
  root.Set("filtered", std::move(filtered));

  if (report.rest) {
    Json rest = Json::MakeArray();
    for (const RestPoint& p : report.rest->points) {
      Json row = Json::MakeObject();
      row.Set("ef", Json(static_cast<uint64_t>(p.ef)));
      row.Set("recall", Json(p.recall));
      row.Set("qps", Json(p.qps));
      row.Set("in_process_qps", OrNull(p.inproc_qps));
      row.Set("ratio", OrNull(p.Ratio()));
      rest.Push(std::move(row));
    }
    root.Set("rest", std::move(rest));
  }

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return InvalidArgument("cannot write " + path);
  out << root.Dump() << "\n";
  out.close();
  if (!out) return Internal("writing " + path + " failed");
  return Status::Ok();
}

}  // namespace quiver::bench
