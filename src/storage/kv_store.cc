#include "storage/kv_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

namespace quiver {
namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  return Internal("storage error (" + std::string(what) + "): " + s.ToString());
}

StatusOr<std::optional<std::string>> GetAt(rocksdb::DB* db, const rocksdb::Snapshot* snapshot,
                                           std::string_view key) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db->Get(ro, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  QUIVER_RETURN_IF_ERROR(FromRocks(s, "get"));
  return std::optional<std::string>(std::move(value));
}

Status ScanAt(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string end = PrefixEnd(std::string(prefix));
  rocksdb::Slice upper(end);
  if (!end.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

}  // namespace

KvSnapshot::~KvSnapshot() { db_->ReleaseSnapshot(snapshot_); }

StatusOr<std::optional<std::string>> KvSnapshot::Get(std::string_view key) const {
  return GetAt(db_, snapshot_, key);
}

Status KvSnapshot::ScanPrefix(std::string_view prefix,
                              const std::function<bool(std::string_view, std::string_view)>& fn) const {
  return ScanAt(db_, snapshot_, prefix, fn);
}

std::unique_ptr<KvSnapshot> KvStore::GetSnapshot() const {
  return std::unique_ptr<KvSnapshot>(new KvSnapshot(db_.get(), db_->GetSnapshot()));
}

void WriteBatch::Put(std::string key, std::string value) {
  ops_.push_back({Kind::kPut, std::move(key), std::move(value)});
}
void WriteBatch::Delete(std::string key) { ops_.push_back({Kind::kDelete, std::move(key), {}}); }
void WriteBatch::DeleteRange(std::string begin, std::string end) {
  ops_.push_back({Kind::kDeleteRange, std::move(begin), std::move(end)});
}

KvStore::KvStore(rocksdb::DB* db) : db_(db) {}
KvStore::~KvStore() = default;

StatusOr<std::unique_ptr<KvStore>> KvStore::Open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Internal("cannot create storage directory " + path + ": " + ec.message());
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  options.compression = rocksdb::kNoCompression;  // vectors do not compress; spare the CPU
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &db);
  if (!s.ok()) return Internal("cannot open storage at " + path + ": " + s.ToString());
  return std::unique_ptr<KvStore>(new KvStore(db));
}

Status KvStore::Write(const WriteBatch& batch, bool sync) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops_) {
    rocksdb::Status s;
    switch (op.kind) {
      case WriteBatch::Kind::kPut: s = wb.Put(op.a, op.b); break;
      case WriteBatch::Kind::kDelete: s = wb.Delete(op.a); break;
      case WriteBatch::Kind::kDeleteRange: s = wb.DeleteRange(op.a, op.b); break;
    }
    QUIVER_RETURN_IF_ERROR(FromRocks(s, "batch"));
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return FromRocks(db_->Write(wo, &wb), "write");
}

StatusOr<std::optional<std::string>> KvStore::Get(std::string_view key) const {
  return GetAt(db_.get(), nullptr, key);
}

Status KvStore::ScanPrefix(std::string_view prefix,
                           const std::function<bool(std::string_view, std::string_view)>& fn) const {
  return ScanAt(db_.get(), nullptr, prefix, fn);
}

Status KvStore::Flush() { return FromRocks(db_->Flush(rocksdb::FlushOptions()), "flush"); }

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

}  // namespace quiver
