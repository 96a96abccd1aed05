// VectorIndex bookkeeping, index settings and the segment files (contracts in vector_index.h).
#include "collection/vector_index.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace quiver {
namespace {

uint64_t ReadCount(const Json& obj, const char* key, uint64_t fallback) {
  const Json* v = obj.Find(key);
  if (v == nullptr || !v->is_integer()) return fallback;
  if (v->type() == Json::Type::kUInt) return v->as_uint();
  return v->as_int() < 0 ? fallback : static_cast<uint64_t>(v->as_int());
}

// quantization_config: {"scalar": {"type": "int8", "quantile": q}} or {"binary": {...}}; product
// quantization is not implemented and builds an unquantized graph.
void ReadQuantization(const Json& q, IndexSettings* s) {
  if (const Json* scalar = q.Find("scalar"); scalar && scalar->is_object()) {
    s->quantization = index::Quantization::kInt8;
    if (const Json* quantile = scalar->Find("quantile"); quantile && quantile->is_number()) {
      s->quantile = static_cast<float>(quantile->as_double());
    }
  } else if (const Json* binary = q.Find("binary"); binary && binary->is_object()) {
    s->quantization = index::Quantization::kBinary;
  }
}

uint64_t Fnv1a(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// A cursor over the map file's bytes; any read past the end fails the whole parse.
struct Reader {
  std::string_view data;
  size_t pos = 0;
  bool ok = true;
  uint64_t U64() {
    if (pos + 8 > data.size()) return ok = false, 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<uint64_t>(static_cast<unsigned char>(data[pos + i])) << (8 * i);
    pos += 8;
    return v;
  }
  std::string_view Bytes(uint64_t n) {
    if (n > data.size() - pos) return ok = false, std::string_view();
    std::string_view v = data.substr(pos, n);
    pos += n;
    return v;
  }
};

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("no file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (!in.good() && !in.eof()) return Internal("cannot read " + path);
  return buf.str();
}

Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) return Internal("cannot write " + path);
  return Status::Ok();
}

constexpr std::string_view kMagic = "QVIDXMAP";
constexpr uint64_t kFormatVersion = 1;

}  // namespace

// ---- settings ----

std::string IndexSettings::GraphKey() const {
  std::ostringstream key;
  key << "m=" << m << ";ef_construct=" << ef_construct
      << ";quantization=" << static_cast<int>(quantization) << ";quantile=" << quantile;
  return key.str();
}

IndexSettings IndexSettingsOf(const CollectionConfig& config, const std::string& vector) {
  IndexSettings s;
  Json hnsw = config.hnsw_config.is_object() ? config.hnsw_config : Json::MakeObject();
  Json quantization = config.quantization_config;
  if (const VectorParams* p = config.FindVector(vector)) {
    if (const Json* own = p->extra.Find("hnsw_config"); own && own->is_object()) {
      MergeObject(&hnsw, *own);
    }
    if (const Json* own = p->extra.Find("quantization_config"); own && own->is_object()) {
      quantization = *own;
    }
  }
  s.m = static_cast<uint32_t>(ReadCount(hnsw, "m", 16));
  s.ef_construct = static_cast<uint32_t>(ReadCount(hnsw, "ef_construct", 100));
  s.full_scan_threshold_kb = ReadCount(hnsw, "full_scan_threshold", 10000);
  s.payload_m = static_cast<uint32_t>(ReadCount(hnsw, "payload_m", s.m));
  uint64_t threads = ReadCount(hnsw, "max_indexing_threads", 0);
  if (threads == 0) {
    unsigned cores = std::thread::hardware_concurrency();
    threads = cores > 1 ? std::min(cores - 1, 16u) : 1;  // leave a core to the requests
  }
  s.build_threads = static_cast<uint32_t>(threads);
  if (config.optimizer_config.is_object()) {
    s.indexing_threshold_kb = ReadCount(config.optimizer_config, "indexing_threshold", 10000);
    if (const Json* t = config.optimizer_config.Find("deleted_threshold"); t && t->is_number()) {
      s.deleted_threshold = t->as_double();
    }
    s.vacuum_min_vector_number =
        ReadCount(config.optimizer_config, "vacuum_min_vector_number", 1000);
  }
  if (quantization.is_object()) ReadQuantization(quantization, &s);
  return s;
}

// ---- bookkeeping ----

index::Metric VectorIndex::metric() const {
  switch (distance_) {
    case Distance::kCosine:
      return index::Metric::kCosine;
    case Distance::kDot:
      return index::Metric::kDot;
    case Distance::kEuclid:
      return index::Metric::kL2;
    case Distance::kManhattan:
      return index::Metric::kManhattan;
  }
  return index::Metric::kDot;
}

uint32_t VectorIndex::FreshSlot(uint32_t local) const {
  if (!segment_ || local >= segment_->local_to_slot.size()) return kNoLocal;
  uint32_t slot = segment_->local_to_slot[local];
  if (slot == kNoLocal || slot >= slot_to_local_.size() || slot_to_local_[slot] != local) {
    return kNoLocal;
  }
  return slot;
}

void VectorIndex::VectorChanged(uint32_t slot, bool present) {
  if (slot < slot_to_local_.size() && slot_to_local_[slot] != kNoLocal) {
    segment_->graph->MarkDeleted(slot_to_local_[slot]);
    slot_to_local_[slot] = kNoLocal;
  }
  fresh_.remove(slot);
  if (present)
    pending_.add(slot);
  else
    pending_.remove(slot);
  if (tracking_) changed_.add(slot);
}

