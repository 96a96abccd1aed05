#include "storage/tar_archive.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/testing/fresh_test_dir.h"

namespace quiver {
namespace {

class TarArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDir("tar");
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string File(const std::string& name) { return (dir_ / name).string(); }

  // A one-entry ustar archive written by hand: `type` '0' file, '2' symlink, '5' directory.
  void WriteRawTar(const std::string& path, const std::string& name, char type,
                   const std::string& data) {
    std::string header(512, '\0');
    auto put = [&](size_t at, const std::string& text) { header.replace(at, text.size(), text); };
    put(0, name);
    put(100, "0000644");
    put(108, "0000000");
    put(116, "0000000");
    char size[16];
    std::snprintf(size, sizeof size, "%011o", static_cast<unsigned>(data.size()));
    put(124, size);
    put(136, "00000000000");
    put(148, "        ");
    header[156] = type;
    if (type == '2') put(157, "/etc/passwd");
    put(257, std::string("ustar\0", 6));
    put(263, "00");
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    char checksum[8];
    std::snprintf(checksum, sizeof checksum, "%06o", sum);
    put(148, std::string(checksum, 7));  // six digits and a NUL; the space after stays
    std::ofstream out(path, std::ios::binary);
    out << header << data << std::string((512 - data.size() % 512) % 512, '\0')
        << std::string(1024, '\0');
  }

  std::filesystem::path dir_;
};

TEST(CheckArchiveEntryNameTest, AcceptsOnlySafeRelativeNames) {
  for (const char* ok : {"a", "points/00000001.bin", "a.b/c-d_e", "x/.hidden"}) {
    EXPECT_TRUE(CheckArchiveEntryName(ok).ok()) << ok;
  }
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../b", "a/..", "./a", "a//b", "a/",
                          "a\\b", "a\nb"}) {
    EXPECT_FALSE(CheckArchiveEntryName(bad).ok()) << bad;
  }
  EXPECT_FALSE(CheckArchiveEntryName(std::string(256, 'a')).ok());
}

TEST_F(TarArchiveTest, RoundTripOfFilesAndStreamedFiles) {
  std::string big(3 << 20, 'x');
  big[12345] = 'y';
  {
    std::ofstream(File("source.bin"), std::ios::binary) << big;
  }
  {
    auto writer = TarWriter::Create(File("t.tar"));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Add("manifest.json", "{}").ok());
    ASSERT_TRUE((*writer)->Add("empty", "").ok());
    ASSERT_TRUE((*writer)->AddFile("data/big.bin", File("source.bin")).ok());
    EXPECT_FALSE((*writer)->Add("../escape", "x").ok());
    ASSERT_TRUE((*writer)->Finish().ok());
  }
  auto reader = TarReader::Open(File("t.tar"));
  ASSERT_TRUE(reader.ok());
  std::string name;
  int64_t size = 0;
  ASSERT_TRUE(*(*reader)->Next(&name, &size));
  EXPECT_EQ(name, "manifest.json");
  EXPECT_EQ(*(*reader)->ReadData(100), "{}");
  ASSERT_TRUE(*(*reader)->Next(&name, &size));
  EXPECT_EQ(name, "empty");
  EXPECT_EQ(*(*reader)->ReadData(100), "");
  ASSERT_TRUE(*(*reader)->Next(&name, &size));
  EXPECT_EQ(name, "data/big.bin");
  EXPECT_EQ(size, static_cast<int64_t>(big.size()));
  EXPECT_FALSE((*reader)->ReadData(1024).ok()) << "over max_bytes";
  auto last = (*reader)->Next(&name, &size);
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(*last);
}

TEST_F(TarArchiveTest, RefusesLinksDirectoriesUnsafeNamesAndGarbage) {
  WriteRawTar(File("link.tar"), "quiver-snapshot.json", '2', "");
  WriteRawTar(File("dir.tar"), "somedir/", '5', "");
  WriteRawTar(File("climb.tar"), "../../evil", '0', "data");
  WriteRawTar(File("abs.tar"), "/tmp/evil", '0', "data");
  for (const char* file : {"link.tar", "dir.tar", "climb.tar", "abs.tar"}) {
    // Refused when opened (libarchive reads the first header to recognise the format) or at
    // the first entry; never read as an entry.
    auto reader = TarReader::Open(File(file));
    Status refused = reader.status();
    std::string name;
    int64_t size = 0;
    if (reader.ok()) refused = (*reader)->Next(&name, &size).status();
    EXPECT_FALSE(refused.ok()) << file << " gave entry " << name;
    EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument) << file << ": " << refused.message();
  }
  WriteRawTar(File("fine.tar"), "fine.txt", '0', "data");
  auto fine = TarReader::Open(File("fine.tar"));
  ASSERT_TRUE(fine.ok());
  std::string name;
  int64_t size = 0;
  EXPECT_TRUE(*(*fine)->Next(&name, &size));

  std::ofstream(File("garbage.tar"), std::ios::binary) << std::string(2048, '\x7f');
  auto garbage = TarReader::Open(File("garbage.tar"));
  if (garbage.ok()) {
    EXPECT_FALSE((*garbage)->Next(&name, &size).ok());
  }
}

TEST_F(TarArchiveTest, Sha256OfAFile) {
  std::ofstream(File("abc"), std::ios::binary) << "abc";
  EXPECT_EQ(*Sha256File(File("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256File(File("nope")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace quiver
