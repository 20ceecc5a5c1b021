// Files from outside are hostile: every malformed or malicious input must end in an
// advbn::Error that names the file and the problem, never in a crash or executed code.
#include <advbn/error.h>
#include <advbn/io/torch_checkpoint.h>
#include <advbn/io/weights_file.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "io/io_test_support.h"

namespace advbn::io {
namespace {

using testing::error_message;
using testing::file_bytes;
using testing::fixture;
using testing::ScratchDir;
using testing::write_bytes;

class HostileFiles : public ::testing::Test {
 protected:
  // The payloads would create this file if anything ran them.
  void TearDown() override { EXPECT_FALSE(std::filesystem::exists(fixture("payload_executed"))); }

  static void expect_refusal(const std::string& name, const std::string& expected) {
    const std::string message = error_message([&] { load_weights(fixture(name)); });
    EXPECT_NE(message.find(expected), std::string::npos) << message;
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
};

TEST_F(HostileFiles, RefusesCodeExecutionGlobals) {
  expect_refusal("evil_os_system.pth", "refused to load global 'os.system' (only tensors and containers are allowed)");
  expect_refusal("evil_os_system.pkl", "refused to load global 'os.system'");
  // Protocol 2 spells builtins with its Python 2 name.
  expect_refusal("evil_eval.pth", "refused to load global '__builtin__.eval'");
  expect_refusal("evil_eval_legacy.pth", "refused to load global '__builtin__.eval'");
  expect_refusal("evil_custom_class.pth", "refused to load global '__main__.CustomClass'");
}

TEST_F(HostileFiles, RejectsTruncatedCheckpoints) {
  expect_refusal("truncated_dtypes_zip.pth", "no end-of-central-directory record");
  expect_refusal("truncated_dtypes_legacy.pth", "truncated");
}

TEST_F(HostileFiles, RejectsForeignFiles) {
  expect_refusal("random.bin", "is not a recognised weight file");
  ScratchDir dir;
  write_bytes(dir.file("empty.pth"), "");
  EXPECT_NE(error_message([&] { load_weights(dir.file("empty.pth")); }).find("not a recognised"), std::string::npos);
  EXPECT_NE(error_message([&] { read_torch_checkpoint(dir.file("empty.pth")); }).find("not a PyTorch checkpoint"),
            std::string::npos);
  EXPECT_NE(error_message([&] { load_weights(dir.file("missing.pth")); }).find("cannot open"), std::string::npos);
}

TEST_F(HostileFiles, RejectsLyingSizes) {
  expect_refusal("huge_header.safetensors", "header length 4611686018427387904 exceeds the limit");
  expect_refusal("zip_local_huge_size.pth", "local header declares");
  expect_refusal("zip_entry_out_of_bounds.pth", "out of bounds");
  expect_refusal("zip_bomb.pth", "impossible size");
  expect_refusal("storage_too_small.pth", "does not fit its storage of 10 elements");
}

// Cuts and bit flips at many places of small valid files: each attempt loads or throws
// advbn::Error, and nothing else.
TEST_F(HostileFiles, SurvivesTruncationAndCorruptionAnywhere) {
  ScratchDir dir;
  std::mt19937 random(1234);
  for (const char* name : {"dtypes_zip.pth", "dtypes_legacy.pth", "dtypes.safetensors"}) {
    const std::vector<char> original = file_bytes(fixture(name));
    const std::string path = dir.file(name);
    for (int attempt = 0; attempt < 300; ++attempt) {
      std::string bytes(original.begin(), original.end());
      if (attempt % 3 == 0) {
        bytes.resize(random() % bytes.size());
      } else {
        for (int flip = 0; flip < 1 + attempt % 4; ++flip)
          bytes[random() % bytes.size()] ^= static_cast<char>(1 + random() % 255);
      }
      write_bytes(path, bytes);
      try {
        load_weights(path);
      } catch (const advbn::Error&) {
      } catch (const std::exception& other) {
        ADD_FAILURE() << name << " attempt " << attempt << " threw something other than advbn::Error: " << other.what();
      }
    }
  }
}

}  // namespace
}  // namespace advbn::io
