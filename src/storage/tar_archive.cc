#include "storage/tar_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <vector>

namespace quiver {
namespace {

constexpr size_t kCopyChunk = 1 << 20;

Status ArchiveError(struct archive* a, std::string_view what) {
  const char* detail = a ? archive_error_string(a) : nullptr;
  return InvalidArgument("Bad snapshot archive: " + std::string(what) +
                         (detail ? std::string(": ") + detail : std::string()));
}

// fsync(2) on a file written through another descriptor (libarchive closed its own).
Status FsyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal("cannot open " + path + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Internal("cannot sync " + path);
  return Status::Ok();
}

}  // namespace

Status CheckArchiveEntryName(std::string_view name) {
  auto bad = [&](const char* why) {
    return InvalidArgument("Bad snapshot archive: unsafe entry name (" + std::string(why) + ")");
  };
  if (name.empty() || name.size() > 255) return bad("empty or too long");
  if (name.front() == '/') return bad("absolute path");
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    std::string_view segment = name.substr(start, slash - start);
    if (segment.empty()) return bad("empty path segment");
    if (segment == "." || segment == "..") return bad("dot segment");
    start = slash + 1;
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '\\') return bad("control character or backslash");
  }
  return Status::Ok();
}

// ---- TarWriter ----

StatusOr<std::unique_ptr<TarWriter>> TarWriter::Create(const std::string& path) {
  struct archive* a = archive_write_new();
  if (a == nullptr) return Internal("cannot allocate an archive writer");
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
    std::string detail = archive_error_string(a) ? archive_error_string(a) : "";
    archive_write_free(a);
    return Internal("cannot create snapshot file " + path + ": " + detail);
  }
  return std::unique_ptr<TarWriter>(new TarWriter(a, path));
}

TarWriter::~TarWriter() { archive_write_free(archive_); }

Status TarWriter::WriteHeader(const std::string& name, int64_t size) {
  QUIVER_RETURN_IF_ERROR(CheckArchiveEntryName(name));
  if (finished_) return Internal("archive already finished");
  struct archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, name.c_str());
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  archive_entry_set_size(entry, size);
  archive_entry_set_mtime(entry, std::time(nullptr), 0);
  int rc = archive_write_header(archive_, entry);
  archive_entry_free(entry);
  if (rc != ARCHIVE_OK) return Internal("cannot write snapshot entry " + name);
  return Status::Ok();
}

Status TarWriter::Add(const std::string& name, std::string_view data) {
  QUIVER_RETURN_IF_ERROR(WriteHeader(name, static_cast<int64_t>(data.size())));
  size_t done = 0;
  while (done < data.size()) {
    size_t n = std::min(kCopyChunk, data.size() - done);
    la_ssize_t written = archive_write_data(archive_, data.data() + done, n);
    if (written <= 0) return Internal("cannot write snapshot entry " + name);
    done += static_cast<size_t>(written);
  }
  return Status::Ok();
}

Status TarWriter::AddFile(const std::string& name, const std::string& source_path) {
  std::ifstream in(source_path, std::ios::binary | std::ios::ate);
  if (!in) return Internal("cannot read " + source_path);
  int64_t size = in.tellg();
  in.seekg(0);
  QUIVER_RETURN_IF_ERROR(WriteHeader(name, size));
  std::vector<char> buffer(kCopyChunk);
  int64_t left = size;
  while (left > 0) {
    size_t n = static_cast<size_t>(std::min<int64_t>(left, kCopyChunk));
    if (!in.read(buffer.data(), static_cast<std::streamsize>(n))) {
      return Internal("cannot read " + source_path);
    }
    if (archive_write_data(archive_, buffer.data(), n) != static_cast<la_ssize_t>(n)) {
      return Internal("cannot write snapshot entry " + name);
    }
    left -= static_cast<int64_t>(n);
  }
  return Status::Ok();
}

Status TarWriter::Finish() {
  if (finished_) return Status::Ok();
  finished_ = true;
  if (archive_write_close(archive_) != ARCHIVE_OK) {
    return Internal("cannot finish snapshot file " + path_);
  }
  return FsyncPath(path_);
}

// ---- TarReader ----

StatusOr<std::unique_ptr<TarReader>> TarReader::Open(const std::string& path) {
  struct archive* a = archive_read_new();
  if (a == nullptr) return Internal("cannot allocate an archive reader");
  archive_read_support_format_tar(a);  // tar only: no compression filters, no other formats
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    Status error = ArchiveError(a, "cannot open");
    archive_read_free(a);
    return error;
  }
  return std::unique_ptr<TarReader>(new TarReader(a));
}

TarReader::~TarReader() { archive_read_free(archive_); }

StatusOr<bool> TarReader::Next(std::string* name, int64_t* size) {
  struct archive_entry* entry = nullptr;
  int rc = archive_read_next_header(archive_, &entry);
  if (rc == ARCHIVE_EOF) return false;
  if (rc != ARCHIVE_OK) return ArchiveError(archive_, "unreadable entry header");
  const char* path = archive_entry_pathname(entry);
  *name = path ? path : "";
  QUIVER_RETURN_IF_ERROR(CheckArchiveEntryName(*name));
  if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) != nullptr ||
      archive_entry_symlink(entry) != nullptr) {
    return InvalidArgument("Bad snapshot archive: entry " + *name + " is not a regular file");
  }
  if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0) {
    return InvalidArgument("Bad snapshot archive: entry " + *name + " has no size");
  }
  current_size_ = archive_entry_size(entry);
  *size = current_size_;
  return true;
}

StatusOr<std::string> TarReader::ReadData(size_t max_bytes) {
  if (current_size_ > static_cast<int64_t>(max_bytes)) {
    return InvalidArgument("Bad snapshot archive: entry too large");
  }
  std::string data(static_cast<size_t>(current_size_), '\0');
  size_t done = 0;
  while (done < data.size()) {
    la_ssize_t n = archive_read_data(archive_, data.data() + done, data.size() - done);
    if (n < 0) return ArchiveError(archive_, "unreadable entry data");
    if (n == 0) return InvalidArgument("Bad snapshot archive: truncated entry");
    done += static_cast<size_t>(n);
  }
  return data;
}

Status TarReader::CopyDataTo(const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Internal("cannot create " + path);
  std::vector<char> buffer(kCopyChunk);
  int64_t done = 0;
  while (done < current_size_) {
    la_ssize_t n = archive_read_data(archive_, buffer.data(), buffer.size());
    if (n < 0) return ArchiveError(archive_, "unreadable entry data");
    if (n == 0) return InvalidArgument("Bad snapshot archive: truncated entry");
    out.write(buffer.data(), n);
    done += n;
  }
  out.close();
  if (!out) return Internal("cannot write " + path);
  return Status::Ok();
}

StatusOr<std::string> Sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("file " + path);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buffer(kCopyChunk);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx, buffer.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex.append(byte, 2);
  }
  return hex;
}

}  // namespace quiver
