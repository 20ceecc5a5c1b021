// The tool end to end: happy paths of convert/predict/attack and one clear line for bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "advbn/io/safetensors.h"
#include "advbn/io/weights_file.h"
#include "test_support.h"

namespace advbn {
namespace {

using test::fixture;
using test::run_tool;

// The tool's input format for images/labels, made from the Python fixture batch.
std::string write_batch(const std::filesystem::path& dir) {
  const auto path = (dir / "batch.safetensors").string();
  io::write_safetensors(path, io::load_weights(fixture("batch.pth")));
  return path;
}

void expect_one_line_error(const test::CommandResult& result, const std::string& needle) {
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("advbn: error: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(needle), std::string::npos) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

TEST(Cli, HelpAndVersion) {
  EXPECT_EQ(run_tool("--version").exit_code, 0);
  const auto help = run_tool("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd : {"convert", "predict", "attack"}) {
    EXPECT_NE(help.output.find(cmd), std::string::npos) << cmd;
    EXPECT_EQ(run_tool(std::string(cmd) + " --help").exit_code, 0) << cmd;
  }
}

TEST(Cli, ConvertPredictAndAttack) {
  const auto dir = test::temp_dir("cli");
  const auto converted = (dir / "r18.safetensors").string();
  ASSERT_EQ(run_tool("convert --arch resnet50 --num-classes 10 --in " + fixture("resnet50.pth") +
                     " --out " + converted).exit_code, 0);
  const auto batch = write_batch(dir);
  const auto logits_path = (dir / "logits.safetensors").string();
  const auto predicted = run_tool("predict --weights " + converted + " --input " + batch +
                                  " --output " + logits_path + " --threads 1");
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  const auto logits = io::read_safetensors(logits_path).at(0).second;
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{4, 10}));

  const auto attack_path = (dir / "attack.safetensors").string();
  const auto attacked = run_tool("attack --weights " + converted + " --cut conv3_4 --steps 3 --input " +
                                 batch + " --output " + attack_path);
  ASSERT_EQ(attacked.exit_code, 0) << attacked.output;
  std::map<std::string, torch::Tensor> out;
  for (auto& [k, v] : io::read_safetensors(attack_path)) out[k] = v;
  EXPECT_EQ(out.at("delta_mu").numel(), 512);
  EXPECT_EQ(out.at("delta_sigma").numel(), 512);
  ASSERT_EQ(out.at("loss").numel(), 4);
  EXPECT_GT(out.at("loss")[3].item<float>(), out.at("loss")[0].item<float>());
}

TEST(Cli, BadInputGivesOneClearLine) {
  const auto dir = test::temp_dir("cli_bad");
  const auto batch = write_batch(dir);
  const auto out = (dir / "out.safetensors").string();
  expect_one_line_error(run_tool("convert --arch resnet18 --in /nonexistent/w.pth --out " + out),
                        "/nonexistent/w.pth");
  expect_one_line_error(
      run_tool("convert --arch resnet18 --in " + fixture("not_a_checkpoint.pth") + " --out " + out),
      "not_a_checkpoint.pth");
  expect_one_line_error(
      run_tool("convert --arch resnet18 --in " + fixture("truncated.pth") + " --out " + out),
      "truncated.pth");
  const auto hostile =
      run_tool("convert --arch resnet18 --in " + fixture("hostile.pth") + " --out " + out);
  expect_one_line_error(hostile, "system");
  EXPECT_EQ(hostile.output.find("this-must-never-run"), std::string::npos);
  expect_one_line_error(
      run_tool("convert --arch resnet50 --in " + fixture("resnet18.pth") + " --out " + out),
      "resnet18.pth");
  expect_one_line_error(run_tool("attack --arch resnet18 --weights " + fixture("resnet18.pth") +
                                 " --cut conv9_9 --input " + batch + " --output " + out),
                        "conv9_9");
  expect_one_line_error(run_tool("predict --arch resnet18 --weights " + fixture("resnet18.pth") +
                                 " --input /nonexistent/in.safetensors --output " + out),
                        "/nonexistent/in.safetensors");
}

}  // namespace
}  // namespace advbn
