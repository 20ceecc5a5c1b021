// The tool end to end: happy paths of convert/predict/attack and one clear line for bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "advbn/io/safetensors.h"
#include "advbn/io/weights_file.h"
#include "test_support.h"
#include "train/tiny_dataset.h"

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
  expect_one_line_error(run_tool("convert --arch resnet18 --input-mean 0.5,0.5 --in /nonexistent/w.pth --out " + out),
                        "expected three comma-separated numbers (R,G,B), got '0.5,0.5'");
  expect_one_line_error(run_tool("convert --arch resnet18 --input-std 0.2,0,0.2 --in /nonexistent/w.pth --out " + out),
                        "input normalisation needs finite means and stds > 0");
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

TEST(Cli, TrainWithConfigFileThenEvaluate) {
  const auto dir = test::temp_dir("cli_train");
  test::write_quadrant_idx(dir / "data", 96, 32);
  {
    std::ofstream config(dir / "config.yaml");
    config << "arch: resnet18\nstem: small\nwidth: 0.125\nfrom-scratch: true\nepochs: 1\n"
              "batch: 16\nlr: 0.05\nval_fraction: 0.2\n";
  }
  const auto out = (dir / "run").string();
  const auto trained = run_tool("train --config " + (dir / "config.yaml").string() + " --data " +
                                (dir / "data").string() + " --out " + out + " --threads 1");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("val acc"), std::string::npos) << trained.output;
  const auto json = (dir / "eval.json").string();
  const auto evaluated = run_tool("eval --weights " + out + "/best.safetensors --data " +
                                  (dir / "data").string() + " --json " + json);
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  std::ifstream in(json);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\"top1\""), std::string::npos) << text.str();
}

TEST(Cli, TrainRejectsBadConfigurations) {
  const auto dir = test::temp_dir("cli_train_bad");
  test::write_quadrant_idx(dir / "data", 32, 8);
  const std::string base = "train --from-scratch --data " + (dir / "data").string() + " --out " +
                           (dir / "run").string();
  {
    std::ofstream config(dir / "unknown.yaml");
    config << "epochs: 1\nlearning_rate: 0.1\n";
  }
  expect_one_line_error(run_tool(base + " --config " + (dir / "unknown.yaml").string()),
                        "learning_rate");
  // Keys that are not plain words (the first is an input from fuzz/config_fuzzer.cpp) once escaped
  // as yaml-cpp exceptions without the file's name; an empty list made CLI11's flag callback read
  // past the end of an empty vector.
  const std::pair<const char*, std::string> malformed[] = {
      {"map_key.yaml", "{\"lr\": 0.0,10\"st\xe6" "a\": 0.0,\x11" "0\"st\xe6" "alse}:"},
      {"list_key.yaml", "[lr, epochs]: 1\n"},
      {"empty_flag.yaml", "random_start: []\n"}};
  for (const auto& [name, text] : malformed) {
    std::ofstream(dir / name) << text;
    expect_one_line_error(run_tool(base + " --config " + (dir / name).string()), name);
  }
  expect_one_line_error(run_tool(base + " --eps -0.5"), "epsilon");
  expect_one_line_error(run_tool(base + " --steps -2"), "steps");
  expect_one_line_error(
      run_tool("train --weights " + fixture("resnet18.pth") + " --arch resnet18 --cut layer9 --data " +
               (dir / "data").string() + " --out " + (dir / "run2").string()),
      "layer9");
  expect_one_line_error(run_tool("train --from-scratch --data /nonexistent/data --out " +
                                 (dir / "run3").string()),
                        "/nonexistent/data");
  expect_one_line_error(run_tool("train --resume " + (dir / "nothing").string()), "nothing");
}

// A resumed run keeps its configuration: a conflicting option is refused by name, a repeated
// one is accepted, and --epochs extends the run.
TEST(Cli, ResumeRefusesOptionsThatConflictWithTheStoredRun) {
  const auto dir = test::temp_dir("cli_resume");
  test::write_quadrant_idx(dir / "data", 64, 16);
  const auto out = (dir / "run").string();
  const std::string first = "train --from-scratch --arch resnet18 --stem small --width 0.125 --epochs 1 "
                            "--batch 16 --lr 0.05 --threads 1 --data " + (dir / "data").string() + " --out " + out;
  ASSERT_EQ(run_tool(first).exit_code, 0);

  expect_one_line_error(run_tool("train --resume " + out + " --epochs 2 --lr 0.5"), "lr = 0.05");
  expect_one_line_error(run_tool("train --resume " + out + " --epochs 2 --method standard"), "method");
  expect_one_line_error(run_tool("train --resume " + out + " --epochs 2 --no-relu-clamp"), "relu_clamp");

  const auto resumed = run_tool("train --resume " + out + " --epochs 2 --lr 0.05 --workers 2 --threads 1");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("epoch 2/2"), std::string::npos) << resumed.output;
  std::filesystem::remove_all(dir);
}

