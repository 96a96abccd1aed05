#include "collection/collection.h"

#include <filesystem>
#include <mutex>

#include "collection/optimizer.h"
#include "collection/point_codec.h"

namespace quiver {
namespace {

std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

Status PointNotFound(const PointId& id) {
  return NotFound("No point with id " + id.ToString() + " found");
}

// Appending rather than `"p" + s`: GCC 12 warns falsely (-Wrestrict) on the latter.
std::string KeyPrefix(char kind, uint64_t uid) {
  std::string key(1, kind);
  key += BigEndian64(uid);
  return key;
}

}  // namespace

std::string PointKeyPrefix(uint64_t uid) { return KeyPrefix('p', uid); }
std::string PayloadIndexKeyPrefix(uint64_t uid) { return KeyPrefix('i', uid); }
std::string PayloadIndexKey(uint64_t uid, const std::string& field) {
  return PayloadIndexKeyPrefix(uid) + field;
}

Collection::Collection(uint64_t uid, std::string name, CollectionConfig config, KvStore* store)
    : uid_(uid), name_(std::move(name)), store_(store), config_(std::move(config)) {
  for (const auto& [vname, params] : config_.vectors) {
    if (params.multivector) {
      other_[vname];
    } else {
      DenseColumn& col = dense_[vname];
      col.dim = params.size;
      col.distance = params.distance;
      col.index = std::make_unique<VectorIndex>(col.dim, col.distance);
      col.generation = next_generation_++;
    }
  }
  for (const auto& [vname, params] : config_.sparse_vectors) other_[vname];
  RefreshIndexSettings();
}

void Collection::RefreshIndexSettings() {
  for (auto& [name, col] : dense_) col.settings = IndexSettingsOf(config_, name);
}

Collection::~Collection() {
  stop_builds_ = true;  // Forget() below waits for a build in progress: make it short
  if (used_optimizer_) Optimizer::Instance().Forget(this);
  if (dropped_ && !index_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(index_dir_, ec);
  }
}

CollectionConfig Collection::config() const {
  std::shared_lock lock(mu_);
  return config_;
}

Status Collection::UpdateConfig(const Json& patch, CollectionConfig* updated) {
  std::unique_lock lock(mu_);
  QUIVER_RETURN_IF_ERROR(config_.ApplyUpdate(patch));
  RefreshIndexSettings();
  *updated = config_;
  MaybeScheduleOptimization();  // indexing_threshold or hnsw_config may have changed
  return Status::Ok();
}

Status Collection::AddVectorName(const std::string& name, const Json& body,
                                 const MetaWriter& persist_meta) {
  std::unique_lock lock(mu_);
  CollectionConfig next = config_;
  QUIVER_RETURN_IF_ERROR(next.AddVectorName(name, body));
  WriteBatch batch;
  persist_meta(next, &batch);
  QUIVER_RETURN_IF_ERROR(store_->Write(batch, true));
  config_ = std::move(next);
  if (const VectorParams* p = config_.FindVector(name); p && !p->multivector) {
    DenseColumn& col = dense_[name];
    col.dim = p->size;
    col.distance = p->distance;
    col.data.assign(slots_.size() * col.dim, 0.0f);
    col.present.assign(slots_.size(), 0);
    col.index = std::make_unique<VectorIndex>(col.dim, col.distance);
    col.generation = next_generation_++;
  } else {
    other_[name].assign(slots_.size(), std::nullopt);
  }
  RefreshIndexSettings();
  return Status::Ok();
}

Status Collection::RemoveVectorName(const std::string& name, const MetaWriter& persist_meta) {
  std::unique_lock lock(mu_);
  CollectionConfig next = config_;
  QUIVER_RETURN_IF_ERROR(next.RemoveVectorName(name));
  std::vector<uint32_t> had;
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].live && HasVector(s, name)) had.push_back(s);
  }
  for (uint32_t s : had) RemoveVector(s, name);
  dense_.erase(name);
  other_.erase(name);
  if (!index_dir_.empty()) RemoveSegment(index_dir_, name);
  WriteBatch batch;
  for (uint32_t s : had) batch.Put(PointKey(slots_[s].id), EncodePoint(ToStored(s)));
  persist_meta(next, &batch);
  config_ = std::move(next);
  return store_->Write(batch, true);
}

