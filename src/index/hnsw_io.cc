// HnswIndex::Save / Load: one file, described in docs/formats/hnsw-index.md.
//
// Load never trusts the file: the header has its own checksum and every field is range-checked;
// each section's size is derived from checked fields and compared with the bytes left before
// anything is allocated; every link is checked against n; and the body checksum must match at
// the end. Codes and int8 terms are not stored but recomputed from the float vectors, exactly
// as Build() computes them, so a loaded index answers exactly as the saved one did.

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>

#include "index/hnsw.h"
#include "index/hnsw_crc32c.h"
#include "index/hnsw_graph.h"

namespace quiver::index {
namespace {

static_assert(std::endian::native == std::endian::little, "the file format is little-endian");

constexpr char kMagic[8] = {'Q', 'V', 'R', 'H', 'N', 'S', 'W', '\0'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 96;
constexpr uint32_t kMaxM = 1u << 15;
constexpr uint64_t kMaxDim = 65536;
constexpr int kMaxLevel = 64;

// The fixed header, in file order (see the format document for offsets).
struct Header {
  uint32_t version = kVersion;
  uint32_t metric = 0;
  uint32_t quantization = 0;
  uint32_t m = 0;
  uint32_t ef_construct = 0;
  uint32_t build_threads = 0;
  float quantile = 0;
  uint64_t seed = 0;
  uint64_t n = 0;
  uint64_t dim = 0;
  int32_t max_level = -1;
  uint32_t entry = 0;
  uint64_t body_bytes = 0;
  uint32_t body_crc = 0;
};

template <typename T>
void Put(uint8_t* buf, size_t offset, T value) {
  std::memcpy(buf + offset, &value, sizeof(T));
}
template <typename T>
T Get(const uint8_t* buf, size_t offset) {
  T value;
  std::memcpy(&value, buf + offset, sizeof(T));
  return value;
}

void EncodeHeader(const Header& h, uint8_t* buf) {
  std::memset(buf, 0, kHeaderBytes);
  std::memcpy(buf, kMagic, sizeof(kMagic));
  Put(buf, 8, h.version);
  Put(buf, 12, static_cast<uint32_t>(kHeaderBytes));
  Put(buf, 16, h.metric);
  Put(buf, 20, h.quantization);
  Put(buf, 24, h.m);
  Put(buf, 28, h.ef_construct);
  Put(buf, 32, h.build_threads);
  Put(buf, 36, h.quantile);
  Put(buf, 40, h.seed);
  Put(buf, 48, h.n);
  Put(buf, 56, h.dim);
  Put(buf, 64, h.max_level);
  Put(buf, 68, h.entry);
  Put(buf, 72, h.body_bytes);
  Put(buf, 80, h.body_crc);
  Put(buf, 92, internal::Crc32c(buf, 92));
}

Status Corrupt(const std::string& path, const std::string& what) {
  std::string message = "HNSW index file ";
  message.append(path).append(" is unusable: ").append(what);
  return InvalidArgument(std::move(message));
}

class Writer {
 public:
  explicit Writer(std::FILE* f) : f_(f) {}
  void Write(const void* data, size_t size) {
    if (size == 0 || !ok_) return;
    crc_ = internal::Crc32cExtend(crc_, data, size);
    bytes_ += size;
    ok_ = std::fwrite(data, 1, size, f_) == size;
  }
  template <typename T>
  void Value(T value) {
    Write(&value, sizeof(T));
  }
  bool ok() const { return ok_; }
  uint64_t bytes() const { return bytes_; }
  uint32_t crc() const { return crc_; }

 private:
  std::FILE* f_;
  bool ok_ = true;
  uint64_t bytes_ = 0;
  uint32_t crc_ = 0;
};

// Reads the body: bounded by the size the header announced (checked against the file's length),
// with the running checksum.
class Reader {
 public:
  Reader(std::FILE* f, uint64_t bytes) : f_(f), left_(bytes) {}
  bool Read(void* data, uint64_t size) {
    if (size > left_) return false;
    if (size == 0) return true;
    if (std::fread(data, 1, size, f_) != size) return false;
    crc_ = internal::Crc32cExtend(crc_, data, size);
    left_ -= size;
    return true;
  }
  template <typename T>
  bool Value(T* value) {
    return Read(value, sizeof(T));
  }
  uint64_t left() const { return left_; }
  uint32_t crc() const { return crc_; }

 private:
  std::FILE* f_;
  uint64_t left_;
  uint32_t crc_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// a * b, or false when it overflows 64 bits.
bool Mul(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_mul_overflow(a, b, out); }

void WriteBody(const internal::Graph& g, Writer& w) {
  w.Write(g.levels.data(), g.n);
  for (uint32_t id = 0; id < g.n; ++id) w.Write(g.Links(id, 0), size_t{g.m0} * sizeof(uint32_t));
  for (uint32_t id = 0; id < g.n; ++id) {
    if (g.levels[id] > 0) w.Write(g.upper[id].get(), size_t{g.levels[id]} * g.m * sizeof(uint32_t));
  }
  w.Value<uint32_t>(g.extra.empty() ? 0 : 1);
  for (const std::vector<uint32_t>& list : g.extra) {
    w.Value(static_cast<uint32_t>(list.size()));
    w.Write(list.data(), list.size() * sizeof(uint32_t));
  }
  for (size_t i = 0; i < g.deleted_words; ++i) {
    w.Value(g.deleted[i].load(std::memory_order_acquire));
  }
  if (g.params.quantization == Quantization::kInt8) {
    w.Value(g.scalar.lo());
    w.Value(g.scalar.step());
  } else if (g.params.quantization == Quantization::kBinary) {
    w.Write(g.binary.center().data(), g.dim * sizeof(float));
  }
  for (uint32_t id = 0; id < g.n; ++id) w.Write(g.Vector(id), g.dim * sizeof(float));
}

// A list of `capacity` slots: links (< n, not `self`) first, then only kNoLink.
bool ValidSlots(const uint32_t* slots, uint32_t capacity, uint64_t n, uint32_t self) {
  uint32_t i = 0;
  for (; i < capacity && slots[i] != internal::kNoLink; ++i) {
    if (slots[i] >= n || slots[i] == self) return false;
  }
  for (; i < capacity; ++i) {
    if (slots[i] != internal::kNoLink) return false;
  }
  return true;
}

Status ReadBody(const std::string& path, const Header& h, internal::Graph& g, Reader& r) {
  const auto truncated = [&] { return Corrupt(path, "truncated or inconsistent sizes"); };
  if (!r.Read(g.levels.data(), g.n)) return truncated();
  for (uint32_t id = 0; id < g.n; ++id) {
    if (g.levels[id] > h.max_level) return Corrupt(path, "a node above the top level");
  }
  if (g.n > 0 && g.levels[h.entry] != h.max_level) {
    return Corrupt(path, "the entry point is not on the top level");
  }
  for (uint32_t id = 0; id < g.n; ++id) {
    uint32_t* slots = g.Links(id, 0);
    if (!r.Read(slots, uint64_t{g.m0} * sizeof(uint32_t))) return truncated();
    if (!ValidSlots(slots, g.m0, g.n, id)) return Corrupt(path, "a bad layer-0 link");
  }
  for (uint32_t id = 0; id < g.n; ++id) {
    if (g.levels[id] == 0) continue;
    const uint64_t bytes = uint64_t{g.levels[id]} * g.m * sizeof(uint32_t);
    if (bytes > r.left()) return truncated();  // before allocating
    g.AllocateUpper(id);
    if (!r.Read(g.upper[id].get(), bytes)) return truncated();
    for (int level = 1; level <= g.levels[id]; ++level) {
      if (!ValidSlots(g.Links(id, level), g.m, g.n, id)) return Corrupt(path, "a bad upper link");
    }
  }
  uint32_t has_extra = 0;
  if (!r.Value(&has_extra) || has_extra > 1) return truncated();
  if (has_extra == 1) {
    g.extra.resize(g.n);
    for (uint32_t id = 0; id < g.n; ++id) {
      uint32_t count = 0;
      if (!r.Value(&count) || uint64_t{count} * sizeof(uint32_t) > r.left() || count > g.n) {
        return truncated();
      }
      g.extra[id].resize(count);
      if (!r.Read(g.extra[id].data(), uint64_t{count} * sizeof(uint32_t))) return truncated();
      for (uint32_t to : g.extra[id]) {
        if (to >= g.n || to == id) return Corrupt(path, "a bad payload link");
      }
    }
  }
  for (size_t i = 0; i < g.deleted_words; ++i) {
    uint64_t word = 0;
    if (!r.Value(&word)) return truncated();
    g.deleted[i].store(word, std::memory_order_relaxed);
    if (word != 0) g.any_deleted.store(true, std::memory_order_relaxed);
  }
  if (g.params.quantization == Quantization::kInt8) {
    float lo = 0, step = 0;
    if (!r.Value(&lo) || !r.Value(&step)) return truncated();
    if (!std::isfinite(lo) || !(step > 0.0f) || !std::isfinite(step)) {
      return Corrupt(path, "a bad quantization range");
    }
    g.scalar = internal::ScalarQuantizer(lo, step);
  } else if (g.params.quantization == Quantization::kBinary) {
    std::vector<float> center(g.dim);
    if (!r.Read(center.data(), g.dim * sizeof(float))) return truncated();
    g.binary = internal::BinaryQuantizer(std::move(center));
  }
  if (g.params.quantization != Quantization::kNone) g.vectors.resize(g.n * g.dim);
  for (uint32_t id = 0; id < g.n; ++id) {
    void* v = g.params.quantization == Quantization::kNone ? static_cast<void*>(g.Code(id))
                                                           : g.vectors.data() + id * g.dim;
    if (!r.Read(v, g.dim * sizeof(float))) return truncated();
  }
  if (r.left() != 0) return Corrupt(path, "bytes after the last section");
  return Status::Ok();
}

}  // namespace

Status HnswIndex::Save(const std::string& path) const {
  const Impl& g = *impl_;
  // Written to a temporary name and renamed: a crash never leaves a half-written index behind
  // the real name.
  std::string temp = path;
  temp.append(".tmp");
  File f(std::fopen(temp.c_str(), "wb"));
  const auto io_error = [&](const char* what) {
    std::string message = "cannot ";
    message.append(what).append(" HNSW index file ").append(temp).append(": ");
    message.append(std::strerror(errno));
    std::remove(temp.c_str());
    return Internal(std::move(message));
  };
  if (f == nullptr) return io_error("create");
  std::setvbuf(f.get(), nullptr, _IOFBF, 1 << 20);
  uint8_t header[kHeaderBytes];
  std::memset(header, 0, sizeof(header));
  if (std::fwrite(header, 1, sizeof(header), f.get()) != sizeof(header)) return io_error("write");
  Writer w(f.get());
  WriteBody(g, w);
  if (!w.ok()) return io_error("write");

  Header h;
  h.metric = static_cast<uint32_t>(g.metric);
  h.quantization = static_cast<uint32_t>(g.params.quantization);
  h.m = g.m;
  h.ef_construct = g.params.ef_construct;
  h.build_threads = g.params.build_threads;
  h.quantile = g.params.quantile;
  h.seed = g.params.seed;
  h.n = g.n;
  h.dim = g.dim;
  h.max_level = g.max_level;
  h.entry = g.entry;
  h.body_bytes = w.bytes();
  h.body_crc = w.crc();
  EncodeHeader(h, header);
  if (std::fseek(f.get(), 0, SEEK_SET) != 0 ||
      std::fwrite(header, 1, sizeof(header), f.get()) != sizeof(header) ||
      std::fflush(f.get()) != 0 || ::fsync(::fileno(f.get())) != 0) {
    return io_error("write");
  }
  if (std::fclose(f.release()) != 0) return io_error("close");
  if (std::rename(temp.c_str(), path.c_str()) != 0) return io_error("rename");
  return Status::Ok();
}

StatusOr<std::unique_ptr<HnswIndex>> HnswIndex::Load(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (f == nullptr) {
    std::string message = "cannot open HNSW index file ";
    message.append(path).append(": ").append(std::strerror(errno));
    return Status(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kInternal,
                  std::move(message));
  }
  if (std::fseek(f.get(), 0, SEEK_END) != 0) return Internal("cannot seek in " + path);
  const long file_bytes = std::ftell(f.get());
  if (file_bytes < 0 || std::fseek(f.get(), 0, SEEK_SET) != 0) {
    return Internal("cannot seek in " + path);
  }
  uint8_t buf[kHeaderBytes];
  if (static_cast<uint64_t>(file_bytes) < kHeaderBytes ||
      std::fread(buf, 1, kHeaderBytes, f.get()) != kHeaderBytes) {
    return Corrupt(path, "shorter than its header");
  }
  if (std::memcmp(buf, kMagic, sizeof(kMagic)) != 0) return Corrupt(path, "not an HNSW index");
  Header h;
  h.version = Get<uint32_t>(buf, 8);
  if (h.version != kVersion) {
    return Corrupt(path, "format version " + std::to_string(h.version) + ", expected " +
                             std::to_string(kVersion));
  }
  if (Get<uint32_t>(buf, 12) != kHeaderBytes || Get<uint32_t>(buf, 92) != internal::Crc32c(buf, 92)) {
    return Corrupt(path, "header checksum mismatch");
  }
  h.metric = Get<uint32_t>(buf, 16);
  h.quantization = Get<uint32_t>(buf, 20);
  h.m = Get<uint32_t>(buf, 24);
  h.ef_construct = Get<uint32_t>(buf, 28);
  h.build_threads = Get<uint32_t>(buf, 32);
  h.quantile = Get<float>(buf, 36);
  h.seed = Get<uint64_t>(buf, 40);
  h.n = Get<uint64_t>(buf, 48);
  h.dim = Get<uint64_t>(buf, 56);
  h.max_level = Get<int32_t>(buf, 64);
  h.entry = Get<uint32_t>(buf, 68);
  h.body_bytes = Get<uint64_t>(buf, 72);
  h.body_crc = Get<uint32_t>(buf, 80);

  if (h.metric > static_cast<uint32_t>(Metric::kManhattan) ||
      h.quantization > static_cast<uint32_t>(Quantization::kBinary) || h.m < 2 || h.m > kMaxM ||
      h.dim == 0 || h.dim > kMaxDim || h.n > internal::kMaxNodes ||
      h.max_level < (h.n == 0 ? -1 : 0) || h.max_level > kMaxLevel || (h.n > 0 && h.entry >= h.n)) {
    return Corrupt(path, "parameters out of range");
  }
  if (h.body_bytes != static_cast<uint64_t>(file_bytes) - kHeaderBytes) {
    return Corrupt(path, "its length differs from the recorded one (truncated?)");
  }
  // The fixed-size sections alone must fit in the body before anything is allocated.
  uint64_t links = 0, vectors = 0;
  if (!Mul(h.n, uint64_t{2} * h.m * sizeof(uint32_t), &links) ||
      !Mul(h.n, h.dim * sizeof(float), &vectors) || links > h.body_bytes ||
      vectors > h.body_bytes - links || h.n > h.body_bytes - links - vectors) {
    return Corrupt(path, "truncated or inconsistent sizes");
  }

  std::unique_ptr<HnswIndex> index(new HnswIndex());
  Impl& g = *index->impl_;
  g.n = h.n;
  g.dim = h.dim;
  g.metric = static_cast<Metric>(h.metric);
  g.params.m = h.m;
  g.params.ef_construct = h.ef_construct;
  g.params.build_threads = h.build_threads;
  g.params.seed = h.seed;
  g.params.quantization = static_cast<Quantization>(h.quantization);
  g.params.quantile = h.quantile;
  g.Allocate();
  g.max_level = h.max_level;
  g.entry = h.entry;
  Reader r(f.get(), h.body_bytes);
  QUIVER_RETURN_IF_ERROR(ReadBody(path, h, g, r));
  if (r.crc() != h.body_crc) return Corrupt(path, "checksum mismatch");
  for (uint32_t id = 0; id < g.n; ++id) g.EncodeNode(id);
  return index;
}

}  // namespace quiver::index
