#include <advbn/error.h>
#include <advbn/io/safetensors.h>
#include <advbn/io/torch_checkpoint.h>
#include <advbn/io/weights_file.h>
#include <gtest/gtest.h>

#include <string>

#include "io/io_test_support.h"

namespace advbn::io {
namespace {

using testing::error_message;
using testing::expect_matches_reference;
using testing::file_bytes;
using testing::fixture;
using testing::ScratchDir;

TEST(WeightsFile, RecognisesEachFormatByContent) {
  expect_matches_reference(load_weights(fixture("resnet18_zip.pth")), "resnet18");
  expect_matches_reference(load_weights(fixture("resnet18_legacy.pth")), "resnet18");
  expect_matches_reference(load_weights(fixture("resnet18_nested.pth")), "resnet18");
  expect_matches_reference(load_weights(fixture("dtypes.safetensors")), "dtypes");
}

// A safetensors header of 0x…80 bytes makes the file start with 0x80, a pickle's PROTO opcode.
TEST(WeightsFile, SafetensorsWhoseLengthStartsLikeAPickleLoad) {
  ScratchDir dir;
  const std::string path = dir.file("w.safetensors");
  const StateDict weights{{"w", at::arange(4, at::kFloat)}};
  bool found = false;
  for (size_t pad = 0; pad < 300 && !found; ++pad) {
    write_safetensors(path, weights, {{"note", std::string(pad, 'x')}});
    found = static_cast<unsigned char>(file_bytes(path)[0]) == 0x80;
  }
  ASSERT_TRUE(found);
  const StateDict loaded = load_weights(path);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_TRUE(loaded[0].second.equal(weights[0].second));
}

TEST(WeightsFile, StripsDataParallelPrefixFromSafetensors) {
  const StateDict weights = load_weights(fixture("data_parallel.safetensors"));
  ASSERT_EQ(weights.size(), 3u);
  EXPECT_EQ(weights[0].first, "f32");
  EXPECT_EQ(weights[2].first, "f16");
  EXPECT_EQ(read_safetensors(fixture("data_parallel.safetensors"))[0].first, "module.f32");
}

TEST(WeightsFile, SavesByExtensionAndLoadsBack) {
  ScratchDir dir;
  const StateDict weights = load_weights(fixture("dtypes_zip.pth"));
  for (const char* name : {"w.safetensors", "w.pth", "w.PT", "w.bin"}) {
    SCOPED_TRACE(name);
    const std::string path = dir.file(name);
    save_weights(path, weights);
    const std::vector<char> bytes = file_bytes(path);
    const bool is_zip = bytes.size() > 2 && bytes[0] == 'P' && bytes[1] == 'K';
    EXPECT_EQ(is_zip, std::string(name) != "w.safetensors");
    expect_matches_reference(load_weights(path), "dtypes");
  }
}

TEST(WeightsFile, RejectsUnknownExtensions) {
  ScratchDir dir;
  const std::string message = error_message([&] { save_weights(dir.file("weights.txt"), {}); });
  EXPECT_NE(message.find("unknown extension '.txt'"), std::string::npos) << message;
}

TEST(WeightsFile, RejectsDuplicateNamesAfterStrippingThePrefix) {
  ScratchDir dir;
  const std::string path = dir.file("dup.safetensors");
  write_safetensors(path, {{"module.a", at::zeros({1})}, {"a", at::ones({1})}});
  EXPECT_NE(error_message([&] { load_weights(path); }).find("holds weight 'a' twice"), std::string::npos);
}

}  // namespace
}  // namespace advbn::io