std::string Collection::PointKey(const PointId& id) const {
  return PointKeyPrefix(uid_) + id.Encode();
}

Status Collection::Load() {
  std::unique_lock lock(mu_);
  std::string prefix = PointKeyPrefix(uid_);
  Status decode_error;
  QUIVER_RETURN_IF_ERROR(store_->ScanPrefix(prefix, [&](std::string_view key, std::string_view value) {
    auto id = PointId::Decode(key.substr(prefix.size()));
    auto point = DecodePoint(value);
    if (!id.ok() || !point.ok()) {
      decode_error = Internal("collection " + name_ + ": corrupt record in storage");
      return false;
    }
    // Never trust stored vectors blindly: a record that does not fit the config is corruption.
    if (!ConformVectors(config_, &point->vectors).ok()) {
      decode_error = Internal("collection " + name_ + ": stored point " + id->ToString() +
                              " does not match the collection's vectors");
      return false;
    }
    next_operation_id_ = std::max(next_operation_id_, point->version + 1);
    Insert(*id, std::move(point).value());
    return true;
  }));
  QUIVER_RETURN_IF_ERROR(decode_error);
  // The payload indexes are not persisted: each is rebuilt from the points just loaded.
  std::string index_prefix = PayloadIndexKeyPrefix(uid_);
  QUIVER_RETURN_IF_ERROR(store_->ScanPrefix(index_prefix, [&](std::string_view key, std::string_view value) {
    auto schema = Json::Parse(value);
    if (!schema.ok()) return true;
    auto field = PayloadIndexes::MakeField(std::string(key.substr(index_prefix.size())), *schema);
    if (!field.ok()) return true;  // a schema this build cannot honour: the field stays a scan
    BuildIndex(&*field);
    indexes_.Put(std::move(field).value());
    return true;
  }));
  LoadSegments();
  MaybeScheduleOptimization();
  return Status::Ok();
}

void Collection::BuildIndex(PayloadIndexes::Field* field) const {
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].live) PayloadIndexes::IndexSlot(field, s, slots_[s].payload);
  }
}

void Collection::Insert(const PointId& id, StoredPoint point) {
  uint32_t slot = SlotFor(id);
  slots_[slot].payload = point.payload.is_object() ? std::move(point.payload) : Json::MakeObject();
  slots_[slot].version = point.version;
  SetVectors(slot, point.vectors, true);
}

uint32_t Collection::SlotFor(const PointId& id) {
  auto it = offsets_.find(id);
  if (it != offsets_.end()) return it->second;
  uint32_t slot = static_cast<uint32_t>(slots_.size());
  slots_.push_back(Slot{id, Json::MakeObject(), 0, true});
  for (auto& [name, col] : dense_) {
    col.data.resize(col.data.size() + col.dim);
    col.present.push_back(0);
  }
  for (auto& [name, col] : other_) col.emplace_back();
  offsets_.emplace(id, slot);
  return slot;
}

void Collection::SetVectors(uint32_t slot, const NamedVectors& vectors, bool replace_all) {
  if (replace_all) {
    for (auto& [name, col] : dense_) {
      if (col.present[slot]) col.index->VectorChanged(slot, false);
      col.present[slot] = 0;
    }
    for (auto& [name, col] : other_) col[slot].reset();
  }
  for (const auto& [name, value] : vectors) {
    if (auto it = dense_.find(name); it != dense_.end()) {
      const auto& d = std::get<DenseVector>(value);
      std::copy(d.begin(), d.end(), it->second.data.begin() + size_t{slot} * it->second.dim);
      it->second.present[slot] = 1;
      it->second.index->VectorChanged(slot, true);
    } else if (auto ot = other_.find(name); ot != other_.end()) {
      ot->second[slot] = value;
    }
  }
}

