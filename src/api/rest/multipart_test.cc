#include "api/rest/multipart.h"

#include <gtest/gtest.h>

namespace quiver::rest {
namespace {

constexpr char kType[] = "multipart/form-data; boundary=XyZ";

TEST(MultipartTest, FindsTheNamedFilePart) {
  std::string body =
      "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nvalue\r\n"
      "--XyZ\r\ncontent-disposition: form-data; name=\"snapshot\"; filename=\"../a b.snapshot\"\r\n"
      "content-type: application/octet-stream\r\n\r\nDATA\r\n--not-the-boundary\r\n--XyZ--\r\n";
  auto part = FindMultipartPart(body, kType, "snapshot");
  ASSERT_TRUE(part.ok()) << part.status().message();
  EXPECT_EQ(part->filename, "../a b.snapshot");  // sanitising is the caller's job
  EXPECT_EQ(body.substr(part->offset, part->size), "DATA\r\n--not-the-boundary");
  auto quoted = FindMultipartPart(body, "Multipart/Form-Data; boundary=\"XyZ\"", "other");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(body.substr(quoted->offset, quoted->size), "value");
}

TEST(MultipartTest, RefusesWhatIsNotMultipartOrIsMalformed) {
  std::string good = "--XyZ\r\ncontent-disposition: form-data; name=\"snapshot\"\r\n\r\nx\r\n--XyZ--";
  EXPECT_FALSE(FindMultipartPart(good, "application/json", "snapshot").ok());
  EXPECT_FALSE(FindMultipartPart(good, "multipart/form-data", "snapshot").ok());
  EXPECT_FALSE(FindMultipartPart(good, kType, "missing").ok());
  for (const char* bad : {"", "--XyZ", "--XyZ\r\nno header end", "--XyZ\r\nh: v\r\n\r\nunterminated",
                          "--XyZ garbage"}) {
    auto part = FindMultipartPart(bad, kType, "snapshot");
    EXPECT_FALSE(part.ok()) << bad;
    EXPECT_EQ(part.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(FindMultipartPart(good, kType, "snapshot").ok());
}

}  // namespace
}  // namespace quiver::rest
