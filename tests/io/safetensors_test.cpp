#include <advbn/error.h>
#include <advbn/io/little_endian.h>
#include <advbn/io/safetensors.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "io/io_test_support.h"

namespace advbn::io {
namespace {

using testing::error_message;
using testing::expect_matches_reference;
using testing::file_bytes;
using testing::fixture;
using testing::ScratchDir;
using testing::write_bytes;

// A safetensors file with the given header text and `data_size` zero bytes of data.
std::string make_file(const ScratchDir& dir, const std::string& header, size_t data_size) {
  const std::string path = dir.file("handmade.safetensors");
  std::string bytes(8, '\0');
  store_little_endian<uint64_t>(reinterpret_cast<uint8_t*>(bytes.data()), header.size());
  write_bytes(path, bytes + header + std::string(data_size, '\0'));
  return path;
}

std::string read_error(const std::string& path) {
  return error_message([&] { read_safetensors(path); });
}

TEST(Safetensors, ReadsAnIndependentlyWrittenFile) {
  const std::string path = fixture("dtypes.safetensors");
  expect_matches_reference(read_safetensors(path), "dtypes");
  const std::map<std::string, std::string> expected{{"format", "pt"}, {"source", "make_io_fixtures"}};
  EXPECT_EQ(read_safetensors_metadata(path), expected);
}

TEST(Safetensors, RewritesAFileByteForByte) {
  ScratchDir dir;
  const std::string source = fixture("dtypes.safetensors");
  const std::string copy = dir.file("copy.safetensors");
  write_safetensors(copy, read_safetensors(source), read_safetensors_metadata(source));
  EXPECT_EQ(file_bytes(copy), file_bytes(source));
}

TEST(Safetensors, RoundTripIsBitExact) {
  ScratchDir dir;
  at::Tensor special = at::tensor({0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                                   std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min()});
  special.view(at::kInt)[3] = 0x7fc12345;  // a NaN with a payload
  const StateDict tensors{{"special", special},
                          {"strided", at::arange(12, at::kDouble).reshape({3, 4}).t()},
                          {"half", at::randn({3, 3}).to(at::kHalf)},
                          {"bf16", at::randn({2}).to(at::kBFloat16)},
                          {"mask", at::rand({4}) > 0.5},
                          {"scalar", at::tensor(int64_t{-5})},
                          {"empty", at::zeros({0, 2}, at::kByte)}};
  const std::string first = dir.file("first.safetensors");
  write_safetensors(first, tensors, {{"note", "round trip"}});
  const StateDict loaded = read_safetensors(first);
  ASSERT_EQ(loaded.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    SCOPED_TRACE(tensors[i].first);
    EXPECT_EQ(loaded[i].first, tensors[i].first);
    EXPECT_EQ(loaded[i].second.scalar_type(), tensors[i].second.scalar_type());
    EXPECT_EQ(loaded[i].second.sizes(), tensors[i].second.sizes());
    const at::Tensor expected = tensors[i].second.contiguous();
    EXPECT_TRUE(expected.nbytes() == 0 ||
                std::memcmp(loaded[i].second.data_ptr(), expected.data_ptr(), expected.nbytes()) == 0);
  }
  const std::string second = dir.file("second.safetensors");
  write_safetensors(second, loaded, read_safetensors_metadata(first));
  EXPECT_EQ(file_bytes(first), file_bytes(second));
  EXPECT_EQ(load_little_endian<uint64_t>(reinterpret_cast<const uint8_t*>(file_bytes(first).data())) % 8, 0u);
}

TEST(Safetensors, RejectsMalformedHeaders) {
  ScratchDir dir;
  const auto expect = [&](const std::string& header, size_t data_size, const std::string& problem) {
    const std::string message = read_error(make_file(dir, header, data_size));
    EXPECT_NE(message.find(problem), std::string::npos) << header << " -> " << message;
    EXPECT_NE(message.find("handmade.safetensors"), std::string::npos) << message;
  };
  expect(
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
      12, "overlap");
  expect(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8, "do not match its shape and dtype");
  expect(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", 1, "unsupported dtype 'F8_E4M3'");
  expect(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8, "truncated file or corrupt header");
  expect(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4, "non-negative integer");
  expect(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,0]}})", 0, "do not match");
  expect(R"({"a":{"dtype":"F32","shape":[1]}})", 4, "data_offsets");
  expect(R"({"__metadata__":{"k":1}})", 0, "__metadata__ entry 'k' is not a string");
  expect(R"({"a":[[[[[[1]]]]]]})", 0, "nests deeper");
  expect(R"({"a": )", 0, "not valid JSON");
  expect(R"([1,2])", 0, "not a JSON object");

  const std::string path = dir.file("short.safetensors");
  write_bytes(path, std::string("\x10\x00\x00\x00\x00\x00\x00\x00{}", 10));
  EXPECT_NE(read_error(path).find("exceeds the file size"), std::string::npos);
}

TEST(Safetensors, WriterRejectsWhatTheFormatCannotHold) {
  ScratchDir dir;
  const std::string path = dir.file("bad.safetensors");
  EXPECT_NE(error_message([&] {
              write_safetensors(path, {{"__metadata__", at::zeros({1})}});
            }).find("reserved"),
            std::string::npos);
  EXPECT_NE(error_message([&] {
              write_safetensors(path, {{"a", at::zeros({1})}, {"a", at::zeros({1})}});
            }).find("appears twice"),
            std::string::npos);
  EXPECT_NE(error_message([&] {
              write_safetensors(path, {{"c", at::zeros({1}, at::kComplexDouble)}});
            }).find("unsupported dtype"),
            std::string::npos);
  EXPECT_NE(error_message([&] {
              write_safetensors(path, {{std::string("\xff"), at::zeros({1})}});
            }).find("UTF-8"),
            std::string::npos);
}

}  // namespace
}  // namespace advbn::io