void Collection::RemoveVector(uint32_t slot, const std::string& name) {
  if (auto it = dense_.find(name); it != dense_.end()) {
    if (it->second.present[slot]) it->second.index->VectorChanged(slot, false);
    it->second.present[slot] = 0;
  }
  if (auto ot = other_.find(name); ot != other_.end()) ot->second[slot].reset();
}

StoredPoint Collection::ToStored(uint32_t slot) const {
  StoredPoint p;
  p.version = slots_[slot].version;
  p.payload = slots_[slot].payload;
  p.vectors = VectorsOf(slot);
  return p;
}

std::vector<uint32_t> Collection::SelectSlots(const PointSelector& selector) const {
  std::vector<uint32_t> out;
  if (selector.filter) {
    ForEachMatch(PrepareFilter(selector.filter), [&](uint32_t s) { out.push_back(s); });
    return out;
  }
  for (const PointId& id : selector.ids) {
    auto it = offsets_.find(id);
    if (it != offsets_.end()) out.push_back(it->second);
  }
  return out;
}

Status Collection::Validate(UpdateOperation* op_ptr) const {
  using Kind = UpdateOperation::Kind;
  UpdateOperation& op = *op_ptr;
  switch (op.kind) {
    case Kind::kUpsert:
    case Kind::kUpdateVectors:
      for (PointStruct& p : op.points) QUIVER_RETURN_IF_ERROR(ConformVectors(config_, &p.vectors));
      break;
    case Kind::kDeleteVectors:
      for (const std::string& name : op.vector_names) {
        if (!config_.vectors.count(name) && !config_.sparse_vectors.count(name)) {
          return InvalidArgument("Wrong input: Not existing vector name error: " + name);
        }
      }
      break;
    case Kind::kSetPayload:
    case Kind::kOverwritePayload:
      if (!op.payload.is_object()) {
        return InvalidArgument("Format error in JSON body: payload must be an object");
      }
      break;
    default:
      break;
  }
  return Status::Ok();
}

void Collection::ApplyOne(const UpdateOperation& op, uint64_t version,
                          std::vector<uint32_t>* touched) {
  using Kind = UpdateOperation::Kind;
  auto touch = [&](uint32_t slot) {
    slots_[slot].version = version;
    touched->push_back(slot);
  };
  // update_filter is checked per point: bound to the text indexes, without candidate slots.
  SlotFilter update_filter = PrepareFilter(op.update_filter, /*with_candidates=*/false);
  switch (op.kind) {
    case Kind::kUpsert:
      for (const PointStruct& p : op.points) {
        auto existing = offsets_.find(p.id);
        bool exists = existing != offsets_.end();
        if (exists ? op.update_mode == UpdateOperation::Mode::kInsertOnly
                   : op.update_mode == UpdateOperation::Mode::kUpdateOnly) {
          continue;
        }
        if (exists && !Passes(existing->second, update_filter)) {
          continue;
        }
        uint32_t slot = SlotFor(p.id);
        slots_[slot].live = true;
        slots_[slot].payload = p.payload.is_object() ? p.payload : Json::MakeObject();
        SetVectors(slot, p.vectors, true);
        touch(slot);
      }
      break;
    case Kind::kUpdateVectors:
      for (const PointStruct& p : op.points) {
        auto it = offsets_.find(p.id);
        if (it == offsets_.end()) continue;
        if (!Passes(it->second, update_filter)) continue;
        SetVectors(it->second, p.vectors, false);
        touch(it->second);
      }
      break;
    case Kind::kDeletePoints:
      for (uint32_t slot : SelectSlots(op.selector)) {
        offsets_.erase(slots_[slot].id);
        slots_[slot].live = false;
        slots_[slot].payload = Json::MakeObject();
        SetVectors(slot, {}, true);
        touched->push_back(slot);
      }
      break;
    case Kind::kSetPayload:
      for (uint32_t slot : SelectSlots(op.selector)) {
        Json& payload = slots_[slot].payload;
        if (op.key) {
          SetPayloadAtPath(&payload, *op.key, op.payload);
        } else {
          MergePayload(&payload, op.payload);
        }
        touch(slot);
      }
      break;
    case Kind::kOverwritePayload:
      for (uint32_t slot : SelectSlots(op.selector)) {
        slots_[slot].payload = op.payload;
        touch(slot);
      }
      break;
    case Kind::kDeletePayload:
      for (uint32_t slot : SelectSlots(op.selector)) {
        for (const PayloadPath& key : op.keys) DeletePayloadAtPath(&slots_[slot].payload, key);
        touch(slot);
      }
      break;
    case Kind::kClearPayload:
      for (uint32_t slot : SelectSlots(op.selector)) {
        slots_[slot].payload = Json::MakeObject();
        touch(slot);
      }
      break;
    case Kind::kDeleteVectors:
      for (uint32_t slot : SelectSlots(op.selector)) {
        for (const std::string& name : op.vector_names) RemoveVector(slot, name);
        touch(slot);
      }
      break;
  }
}

