// The search family: nearest, recommend, discover, context, fusion, order_by, sample, groups,
// distance matrix. Scores are computed by an exact scan over the candidate slots; the HNSW
// index (a later issue) replaces that scan in RunQuery for dense vectors.
//
// Internally every score is a similarity where larger is better, as in Qdrant: Euclid is the
// negated squared distance, Manhattan the negated L1 distance. Nearest-neighbour results are
// converted back to Qdrant's reported score (the distance itself) at the end.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>
#include <unordered_set>

#include "collection/collection.h"
#include "vector/distance.h"

namespace quiver {
namespace {

float FastSigmoid(float x) { return x / (1.0f + std::fabs(x)); }
float ScaledFastSigmoid(float x) { return 0.5f * (FastSigmoid(x) + 1.0f); }

float DenseSimilarity(Distance d, const float* a, const float* b, size_t n) {
  switch (d) {
    case Distance::kCosine:
    case Distance::kDot: return vec::Dot(a, b, n);
    case Distance::kEuclid: return -vec::L2Squared(a, b, n);
    case Distance::kManhattan: return -vec::L1(a, b, n);
  }
  return 0;
}

float SparseDot(const SparseVector& a, const SparseVector& b) {
  float sum = 0;
  size_t i = 0, j = 0;
  while (i < a.indices.size() && j < b.indices.size()) {
    if (a.indices[i] == b.indices[j]) {
      sum += a.values[i++] * b.values[j++];
    } else if (a.indices[i] < b.indices[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return sum;
}

// max_sim: for each query row, the best similarity to any document row, summed.
float MaxSim(Distance d, const MultiVector& q, const MultiVector& doc) {
  float sum = 0;
  for (size_t r = 0; r < q.rows(); ++r) {
    float best = -INFINITY;
    for (size_t c = 0; c < doc.rows(); ++c) {
      best = std::max(best, DenseSimilarity(d, q.row(r), doc.row(c), q.dim));
    }
    sum += best;
  }
  return sum;
}

// Qdrant reports nearest-neighbour scores as the distance for Euclid and Manhattan.
float ReportedScore(Distance d, float similarity) {
  if (d == Distance::kEuclid) return std::sqrt(std::fabs(similarity));
  if (d == Distance::kManhattan) return std::fabs(similarity);
  return similarity;
}

// Inverse of ReportedScore, for score_threshold.
float ThresholdSimilarity(Distance d, float threshold) {
  if (d == Distance::kEuclid) return -threshold * threshold;
  if (d == Distance::kManhattan) return -threshold;
  return threshold;
}

// The query of recommend's average_vector strategy (Qdrant's rule): dense examples average to
// avg_pos + (avg_pos - avg_neg); multivectors pool their rows, negatives joining negated.
// REQUIRES: pos non-empty, all examples of one kind (conformed to the same vector).
StatusOr<VectorValue> AverageExamples(const std::vector<VectorValue>& pos,
                                      const std::vector<VectorValue>& neg) {
  if (const auto* multi = std::get_if<MultiVector>(&pos[0])) {
    MultiVector merged{multi->dim, {}};
    for (const auto& v : pos) {
      const auto& m = std::get<MultiVector>(v);
      merged.data.insert(merged.data.end(), m.data.begin(), m.data.end());
    }
    for (const auto& v : neg) {
      for (float x : std::get<MultiVector>(v).data) merged.data.push_back(-x);
    }
    return VectorValue(std::move(merged));
  }
  if (std::get_if<DenseVector>(&pos[0]) == nullptr) {
    return InvalidArgument("Bad request: average_vector supports dense and multi vectors only");
  }
  auto average = [](const std::vector<VectorValue>& vs) {
    DenseVector avg(std::get<DenseVector>(vs[0]).size(), 0.0f);
    for (const auto& v : vs) {
      const auto& d = std::get<DenseVector>(v);
      for (size_t i = 0; i < avg.size(); ++i) avg[i] += d[i];
    }
    for (float& x : avg) x /= static_cast<float>(vs.size());
    return avg;
  };
  DenseVector q = average(pos);
  if (!neg.empty()) {
    DenseVector n = average(neg);
    for (size_t i = 0; i < q.size(); ++i) q[i] = q[i] + q[i] - n[i];
  }
  return VectorValue(std::move(q));
}

bool Better(float a_score, const PointId& a_id, float b_score, const PointId& b_id) {
  if (a_score != b_score) return a_score > b_score;
  return a_id < b_id;
}

}  // namespace

Filter CombineFilters(const Filter& a, const Filter& b) {
  Filter both;
  both.must = std::vector<Condition>{std::make_shared<const Filter>(a),
                                     std::make_shared<const Filter>(b)};
  return both;
}

std::optional<double> ParseDatetimeSeconds(std::string_view text) {
  std::optional<Datetime> t = ParseDatetime(text);
  if (!t) return std::nullopt;
  return static_cast<double>(t->seconds) + t->nanos * 1e-9;
}

// Similarity between query vectors and the stored vector `name` of each slot.
class Collection::Scorer {
 public:
  Scorer(const Collection& c, const std::string& name) : c_(c), name_(name) {
    if (auto it = c.dense_.find(name); it != c.dense_.end()) {
      dense_ = &it->second;
      distance_ = it->second.distance;
    } else if (auto ot = c.other_.find(name); ot != c.other_.end()) {
      other_ = &ot->second;
      if (const VectorParams* p = c.config_.FindVector(name)) distance_ = p->distance;
      else distance_ = Distance::kDot;  // sparse vectors score by dot product
    }
  }
  bool known() const { return dense_ != nullptr || other_ != nullptr; }
  // A sparse query reaches only points sharing an index with it (Qdrant searches the inverted
  // index, so points without overlap are never candidates).
  bool Reaches(uint32_t slot, const VectorValue& q) const {
    const auto* query = std::get_if<SparseVector>(&q);
    if (dense_ || query == nullptr) return true;
    const auto* stored = std::get_if<SparseVector>(&*(*other_)[slot]);
    if (stored == nullptr) return true;
    size_t i = 0, j = 0;
    while (i < query->indices.size() && j < stored->indices.size()) {
      if (query->indices[i] == stored->indices[j]) return true;
      if (query->indices[i] < stored->indices[j]) ++i;
      else ++j;
    }
    return false;
  }
  Distance distance() const { return distance_; }
  bool Has(uint32_t slot) const {
    return dense_ ? dense_->present[slot] != 0 : (*other_)[slot].has_value();
  }
  // REQUIRES: Has(slot), and `q` of the vector's kind (checked by Check()).
  float Similarity(uint32_t slot, const VectorValue& q) const {
    if (dense_) {
      const auto& d = std::get<DenseVector>(q);
      return DenseSimilarity(distance_, d.data(), dense_->data.data() + size_t{slot} * dense_->dim,
                             dense_->dim);
    }
    const VectorValue& stored = *(*other_)[slot];
    if (const auto* s = std::get_if<SparseVector>(&stored)) {
      return SparseDot(std::get<SparseVector>(q), *s);
    }
    return MaxSim(distance_, std::get<MultiVector>(q), std::get<MultiVector>(stored));
  }
  // Makes a query vector comparable with the stored ones (kind, dimension, Cosine normalising).
  Status Conform(VectorValue* q) const { return ConformVector(c_.config_, name_, q); }

 private:
  const Collection& c_;
  std::string name_;
  const DenseColumn* dense_ = nullptr;
  const std::vector<std::optional<VectorValue>>* other_ = nullptr;
  Distance distance_ = Distance::kDot;
};

StatusOr<VectorValue> Collection::ResolveInput(const VectorInput& input,
                                               const std::string& using_vector,
                                               std::vector<PointId>* used_ids) const {
  if (input.vector) return *input.vector;
  const PointId& id = *input.id;
  used_ids->push_back(id);
  auto it = offsets_.find(id);
  if (it == offsets_.end()) return NotFound("No point with id " + id.ToString() + " found");
  return VectorAt(it->second, using_vector);
}

StatusOr<std::vector<Collection::Scored>> Collection::RunQuery(const QueryRequest& req,
                                                               size_t limit) const {
  using Kind = QueryPlan::Kind;
  const QueryPlan& plan = req.query;

  // Prefetches give the candidate slots; the filter of this level applies to them too.
  std::vector<std::vector<Scored>> prefetched;
  for (const QueryRequest& sub : req.prefetch) {
    QueryRequest inner = sub;
    if (req.filter) {
      if (inner.filter) inner.filter = CombineFilters(*req.filter, *inner.filter);
      else inner.filter = req.filter;
    }
    QUIVER_ASSIGN_OR_RETURN(auto list, RunQuery(inner, inner.limit));
    prefetched.push_back(std::move(list));
  }
  std::optional<std::vector<uint32_t>> candidates;
  if (!req.prefetch.empty()) {
    std::vector<uint32_t> c;
    for (const auto& list : prefetched)
      for (const Scored& s : list) c.push_back(s.slot);
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    candidates = std::move(c);
  }
  // The payload indexes narrow a full scan; prefetched candidates are few, checked one by one.
  SlotFilter filter = PrepareFilter(req.filter, /*with_candidates=*/!candidates);
  auto for_each_candidate = [&](auto&& fn) {
    if (candidates) {
      for (uint32_t s : *candidates) if (slots_[s].live && Passes(s, filter)) fn(s);
    } else {
      ForEachMatch(filter, fn);
    }
  };
  auto top = [&](std::vector<Scored> all, size_t n) {
    auto better = [&](const Scored& a, const Scored& b) {
      return Better(a.score, slots_[a.slot].id, b.score, slots_[b.slot].id);
    };
    if (all.size() > n) {
      std::partial_sort(all.begin(), all.begin() + n, all.end(), better);
      all.resize(n);
    } else {
      std::sort(all.begin(), all.end(), better);
    }
    return all;
  };

  switch (plan.kind) {
    case Kind::kNone: {
      if (!prefetched.empty()) {
        std::vector<Scored> out;
        for (const Scored& s : prefetched[0]) {
          if (Passes(s.slot, filter)) out.push_back(s);
        }
        if (out.size() > limit) out.resize(limit);
        return out;
      }
      std::vector<Scored> all;
      for_each_candidate([&](uint32_t s) { all.push_back({s, 0.0f}); });
      return top(std::move(all), limit);
    }
    case Kind::kNearest:
    case Kind::kRecommend:
    case Kind::kDiscover:
    case Kind::kContext: {
      Scorer scorer(*this, req.using_vector);
      if (!scorer.known()) {
        return InvalidArgument("Wrong input: Not existing vector name error: " + req.using_vector);
      }
      std::vector<PointId> used_ids;
      auto resolve = [&](const VectorInput& in) -> StatusOr<VectorValue> {
        QUIVER_ASSIGN_OR_RETURN(VectorValue v, ResolveInput(in, req.using_vector, &used_ids));
        QUIVER_RETURN_IF_ERROR(scorer.Conform(&v));
        return v;
      };
      std::function<float(uint32_t)> score;
      bool reported_as_distance = false;
      std::vector<VectorValue> pos, neg;
      auto resolve_examples = [&]() -> Status {
        for (const auto& in : plan.positive) {
          QUIVER_ASSIGN_OR_RETURN(auto v, resolve(in));
          pos.push_back(std::move(v));
        }
        for (const auto& in : plan.negative) {
          QUIVER_ASSIGN_OR_RETURN(auto v, resolve(in));
          neg.push_back(std::move(v));
        }
        return Status::Ok();
      };
      VectorValue single;
      std::vector<std::pair<VectorValue, VectorValue>> pairs;
      if (plan.kind == Kind::kNearest ||
          (plan.kind == Kind::kRecommend &&
           plan.strategy == QueryPlan::Strategy::kAverageVector)) {
        if (plan.kind == Kind::kNearest) {
          QUIVER_ASSIGN_OR_RETURN(single, resolve(plan.nearest));
        } else {
          if (plan.positive.empty()) {
            return InvalidArgument(
                "Bad request: Positive vectors should not be empty with `average` strategy");
          }
          QUIVER_RETURN_IF_ERROR(resolve_examples());
          QUIVER_ASSIGN_OR_RETURN(single, AverageExamples(pos, neg));
          QUIVER_RETURN_IF_ERROR(scorer.Conform(&single));
        }
        score = [&](uint32_t s) { return scorer.Similarity(s, single); };
        reported_as_distance = true;
      } else if (plan.kind == Kind::kRecommend) {
        if (plan.positive.empty() && plan.negative.empty()) {
          return InvalidArgument("Bad request: At least one positive or negative vector is required");
        }
        QUIVER_RETURN_IF_ERROR(resolve_examples());
        if (plan.strategy == QueryPlan::Strategy::kBestScore) {
          score = [&](uint32_t s) {
            float max_pos = -INFINITY, max_neg = -INFINITY;
            for (const auto& v : pos) max_pos = std::max(max_pos, scorer.Similarity(s, v));
            for (const auto& v : neg) max_neg = std::max(max_neg, scorer.Similarity(s, v));
            return max_pos > max_neg ? ScaledFastSigmoid(max_pos) : -ScaledFastSigmoid(max_neg);
          };
        } else {
          score = [&](uint32_t s) {
            float sum = 0;
            for (const auto& v : pos) sum += scorer.Similarity(s, v);
            for (const auto& v : neg) sum -= scorer.Similarity(s, v);
            return sum;
          };
        }
      } else {
        for (const ContextPair& p : plan.context) {
          QUIVER_ASSIGN_OR_RETURN(auto a, resolve(p.positive));
          QUIVER_ASSIGN_OR_RETURN(auto b, resolve(p.negative));
          pairs.emplace_back(std::move(a), std::move(b));
        }
        if (plan.kind == Kind::kDiscover) {
          QUIVER_ASSIGN_OR_RETURN(single, resolve(plan.target));
          score = [&](uint32_t s) {
            int rank = 0;
            for (const auto& [p, n] : pairs) {
              float ps = scorer.Similarity(s, p), ns = scorer.Similarity(s, n);
              rank += ps > ns ? 1 : (ps < ns ? -1 : 0);
            }
            return static_cast<float>(rank) + ScaledFastSigmoid(scorer.Similarity(s, single));
          };
        } else {
          score = [&](uint32_t s) {
            float sum = 0;
            for (const auto& [p, n] : pairs) {
              float diff = scorer.Similarity(s, p) - scorer.Similarity(s, n) -
                           std::numeric_limits<float>::epsilon();
              sum += FastSigmoid(std::min(diff, 0.0f));
            }
            return sum;
          };
        }
      }
      std::unordered_set<PointId, PointIdHash> excluded(used_ids.begin(), used_ids.end());
      std::optional<float> threshold;
      if (req.score_threshold) {
        threshold = reported_as_distance ? ThresholdSimilarity(scorer.distance(), *req.score_threshold)
                                         : *req.score_threshold;
      }
      std::optional<std::vector<Scored>> indexed;
      const auto* dense_query = std::get_if<DenseVector>(&single);
      if (reported_as_distance && dense_query && !candidates) {
        // One query vector over a dense vector: the HNSW segment, when the planner agrees.
        // The graph holds only points that have this vector: only excluded ids restrict it.
        std::function<bool(uint32_t)> eligible;
        if (!excluded.empty()) {
          eligible = [&](uint32_t s) { return scorer.Has(s) && !excluded.count(slots_[s].id); };
        }
        indexed = IndexedNearest(req, *dense_query, filter, eligible, score, threshold, limit);
      }
      std::vector<Scored> all;
      if (indexed) {
        all = std::move(*indexed);
      } else {
        for_each_candidate([&](uint32_t s) {
          if (!scorer.Has(s) || excluded.count(slots_[s].id)) return;
          if (plan.kind == Kind::kNearest && !scorer.Reaches(s, single)) return;
          float sc = score(s);
          if (threshold && sc < *threshold) return;
          all.push_back({s, sc});
        });
      }
      std::vector<Scored> best = top(std::move(all), limit);
      if (reported_as_distance) {
        for (Scored& s : best) s.score = ReportedScore(scorer.distance(), s.score);
      }
      return best;
    }
    case Kind::kFusion: {
      std::unordered_map<uint32_t, float> fused;
      if (plan.fusion == QueryPlan::Fusion::kRrf) {
        if (!plan.rrf_weights.empty() && plan.rrf_weights.size() != prefetched.size()) {
          return InvalidArgument("Bad request: the number of RRF weights must match the number of "
                                 "prefetches");
        }
        for (size_t list_index = 0; list_index < prefetched.size(); ++list_index) {
          const auto& list = prefetched[list_index];
          float weight = plan.rrf_weights.empty() ? 1.0f : plan.rrf_weights[list_index];
          if (weight <= 0) continue;
          // 1 / (rank / weight + k), rank counted from 1: the weighted form of 1 / (rank + k).
          for (size_t rank = 0; rank < list.size(); ++rank) {
            fused[list[rank].slot] +=
                1.0f / ((static_cast<float>(rank) + 1.0f) / weight + static_cast<float>(plan.rrf_k) - 1.0f);
          }
        }
      } else {
        // Distribution-based score fusion: each list normalised by mean +- 3 sigma.
        for (const auto& list : prefetched) {
          if (list.empty()) continue;
          double mean = 0, sq = 0;
          for (const Scored& s : list) mean += s.score;
          mean /= list.size();
          for (const Scored& s : list) sq += (s.score - mean) * (s.score - mean);
          double sigma = list.size() > 1 ? std::sqrt(sq / (list.size() - 1)) : 0;
          double lo = mean - 3 * sigma, hi = mean + 3 * sigma;
          for (const Scored& s : list) {
            double norm = hi == lo ? 0.5 : (s.score - lo) / (hi - lo);
            fused[s.slot] += static_cast<float>(std::clamp(norm, 0.0, 1.0));
          }
        }
      }
      std::vector<Scored> all;
      for (const auto& [slot, sc] : fused) {
        if (!Passes(slot, filter)) continue;
        if (req.score_threshold && sc < *req.score_threshold) continue;
        all.push_back({slot, sc});
      }
      return top(std::move(all), limit);
    }
    case Kind::kOrderBy: {
      QUIVER_RETURN_IF_ERROR(CheckRangeIndex(plan.order_by.key));
      QUIVER_RETURN_IF_ERROR(PayloadPath::Parse(plan.order_by.key).status());
      bool desc = plan.order_by.descending;
      std::vector<Scored> all;
      if (limit == 0) return all;
      // The range index yields values in order: a point's first value met is its smallest
      // (largest when descending). Stop after `limit` points and the ties of the last one.
      std::optional<index::Bitmap> allowed;
      if (candidates) {
        allowed.emplace();
        allowed->addMany(candidates->size(), candidates->data());
      }
      index::Bitmap seen;
      double last = 0;
      ForEachOrderedValue(plan.order_by.key, desc, [&](double v, uint32_t s) {
        if (all.size() >= limit && v != last) return false;
        if (seen.contains(s) || (allowed && !allowed->contains(s))) return true;
        if (allowed ? !(slots_[s].live && Passes(s, filter)) : !Admits(s, filter)) return true;
        seen.add(s);
        all.push_back({s, static_cast<float>(desc ? v : -v)});
        last = v;
        return true;
      });
      std::vector<Scored> best = top(std::move(all), limit);
      for (Scored& s : best) s.score = desc ? s.score : -s.score;
      return best;
    }
    case Kind::kSample: {
      std::vector<Scored> all;
      for_each_candidate([&](uint32_t s) { all.push_back({s, 0.0f}); });
      std::mt19937_64 rng(std::random_device{}());
      std::shuffle(all.begin(), all.end(), rng);
      if (all.size() > limit) all.resize(limit);
      return all;
    }
  }
  return std::vector<Scored>();
}

StatusOr<std::vector<PointOut>> Collection::Query(const QueryRequest& request) const {
  std::shared_lock lock(mu_);
  QUIVER_RETURN_IF_ERROR(CheckVectorSelector(request.with_vector));
  // Saturating: limit may be u64::MAX.
  size_t wanted = request.limit > SIZE_MAX - request.offset ? SIZE_MAX : request.limit + request.offset;
  QUIVER_ASSIGN_OR_RETURN(auto scored, RunQuery(request, wanted));
  std::vector<PointOut> out;
  for (size_t i = request.offset; i < scored.size(); ++i) {
    PointOut p = Render(scored[i].slot, request.with_payload, request.with_vector);
    p.score = scored[i].score;
    out.push_back(std::move(p));
  }
  return out;
}

StatusOr<std::vector<GroupResult>> Collection::QueryGroups(const QueryRequest& request,
                                                           const std::string& group_by,
                                                           size_t group_size) const {
  std::shared_lock lock(mu_);
  QUIVER_ASSIGN_OR_RETURN(PayloadPath path, PayloadPath::Parse(group_by));
  // Score everything the query can reach, then fill groups best-first.
  QUIVER_ASSIGN_OR_RETURN(auto scored, RunQuery(request, slots_.size()));
  std::vector<GroupResult> groups;
  for (const Scored& s : scored) {
    for (const Json* v : ValuesAtPath(slots_[s.slot].payload, path)) {
      if (!v->is_string() && !v->is_integer()) continue;
      auto it = std::find_if(groups.begin(), groups.end(), [&](const GroupResult& g) { return g.id == *v; });
      if (it == groups.end()) {
        if (groups.size() >= request.limit) continue;
        groups.push_back({*v, {}});
        it = groups.end() - 1;
      }
      if (it->hits.size() >= group_size) continue;
      if (std::any_of(it->hits.begin(), it->hits.end(), [&](const PointOut& p) { return p.id == slots_[s.slot].id; })) continue;
      PointOut p = Render(s.slot, request.with_payload, request.with_vector);
      p.score = s.score;
      it->hits.push_back(std::move(p));
    }
  }
  return groups;
}

StatusOr<MatrixResult> Collection::Matrix(const std::optional<Filter>& filter, size_t sample,
                                          size_t limit, const std::string& using_vector) const {
  std::shared_lock lock(mu_);
  Scorer scorer(*this, using_vector);
  if (!scorer.known()) {
    return InvalidArgument("Wrong input: Not existing vector name error: " + using_vector);
  }
  std::vector<uint32_t> pool;
  ForEachMatch(PrepareFilter(filter), [&](uint32_t s) {
    if (scorer.Has(s)) pool.push_back(s);
  });
  std::mt19937_64 rng(std::random_device{}());
  std::shuffle(pool.begin(), pool.end(), rng);
  if (pool.size() > sample) pool.resize(sample);
  std::sort(pool.begin(), pool.end(), [&](uint32_t a, uint32_t b) { return slots_[a].id < slots_[b].id; });
  MatrixResult result;
  for (uint32_t s : pool) result.ids.push_back(slots_[s].id);
  for (size_t r = 0; r < pool.size(); ++r) {
    QUIVER_ASSIGN_OR_RETURN(VectorValue q, VectorAt(pool[r], using_vector));
    std::vector<MatrixResult::Entry> row;
    for (size_t c = 0; c < pool.size(); ++c) {
      if (c == r) continue;
      row.push_back({r, c, scorer.Similarity(pool[c], q)});
    }
    size_t n = std::min(limit, row.size());
    std::partial_sort(row.begin(), row.begin() + n, row.end(),
                      [](const auto& a, const auto& b) { return a.score > b.score; });
    for (size_t i = 0; i < n; ++i) {
      row[i].score = ReportedScore(scorer.distance(), row[i].score);
      result.entries.push_back(row[i]);
    }
  }
  return result;
}

}  // namespace quiver
