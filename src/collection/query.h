#pragma once
// The universal query (`POST /collections/{c}/points/query`) as a typed request, and the
// legacy search / recommend routes expressed in it.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "collection/operations.h"

namespace quiver {

// A vector given directly or by the id of a point whose vector is taken.
struct VectorInput {
  std::optional<VectorValue> vector;
  std::optional<PointId> id;
};

struct ContextPair {
  VectorInput positive;
  VectorInput negative;
};

struct QueryPlan {
  enum class Kind { kNone, kNearest, kRecommend, kDiscover, kContext, kOrderBy, kFusion, kSample };
  enum class Strategy { kAverageVector, kBestScore, kSumScores };
  enum class Fusion { kRrf, kDbsf };
  Kind kind = Kind::kNone;
  VectorInput nearest;                  // kNearest
  std::vector<VectorInput> positive;    // kRecommend
  std::vector<VectorInput> negative;
  Strategy strategy = Strategy::kAverageVector;
  VectorInput target;                   // kDiscover
  std::vector<ContextPair> context;     // kDiscover, kContext
  OrderBy order_by;                     // kOrderBy
  Fusion fusion = Fusion::kRrf;         // kFusion
  int rrf_k = 2;
  std::vector<float> rrf_weights;  // one per prefetch; empty = all 1
};

// Where ids in vector inputs are looked up, when not in the queried collection.
struct LookupFrom {
  std::string collection;
  std::string vector;  // "" = the same `using`
};

struct QueryRequest {
  std::vector<QueryRequest> prefetch;
  QueryPlan query;
  std::string using_vector;  // `using`; "" = the unnamed vector
  std::optional<Filter> filter;
  std::optional<float> score_threshold;
  size_t limit = 10;
  size_t offset = 0;
  // Search params (`params`): `exact` scores every candidate; `hnsw_ef` sizes the graph search
  // (default: the vector's ef_construct); `indexed_only` leaves out the unindexed vectors when
  // they are more than indexing_threshold; `quantization` for a quantized graph.
  bool exact = false;
  std::optional<size_t> hnsw_ef;
  bool indexed_only = false;
  struct QuantizationParams {
    bool ignore = false;  // traverse as usual, but rescore every candidate on float vectors
    bool rescore = true;
    float oversampling = 1.0f;
  };
  std::optional<QuantizationParams> quantization;
  std::optional<LookupFrom> lookup_from;
  PayloadSelector with_payload;
  VectorSelector with_vector;
};

// A filter that both `a` and `b` must pass (a query's filter applied to its prefetches).
Filter CombineFilters(const Filter& a, const Filter& b);

// A datetime payload value as seconds since the epoch (order_by sorts numbers and datetimes).
std::optional<double> ParseDatetimeSeconds(std::string_view text);

}  // namespace quiver
