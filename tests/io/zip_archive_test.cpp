#include <advbn/error.h>
#include <advbn/io/zip_archive.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/io_test_support.h"

namespace advbn::io {
namespace {

using testing::error_message;
using testing::file_bytes;
using testing::fixture;
using testing::ScratchDir;
using testing::write_bytes;

std::string text(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

std::string write_sample(const ScratchDir& dir) {
  const std::string path = dir.file("sample.zip");
  ZipWriter writer(path);
  writer.add("archive/a", "hello", 5);
  const std::string large(1000, 'x');
  writer.add("archive/b", large.data(), large.size());
  writer.add("archive/empty", "", 0);
  writer.finish();
  return path;
}

TEST(ZipArchive, WrittenEntriesReadBackAlignedTo64Bytes) {
  ScratchDir dir;
  ZipReader reader(write_sample(dir));
  ASSERT_EQ(reader.entries().size(), 3u);
  EXPECT_EQ(reader.entries()[0].name, "archive/a");
  EXPECT_EQ(reader.entries()[2].name, "archive/empty");
  for (const ZipEntry& entry : reader.entries()) {
    EXPECT_EQ(entry.data_offset % 64, 0u) << entry.name;
    EXPECT_EQ(entry.method, 0) << entry.name;
  }
  EXPECT_EQ(text(reader.read(*reader.find("archive/a"), 100)), "hello");
  EXPECT_EQ(text(reader.read(*reader.find("archive/b"), 1000)), std::string(1000, 'x'));
  EXPECT_TRUE(reader.read(*reader.find("archive/empty"), 0).empty());
  EXPECT_EQ(reader.find("archive/missing"), nullptr);
  EXPECT_NE(error_message([&] { reader.read(*reader.find("archive/b"), 999); }).find("too large"), std::string::npos);
}

TEST(ZipArchive, ReadsTorchArchivesWithDataDescriptorsAndZip64Records) {
  ZipReader reader(fixture("dtypes_zip.pth"));
  ASSERT_NE(reader.find("dtypes_zip/data.pkl"), nullptr);
  EXPECT_EQ(text(reader.read(*reader.find("dtypes_zip/version"), 16)), "3\n");
  for (const ZipEntry& entry : reader.entries()) EXPECT_EQ(entry.data_offset % 64, 0u) << entry.name;
}

TEST(ZipArchive, ReadsDeflatedEntries) {
  ZipReader reader(fixture("dtypes_deflated.pth"));
  const ZipEntry* pickle = reader.find("dtypes_zip/data.pkl");
  ASSERT_NE(pickle, nullptr);
  EXPECT_EQ(pickle->method, 8);
  EXPECT_EQ(reader.read(*pickle, 1 << 20).size(), pickle->size);
}

TEST(ZipArchive, RejectsHeadersThatLieAboutSizes) {
  std::string message = error_message([] { ZipReader reader(fixture("zip_local_huge_size.pth")); });
  EXPECT_NE(message.find("local header declares 2147483632 bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("zip_local_huge_size.pth"), std::string::npos) << message;

  message = error_message([] { ZipReader reader(fixture("zip_entry_out_of_bounds.pth")); });
  EXPECT_NE(message.find("out of bounds"), std::string::npos) << message;

  message = error_message([] { ZipReader reader(fixture("zip_bomb.pth")); });
  EXPECT_NE(message.find("impossible size"), std::string::npos) << message;
}

TEST(ZipArchive, RejectsTruncatedAndForeignFiles) {
  std::string message = error_message([] { ZipReader reader(fixture("truncated_dtypes_zip.pth")); });
  EXPECT_NE(message.find("no end-of-central-directory record"), std::string::npos) << message;
  message = error_message([] { ZipReader reader(fixture("random.bin")); });
  EXPECT_NE(message.find("random.bin"), std::string::npos) << message;
  ScratchDir dir;
  write_bytes(dir.file("tiny.zip"), "PK");
  EXPECT_NE(error_message([&] { ZipReader reader(dir.file("tiny.zip")); }).find("too short"), std::string::npos);
}

TEST(ZipArchive, DetectsCorruptData) {
  ScratchDir dir;
  const std::string path = write_sample(dir);
  std::vector<char> bytes = file_bytes(path);
  ZipReader clean(path);
  bytes[clean.find("archive/a")->data_offset] ^= 1;
  write_bytes(path, std::string(bytes.begin(), bytes.end()));
  ZipReader reader(path);
  const std::string message = error_message([&] { reader.read(*reader.find("archive/a"), 100); });
  EXPECT_NE(message.find("CRC-32 mismatch"), std::string::npos) << message;
}

TEST(ZipArchive, RefusesZip64) {
  ScratchDir dir;
  const std::string path = write_sample(dir);
  std::vector<char> bytes = file_bytes(path);
  // Entry counts of 0xffff in the end record mean "see the zip64 record".
  const size_t end_record = bytes.size() - 22;
  for (size_t i = 8; i < 12; ++i) bytes[end_record + i] = '\xff';
  write_bytes(path, std::string(bytes.begin(), bytes.end()));
  const std::string message = error_message([&] { ZipReader reader(path); });
  EXPECT_NE(message.find("zip64"), std::string::npos) << message;
}

TEST(ZipArchive, WriterRejectsBadNames) {
  ScratchDir dir;
  ZipWriter writer(dir.file("bad.zip"));
  EXPECT_NE(error_message([&] { writer.add("", "x", 1); }).find("1 to 65535 bytes"), std::string::npos);
}

}  // namespace
}  // namespace advbn::io
