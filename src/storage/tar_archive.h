#pragma once
// Tar archives for snapshots (libarchive stays inside tar_archive.cc), and the SHA-256 of a file
// (OpenSSL's libcrypto) for snapshot checksums.
//
// TarWriter writes a POSIX pax tar of regular files only. TarReader reads one back and accepts
// nothing else: every entry must be a regular file whose name passes CheckArchiveEntryName, so a
// hostile archive cannot name a path outside where its entries are meant to go (absolute paths,
// `..` segments), nor carry links, devices or directories. Readers never extract to disk: callers
// read each entry's bytes and decide what they mean.
//
// Thread safety: one writer or reader per thread; distinct objects are independent.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct archive;

namespace quiver {

// OK for a relative name of non-empty segments separated by '/', none of them "." or "..", with
// no backslash, NUL or control character, at most 255 bytes. kInvalidArgument otherwise.
Status CheckArchiveEntryName(std::string_view name);

class TarWriter {
 public:
  // Creates (truncating) the file at `path`.
  static StatusOr<std::unique_ptr<TarWriter>> Create(const std::string& path);
  ~TarWriter();  // closes; an archive not Finish()ed is incomplete

  // Adds a regular file `name` holding `data`.
  Status Add(const std::string& name, std::string_view data);
  // Adds a regular file `name` with the contents of the file at `source_path`, streamed.
  Status AddFile(const std::string& name, const std::string& source_path);
  // Writes the end-of-archive marker and fsyncs the file. Nothing may be added afterwards.
  Status Finish();

 private:
  TarWriter(struct archive* a, std::string path) : archive_(a), path_(std::move(path)) {}
  Status WriteHeader(const std::string& name, int64_t size);
  struct archive* archive_;
  std::string path_;
  bool finished_ = false;
};

class TarReader {
 public:
  static StatusOr<std::unique_ptr<TarReader>> Open(const std::string& path);
  ~TarReader();

  // Moves to the next entry: true with its name and size, false at the end of the archive.
  // kInvalidArgument for a damaged archive, an entry that is not a regular file, or an unsafe
  // name (CheckArchiveEntryName).
  StatusOr<bool> Next(std::string* name, int64_t* size);
  // The current entry's bytes; kInvalidArgument when it is larger than `max_bytes`.
  StatusOr<std::string> ReadData(size_t max_bytes);
  // Streams the current entry's bytes into a new file at `path`.
  Status CopyDataTo(const std::string& path);

 private:
  explicit TarReader(struct archive* a) : archive_(a) {}
  struct archive* archive_;
  int64_t current_size_ = 0;
};

// Lower-case hex SHA-256 of the file's contents.
StatusOr<std::string> Sha256File(const std::string& path);

}  // namespace quiver
