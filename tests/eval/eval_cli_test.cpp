// `advbn eval --suite ...` end to end: the printed table, the JSON file, and one clear line for
// a malformed tree or a misplaced option.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"
#include "crafted_png.h"
#include "test_support.h"
#include "tiny_suites.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;

std::string save_tiny_network(const fs::path& dir) {
  torch::manual_seed(0);
  auto network = create_network({"resnet18", 2, Stem::Small, 0.25});
  const auto path = (dir / "tiny.safetensors").string();
  save_network(*network, path);
  return path;
}

TEST(EvalCli, ImageNetCSuitePrintsATableAndWritesJson) {
  const auto dir = test::temp_dir("eval_cli_imagenet_c");
  const auto weights = save_tiny_network(dir);
  test::write_imagenet_c_tree(dir / "tree", {"gaussian_noise", "contrast"}, {1, 2, 3, 4, 5});
  const auto json_path = dir / "out.json";
  const auto run = test::run_tool("eval --weights " + weights + " --suite imagenet-c --data " +
                                  (dir / "tree").string() + " --clean-error 0.3 --batch 2 " +
                                  "--threads 1 --json " + json_path.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* text : {"gaussian_noise", "contrast", "mCE", "relative mCE", "incomplete"}) {
    EXPECT_NE(run.output.find(text), std::string::npos) << text << " not in:\n" << run.output;
  }

  std::ifstream in(json_path);
  const auto report = nlohmann::json::parse(in);
  for (const char* key : {"suite", "root", "preprocessing", "classes", "images", "warnings",
                          "corruptions", "mce", "relative_mce", "clean_error", "mean_error",
                          "mean_error_held_out", "complete", "missing", "data", "arch", "branch"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  EXPECT_EQ(report.at("suite"), "imagenet-c");
  EXPECT_EQ(report.at("images"), 20);
  EXPECT_EQ(report.at("corruptions").at("contrast").at("severities").size(), 5u);
  EXPECT_TRUE(report.at("mce").is_number());
  EXPECT_TRUE(report.at("relative_mce").is_number());
  EXPECT_TRUE(report.at("mean_error_held_out").is_null());
  fs::remove_all(dir);
}

TEST(EvalCli, OtherSuitesAndPlainStillWork) {
  const auto dir = test::temp_dir("eval_cli_suites");
  const auto weights = save_tiny_network(dir);
  test::write_class_folder(dir / "folder", {"a", "b"}, 2);
  test::write_class_folder(dir / "instagram" / "toaster", {"a", "b"});
  test::write_class_folder(dir / "instagram" / "moon", {"a", "b"});
  const std::string common = "eval --weights " + weights + " --threads 1 --batch 2 ";

  const auto instagram =
      test::run_tool(common + "--suite instagram --data " + (dir / "instagram").string());
  ASSERT_EQ(instagram.exit_code, 0) << instagram.output;
  EXPECT_NE(instagram.output.find("toaster"), std::string::npos) << instagram.output;
  EXPECT_NE(instagram.output.find("mean top-1"), std::string::npos) << instagram.output;

  for (const char* suite : {"plain", "folder", "stylized"}) {
    const auto run =
        test::run_tool(common + "--suite " + suite + " --data " + (dir / "folder").string());
    ASSERT_EQ(run.exit_code, 0) << suite << ": " << run.output;
    EXPECT_NE(run.output.find("top-1"), std::string::npos) << run.output;
  }
  fs::remove_all(dir);
}

TEST(EvalCli, MalformedTreeOrMisplacedOptionGivesOneClearLine) {
  const auto dir = test::temp_dir("eval_cli_bad");
  const auto weights = save_tiny_network(dir);
  test::write_imagenet_c_tree(dir / "tree", {"fog"}, {1, 7});
  const auto bad_tree =
      test::run_tool("eval --weights " + weights + " --suite imagenet-c --threads 1 --data " +
                     (dir / "tree").string());
  EXPECT_NE(bad_tree.exit_code, 0);
  EXPECT_NE(bad_tree.output.find("advbn: error: "), std::string::npos) << bad_tree.output;
  EXPECT_NE(bad_tree.output.find((dir / "tree" / "fog" / "7").string()), std::string::npos)
      << bad_tree.output;

  const auto misplaced =
      test::run_tool("eval --weights " + weights + " --suite folder --clean-error 0.2 --data " +
                     (dir / "tree").string());
  EXPECT_NE(misplaced.exit_code, 0);
  EXPECT_NE(misplaced.output.find("--clean-error"), std::string::npos) << misplaced.output;
  fs::remove_all(dir);
}

// A PNG declaring 32000×32000 pixels is refused by its declared size in a suite and in plain
// data, and --max-image-pixels reaches the readers of both.
TEST(EvalCli, DecompressionBombsAreRefusedAndTheLimitIsAnOption) {
  const auto dir = test::temp_dir("eval_cli_bomb");
  const auto weights = save_tiny_network(dir);
  test::write_class_folder(dir / "folder", {"a", "b"});  // 16×16 images
  test::write_png_declaring(dir / "folder" / "b" / "bomb.png", 32000, 32000);
  const std::string common = "eval --weights " + weights + " --threads 1 --data " +
                             (dir / "folder").string();
  for (const std::string suite : {"folder", "plain"}) {
    const auto run = test::run_tool(common + " --suite " + suite);
    EXPECT_NE(run.exit_code, 0) << suite;
    EXPECT_NE(run.output.find("bomb.png' declares 32000×32000 pixels, above the limit of 178956970"),
              std::string::npos)
        << suite << ":\n" << run.output;
  }
  fs::remove(dir / "folder" / "b" / "bomb.png");
  for (const std::string suite : {"folder", "plain"}) {
    const auto strict = test::run_tool(common + " --suite " + suite + " --max-image-pixels 255");
    EXPECT_NE(strict.output.find("declares 16×16 pixels, above the limit of 255"), std::string::npos)
        << suite << ":\n" << strict.output;
    const auto enough = test::run_tool(common + " --suite " + suite + " --max-image-pixels 256");
    EXPECT_EQ(enough.exit_code, 0) << suite << ":\n" << enough.output;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace advbn