void VectorIndex::DropSegment() {
  segment_.reset();
  slot_to_local_.clear();
  pending_ |= fresh_;
  fresh_ = index::Bitmap();
  tracking_ = false;
}

void VectorIndex::BuildStarted() {
  changed_ = index::Bitmap();
  tracking_ = true;
}

void VectorIndex::Install(Segment segment) {
  size_t slots = slot_to_local_.size();
  for (uint32_t s : segment.local_to_slot) {
    if (s != kNoLocal) slots = std::max(slots, size_t{s} + 1);
  }
  slot_to_local_.assign(slots, kNoLocal);
  fresh_ = index::Bitmap();
  for (uint32_t local = 0; local < segment.local_to_slot.size(); ++local) {
    uint32_t& slot = segment.local_to_slot[local];
    if (slot == kNoLocal || changed_.contains(slot)) {
      segment.graph->MarkDeleted(local);
      slot = kNoLocal;
      continue;
    }
    slot_to_local_[slot] = local;
    fresh_.add(slot);
  }
  pending_ -= fresh_;
  segment_ = std::move(segment);
  changed_ = index::Bitmap();
  tracking_ = false;
}

// ---- files ----

std::string SegmentStem(const std::string& vector_name) {
  static const char* kHex = "0123456789abcdef";
  std::string stem = "v";
  for (unsigned char c : vector_name) {
    stem.push_back(kHex[c >> 4]);
    stem.push_back(kHex[c & 15]);
  }
  return stem;
}

Status SaveSegment(const std::string& dir, const std::string& vector_name,
                   const VectorIndex::Segment& segment, const std::vector<PointId>& ids) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir + ": " + ec.message());
  std::string stem = dir + "/" + SegmentStem(vector_name);
  QUIVER_RETURN_IF_ERROR(segment.graph->Save(stem + ".hnsw.tmp"));
  QUIVER_ASSIGN_OR_RETURN(std::string graph_bytes, ReadFile(stem + ".hnsw.tmp"));

  std::string map(kMagic);
  PutU64(&map, kFormatVersion);
  PutU64(&map, graph_bytes.size());
  PutU64(&map, Fnv1a(graph_bytes));
  PutU64(&map, segment.graph_key.size());
  map += segment.graph_key;
  PutU64(&map, segment.uuid.size());
  map += segment.uuid;
  PutU64(&map, ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string id = ids[i].Encode();
    PutU64(&map, id.size());
    map += id;
    PutU64(&map, segment.versions[i]);
  }
  PutU64(&map, Fnv1a(map));
  QUIVER_RETURN_IF_ERROR(WriteFile(stem + ".map.tmp", map));
  // The .map names the .hnsw by size and checksum, so a crash between the renames leaves a pair
  // that LoadSegment refuses (and the collection rebuilds), never a wrong mapping.
  std::filesystem::rename(stem + ".hnsw.tmp", stem + ".hnsw", ec);
  if (!ec) std::filesystem::rename(stem + ".map.tmp", stem + ".map", ec);
  if (ec) return Internal("cannot install index files in " + dir + ": " + ec.message());
  return Status::Ok();
}

StatusOr<LoadedSegment> LoadSegment(const std::string& dir, const std::string& vector_name) {
  std::string stem = dir + "/" + SegmentStem(vector_name);
  QUIVER_ASSIGN_OR_RETURN(std::string map, ReadFile(stem + ".map"));
  auto damaged = [&](const char* what) { return Internal("index file " + stem + ".map: " + what); };
  if (map.size() < kMagic.size() + 8 || map.compare(0, kMagic.size(), kMagic) != 0) {
    return damaged("not an index map");
  }
  Reader tail{std::string_view(map).substr(map.size() - 8)};
  if (tail.U64() != Fnv1a(std::string_view(map).substr(0, map.size() - 8))) {
    return damaged("checksum mismatch");
  }
  Reader r{std::string_view(map).substr(0, map.size() - 8), kMagic.size()};
  if (r.U64() != kFormatVersion) return damaged("unknown format version");
  uint64_t graph_size = r.U64(), graph_fnv = r.U64();
  LoadedSegment out;
  out.segment.graph_key = std::string(r.Bytes(r.U64()));
  out.segment.uuid = std::string(r.Bytes(r.U64()));
  uint64_t n = r.U64();
  if (!r.ok || n > map.size()) return damaged("truncated");
  for (uint64_t i = 0; i < n && r.ok; ++i) {
    auto id = PointId::Decode(r.Bytes(r.U64()));
    if (!id.ok()) return damaged("bad point id");
    out.ids.push_back(*id);
    out.segment.versions.push_back(r.U64());
  }
  if (!r.ok || r.pos != r.data.size()) return damaged("truncated");

  QUIVER_ASSIGN_OR_RETURN(std::string graph_bytes, ReadFile(stem + ".hnsw"));
  if (graph_bytes.size() != graph_size || Fnv1a(graph_bytes) != graph_fnv) {
    return Internal("index file " + stem + ".hnsw does not match its map");
  }
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<index::HnswIndex> graph,
                          index::HnswIndex::Load(stem + ".hnsw"));
  if (graph->size() != n) return Internal("index file " + stem + ".hnsw: wrong size");
  out.segment.graph = std::move(graph);
  return out;
}

void RemoveSegment(const std::string& dir, const std::string& vector_name) {
  std::string stem = dir + "/" + SegmentStem(vector_name);
  std::error_code ec;
  for (const char* ext : {".hnsw", ".map", ".hnsw.tmp", ".map.tmp"}) {
    std::filesystem::remove(stem + ext, ec);
  }
}

}  // namespace quiver
