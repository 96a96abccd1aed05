#include "quiver_bench_data.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>

#include "vector/distance.h"

namespace quiver::bench {
namespace {

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

void NormalizeAll(std::vector<float>* v, size_t dim) {
  for (size_t off = 0; off + dim <= v->size(); off += dim) vec::Normalize(v->data() + off, dim);
}

void FinishMetric(Dataset* d) {
  if (d->metric == Metric::kCosine) {
    NormalizeAll(&d->base, d->dim);
    NormalizeAll(&d->queries, d->dim);
  }
}

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Reads an IDX3 (unsigned byte images) file compressed with gzip: magic 0x00000803, count, rows,
// columns (big-endian int32), then count * rows * cols pixels. At most `limit` images if > 0.
StatusOr<std::vector<float>> ReadIdxImagesGz(const std::string& path, size_t limit, size_t* dim) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) return InvalidArgument("cannot open " + path);
  unsigned char header[16];
  if (gzread(f.get(), header, sizeof(header)) != sizeof(header) ||
      BigEndian32(header) != 0x00000803) {
    return InvalidArgument(path + ": not an IDX3 image file");
  }
  size_t count = BigEndian32(header + 4);
  *dim = size_t{BigEndian32(header + 8)} * BigEndian32(header + 12);
  if (limit > 0 && limit < count) count = limit;
  std::vector<unsigned char> pixels(count * *dim);
  // gzread takes an unsigned int length: read in chunks.
  size_t done = 0;
  while (done < pixels.size()) {
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(pixels.size() - done, 1 << 30));
    int got = gzread(f.get(), pixels.data() + done, chunk);
    if (got <= 0) return InvalidArgument(path + ": truncated");
    done += static_cast<size_t>(got);
  }
  return std::vector<float>(pixels.begin(), pixels.end());
}

}  // namespace

StatusOr<Metric> ParseMetric(const std::string& name) {
  if (name == "l2") return Metric::kL2;
  if (name == "cosine") return Metric::kCosine;
  if (name == "dot") return Metric::kDot;
  return InvalidArgument("--metric must be l2, cosine or dot, not " + name);
}

const char* MetricName(Metric metric) {
  switch (metric) {
    case Metric::kL2: return "l2";
    case Metric::kCosine: return "cosine";
    case Metric::kDot: return "dot";
  }
  return "?";
}

StatusOr<std::vector<float>> ReadFvecs(const std::string& path, size_t limit, size_t* dim) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) return InvalidArgument("cannot open " + path);
  std::vector<float> out;
  *dim = 0;
  for (size_t count = 0; limit == 0 || count < limit; ++count) {
    int32_t d = 0;
    if (std::fread(&d, sizeof(d), 1, f.get()) != 1) break;  // end of file
    if (d <= 0 || (*dim != 0 && static_cast<size_t>(d) != *dim)) {
      return InvalidArgument(path + ": inconsistent dimension in record " + std::to_string(count));
    }
    *dim = static_cast<size_t>(d);
    size_t at = out.size();
    out.resize(at + *dim);
    if (std::fread(out.data() + at, sizeof(float), *dim, f.get()) != *dim) {
      return InvalidArgument(path + ": truncated record " + std::to_string(count));
    }
  }
  if (out.empty()) return InvalidArgument(path + ": no vectors");
  return out;
}

StatusOr<Dataset> LoadFvecs(const std::string& base_path, const std::string& query_path,
                            size_t nq, Metric metric) {
  Dataset d;
  d.name = base_path;
  d.metric = metric;
  size_t qdim = 0;
  auto base = ReadFvecs(base_path, 0, &d.dim);
  if (!base.ok()) return base.status();
  auto queries = ReadFvecs(query_path, nq, &qdim);
  if (!queries.ok()) return queries.status();
  if (qdim != d.dim) return InvalidArgument("queries and base differ in dimension");
  d.base = std::move(base).value();
  d.queries = std::move(queries).value();
  d.n = d.base.size() / d.dim;
  d.nq = d.queries.size() / d.dim;
  FinishMetric(&d);
  return d;
}

StatusOr<Dataset> LoadFashionMnist(size_t nq, Metric metric) {
  Dataset d;
  d.name = "fashion-mnist";
  d.metric = metric;
  std::string dir = kFashionMnistDir;
  size_t qdim = 0;
  auto base = ReadIdxImagesGz(dir + "/train-images-idx3-ubyte.gz", 0, &d.dim);
  if (!base.ok()) return base.status();
  auto queries = ReadIdxImagesGz(dir + "/t10k-images-idx3-ubyte.gz", nq, &qdim);
  if (!queries.ok()) return queries.status();
  if (qdim != d.dim) return InvalidArgument("fashion-mnist: train and test differ in dimension");
  d.base = std::move(base).value();
  d.queries = std::move(queries).value();
  d.n = d.base.size() / d.dim;
  d.nq = d.queries.size() / d.dim;
  FinishMetric(&d);
  return d;
}

Dataset MakeSynthetic(size_t n, size_t dim, size_t clusters, uint64_t seed, size_t nq,
                      Metric metric) {
  Dataset d;
  d.name = "synthetic " + std::to_string(n) + "x" + std::to_string(dim) + ", " +
           std::to_string(clusters) + " clusters, seed " + std::to_string(seed);
  d.dim = dim;
  d.n = n;
  d.nq = nq;
  d.metric = metric;
  // Centres ~ N(0, 1) per coordinate; points = centre + N(0, 0.5^2): clusters overlap a little
  // at low dimension and separate as the dimension grows, as real embeddings tend to.
  std::mt19937_64 centre_rng(seed);
  std::normal_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> centres(clusters * dim);
  for (float& c : centres) c = unit(centre_rng);
  auto draw = [&](std::mt19937_64& rng, size_t count, std::vector<float>* out) {
    std::uniform_int_distribution<size_t> pick(0, clusters - 1);
    std::normal_distribution<float> spread(0.0f, 0.5f);
    out->resize(count * dim);
    for (size_t i = 0; i < count; ++i) {
      const float* c = centres.data() + pick(rng) * dim;
      for (size_t j = 0; j < dim; ++j) (*out)[i * dim + j] = c[j] + spread(rng);
    }
  };
  std::mt19937_64 base_rng(seed * 2 + 1);
  std::mt19937_64 query_rng(seed * 2 + 2);  // separate stream: queries are not base points
  draw(base_rng, n, &d.base);
  draw(query_rng, nq, &d.queries);
  FinishMetric(&d);
  return d;
}

StatusOr<Dataset> MakeSyntheticFromSpec(const std::string& spec, size_t nq, Metric metric) {
  std::istringstream in(spec);
  std::string part;
  std::vector<uint64_t> v;
  while (std::getline(in, part, ',')) {
    char* end = nullptr;
    uint64_t x = std::strtoull(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0') break;
    v.push_back(x);
  }
  if (v.size() != 4 || v[0] == 0 || v[1] == 0 || v[2] == 0) {
    return InvalidArgument("--synthetic wants N,DIM,CLUSTERS,SEED (positive N, DIM, CLUSTERS)");
  }
  return MakeSynthetic(v[0], v[1], v[2], v[3], nq, metric);
}

}  // namespace quiver::bench