// A failure found while data is read: progress lines may come first, then exactly one error line,
// the last, naming what was wrong.
void expect_error_after_progress(const test::CommandResult& result, const std::string& needle) {
  EXPECT_NE(result.exit_code, 0) << result.output;
  const auto last_line_start = result.output.rfind('\n', result.output.size() - 2) + 1;
  const std::string last_line = result.output.substr(last_line_start);
  EXPECT_EQ(last_line.rfind("advbn: error: ", 0), 0u) << result.output;
  EXPECT_NE(last_line.find(needle), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("error"), last_line_start + 7) << result.output;
}

// A train-id segmentation folder: `count` images of 24 × 24 px, a bright rectangle (class 1) on
// a dark background (class 0).
void write_rectangle_scenes(const std::filesystem::path& root, int count) {
  std::filesystem::create_directories(root / "images");
  std::filesystem::create_directories(root / "labels");
  std::ofstream(root / "classes.txt") << "background\nrectangle\n";
  for (int i = 0; i < count; ++i) {
    cv::Mat image(24, 24, CV_8UC3, cv::Scalar(20, 30, 40));
    cv::Mat labels(24, 24, CV_8UC1, cv::Scalar(0));
    const cv::Rect box(i % 10, (i * 3) % 10, 10, 12);
    image(box).setTo(cv::Scalar(200, 220, 180));
    labels(box).setTo(1);
    const std::string name = std::to_string(i) + ".png";
    cv::imwrite((root / "images" / name).string(), image);
    cv::imwrite((root / "labels" / name).string(), labels);
  }
}

TEST(Cli, SegmentationTrainEvaluateAndBadFolders) {
  const auto dir = test::temp_dir("cli_segmentation");
  write_rectangle_scenes(dir / "scenes", 20);
  const auto out = (dir / "run").string();
  const auto trained = test::run_tool("train --task segmentation --from-scratch --arch fcn_resnet18 --num-classes 2 "
                                      "--width 0.125 --epochs 1 --batch 4 --lr 0.02 --val-fraction 0.2 --threads 1 "
                                      "--data " + (dir / "scenes").string() + " --out " + out);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("val mIoU"), std::string::npos) << trained.output;

  const std::string eval = "eval --task segmentation --weights " + out + "/best.safetensors --data ";
  const auto json_file = (dir / "eval.json").string();
  const auto evaluated = test::run_tool(eval + (dir / "scenes").string() + " --json " + json_file);
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_NE(evaluated.output.find("mIoU"), std::string::npos) << evaluated.output;
  const auto report = nlohmann::json::parse(std::ifstream(json_file));
  EXPECT_EQ(report.at("images"), 20);
  EXPECT_EQ(report.at("pixels"), 20 * 24 * 24);
  EXPECT_TRUE(report.at("iou").contains("rectangle")) << report;
  EXPECT_GE(report.at("miou").get<double>(), 0.0);

  // A label of another size, a label outside the classes, a missing label file: one line each.
  cv::imwrite((dir / "scenes" / "labels" / "3.png").string(), cv::Mat(20, 24, CV_8UC1, cv::Scalar(0)));
  expect_error_after_progress(test::run_tool(eval + (dir / "scenes").string()), "3.png is 24x20 but its image");
  cv::imwrite((dir / "scenes" / "labels" / "3.png").string(), cv::Mat(24, 24, CV_8UC1, cv::Scalar(7)));
  expect_error_after_progress(test::run_tool(eval + (dir / "scenes").string()), "3.png: label 7");
  std::filesystem::remove(dir / "scenes" / "labels" / "3.png");
  expect_one_line_error(test::run_tool(eval + (dir / "scenes").string()), "no label file");
  expect_one_line_error(test::run_tool(eval + dir.string()), "is not a segmentation folder");
  expect_one_line_error(test::run_tool(eval + (dir / "scenes").string() + " --suite imagenet-c"), "--suite");
}

}  // namespace
}  // namespace advbn
