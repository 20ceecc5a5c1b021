#include <advbn/error.h>
#include <advbn/io/torch_checkpoint.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "io/io_test_support.h"

namespace advbn::io {
namespace {

using testing::env_or_empty;
using testing::error_message;
using testing::expect_matches_reference;
using testing::fixture;
using testing::ScratchDir;

const at::Tensor& find(const StateDict& weights, const std::string& name) {
  for (const auto& [key, tensor] : weights) {
    if (key == name) return tensor;
  }
  throw std::runtime_error("no tensor " + name);
}

// Runs tests/io/check_torch_load.py with the oracle Python; true when PyTorch agrees.
bool python_accepts(const std::string& written, const std::string& reference, const std::string& flags = "") {
  const std::string python = env_or_empty("ADVBN_PYTHON").empty() ? "/usr/bin/python3" : env_or_empty("ADVBN_PYTHON");
  const std::string source_dir = env_or_empty("ADVBN_SOURCE_DIR");
  const std::string script = source_dir.empty()
                                 ? (std::filesystem::path(__FILE__).parent_path() / "check_torch_load.py").string()
                                 : source_dir + "/tests/io/check_torch_load.py";
  const std::string command = "'" + python + "' '" + script + "' '" + written + "' '" + reference + "' " + flags;
  return std::system(command.c_str()) == 0;
}

TEST(TorchCheckpoint, ReadsResnet18InZipFormat) {
  expect_matches_reference(read_torch_checkpoint(fixture("resnet18_zip.pth")), "resnet18");
}

TEST(TorchCheckpoint, ReadsResnet18InLegacyFormat) {
  expect_matches_reference(read_torch_checkpoint(fixture("resnet18_legacy.pth")), "resnet18");
}

TEST(TorchCheckpoint, UnwrapsTrainingCheckpointsOfDataParallelModels) {
  expect_matches_reference(read_torch_checkpoint(fixture("resnet18_nested.pth")), "resnet18");
}

TEST(TorchCheckpoint, ReadsEveryDtypeInEveryContainer) {
  for (const char* name : {"dtypes_zip.pth", "dtypes_legacy.pth", "dtypes_deflated.pth"}) {
    SCOPED_TRACE(name);
    expect_matches_reference(read_torch_checkpoint(fixture(name)), "dtypes");
  }
}

TEST(TorchCheckpoint, KeepsStridesOffsetsAndSharedStorage) {
  for (const char* name : {"dtypes_zip.pth", "dtypes_legacy.pth"}) {
    SCOPED_TRACE(name);
    const StateDict weights = read_torch_checkpoint(fixture(name));
    const at::Tensor& base = find(weights, "base");
    const at::Tensor& slice = find(weights, "transposed_slice");  // base.t()[1:, ::2]
    EXPECT_EQ(slice.strides().vec(), (std::vector<int64_t>{1, 12}));
    EXPECT_EQ(slice.storage_offset(), 1);
    EXPECT_TRUE(slice.is_alias_of(base));
    EXPECT_TRUE(find(weights, "row").is_alias_of(base));
    EXPECT_EQ(find(weights, "row").storage_offset(), 12);
  }
}

TEST(TorchCheckpoint, WritesResnet18ThatTorchvisionLoads) {
  ScratchDir dir;
  const std::string written = dir.file("resnet18.pth");
  write_torch_checkpoint(written, read_torch_checkpoint(fixture("resnet18_zip.pth")));
  expect_matches_reference(read_torch_checkpoint(written), "resnet18");
  EXPECT_TRUE(python_accepts(written, fixture("resnet18_zip.pth"), "--resnet18"));
}

TEST(TorchCheckpoint, WritesEveryDtypeAndViewsThatTorchLoads) {
  ScratchDir dir;
  const std::string written = dir.file("dtypes.pt");
  write_torch_checkpoint(written, read_torch_checkpoint(fixture("dtypes_legacy.pth")));
  expect_matches_reference(read_torch_checkpoint(written), "dtypes");
  EXPECT_TRUE(python_accepts(written, fixture("dtypes_zip.pth")));
}

TEST(TorchCheckpoint, RoundTripsAnEmptyStateDict) {
  ScratchDir dir;
  write_torch_checkpoint(dir.file("empty.pth"), {});
  EXPECT_TRUE(read_torch_checkpoint(dir.file("empty.pth")).empty());
}

TEST(TorchCheckpoint, WriterRejectsWhatTorchCannotRepresent) {
  ScratchDir dir;
  const std::string path = dir.file("bad.pth");
  std::string message = error_message([&] {
    write_torch_checkpoint(path, {{"z", at::zeros({2}, at::kComplexFloat)}});
  });
  EXPECT_NE(message.find("unsupported dtype"), std::string::npos) << message;
  message = error_message([&] { write_torch_checkpoint(path, {{"a", at::zeros({1})}, {"a", at::zeros({1})}}); });
  EXPECT_NE(message.find("appears twice"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
}

}  // namespace
}  // namespace advbn::io