StatusOr<UpdateResult> Collection::Apply(std::vector<UpdateOperation> ops, bool wait) {
  std::unique_lock lock(mu_);
  // Validate everything first, so that an invalid operation changes nothing. Points that
  // update_vectors names must exist, or be created earlier in the same batch.
  // Operations on listed points need them to exist, as the batch so far leaves them.
  using Kind = UpdateOperation::Kind;
  std::unordered_map<PointId, bool, PointIdHash> exists_after;  // changes made by the batch
  auto exists = [&](const PointId& id) {
    auto it = exists_after.find(id);
    return it != exists_after.end() ? it->second : offsets_.count(id) > 0;
  };
  for (UpdateOperation& op : ops) {
    QUIVER_RETURN_IF_ERROR(Validate(&op));
    if (op.kind == Kind::kUpsert) {
      for (const PointStruct& p : op.points) exists_after[p.id] = true;
    } else if (op.kind == Kind::kUpdateVectors) {
      for (const PointStruct& p : op.points) {
        if (!exists(p.id)) return PointNotFound(p.id);
      }
    } else if (op.kind == Kind::kDeletePoints) {
      for (const PointId& id : op.selector.ids) exists_after[id] = false;
    } else if (!op.selector.filter) {
      for (const PointId& id : op.selector.ids) {
        if (!exists(id)) return PointNotFound(id);
      }
    }
  }
  uint64_t version = next_operation_id_++;
  std::vector<uint32_t> touched;
  for (const UpdateOperation& op : ops) {
    size_t before = touched.size();
    ApplyOne(op, version, &touched);
    // The indexes follow each operation, so that a later filter in the batch sees its effect.
    bool payload_changed = op.kind != Kind::kUpdateVectors && op.kind != Kind::kDeleteVectors;
    if (payload_changed) {
      for (size_t i = before; i < touched.size(); ++i) Reindex(touched[i]);
    }
  }

  WriteBatch batch;
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (uint32_t slot : touched) {
    if (slots_[slot].live) {
      batch.Put(PointKey(slots_[slot].id), EncodePoint(ToStored(slot)));
    } else {
      batch.Delete(PointKey(slots_[slot].id));
    }
  }
  if (!batch.empty()) QUIVER_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/false));
  MaybeScheduleOptimization();
  return UpdateResult{version, wait};
}

Status Collection::CreatePayloadIndex(const std::string& field, const Json& schema) {
  std::unique_lock lock(mu_);
  QUIVER_ASSIGN_OR_RETURN(PayloadIndexes::Field built, PayloadIndexes::MakeField(field, schema));
  BuildIndex(&built);
  WriteBatch batch;
  batch.Put(PayloadIndexKey(uid_, field), schema.Dump());
  QUIVER_RETURN_IF_ERROR(store_->Write(batch, false));
  indexes_.Put(std::move(built));
  return Status::Ok();
}

Status Collection::DeletePayloadIndex(const std::string& field) {
  std::unique_lock lock(mu_);
  WriteBatch batch;
  batch.Delete(PayloadIndexKey(uid_, field));
  QUIVER_RETURN_IF_ERROR(store_->Write(batch, false));
  indexes_.Drop(field);
  return Status::Ok();
}

}  // namespace quiver
