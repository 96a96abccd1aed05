#pragma once
// KvStore: the one place that knows RocksDB. Everything persistent in Quiver is a key/value pair
// written through here; the key layout is described in docs/formats/storage-keys.md.
//
// Thread safety: all methods may be called concurrently (RocksDB's own guarantees). Ordering of
// writes to one collection is the caller's job (the collection lock).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rocksdb {
class DB;
class Snapshot;
}

namespace quiver {

// A set of changes applied atomically by KvStore::Write.
class WriteBatch {
 public:
  void Put(std::string key, std::string value);
  void Delete(std::string key);
  // Deletes every key in [begin, end).
  void DeleteRange(std::string begin, std::string end);
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }

 private:
  friend class KvStore;
  enum class Kind { kPut, kDelete, kDeleteRange };
  struct Op {
    Kind kind;
    std::string a, b;
  };
  std::vector<Op> ops_;
};

// A consistent, read-only view of the whole store at one instant (a RocksDB snapshot): writes
// made after it was taken are invisible to it. Each WriteBatch is either wholly in it or not.
// Must not outlive the KvStore that made it. Thread-safe like KvStore.
class KvSnapshot {
 public:
  ~KvSnapshot();
  KvSnapshot(const KvSnapshot&) = delete;
  KvSnapshot& operator=(const KvSnapshot&) = delete;

  StatusOr<std::optional<std::string>> Get(std::string_view key) const;
  Status ScanPrefix(std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& fn) const;

 private:
  friend class KvStore;
  KvSnapshot(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) : db_(db), snapshot_(snapshot) {}
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

class KvStore {
 public:
  // Opens (creating if missing) the database in directory `path`.
  static StatusOr<std::unique_ptr<KvStore>> Open(const std::string& path);
  ~KvStore();

  // Applies the batch atomically. The write is in RocksDB's log before this returns, so it
  // survives a crash of the process (kill -9); `sync` also fsyncs the log, surviving power loss.
  Status Write(const WriteBatch& batch, bool sync);

  // nullopt when the key is absent.
  StatusOr<std::optional<std::string>> Get(std::string_view key) const;

  // Calls fn(key, value) for each key starting with `prefix`, in key order, until fn returns false.
  Status ScanPrefix(std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& fn) const;

  // The store as it is now, for reading while writes go on (collection snapshots).
  std::unique_ptr<KvSnapshot> GetSnapshot() const;

  // Flushes memtables to disk (graceful shutdown makes the next start faster).
  Status Flush();

 private:
  explicit KvStore(rocksdb::DB* db);
  std::unique_ptr<rocksdb::DB> db_;
};

// The smallest key greater than every key with this prefix ("" if none exists): end of a range.
std::string PrefixEnd(std::string prefix);

}  // namespace quiver
