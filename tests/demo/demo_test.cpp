// `advbn demo --quick` end to end on a tiny dataset: the report's structure and ranges.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "advbn/shift/corruptions.h"
#include "advbn/shift/filters.h"
#include "test_support.h"
#include "train/tiny_dataset.h"

namespace advbn {
namespace {

void expect_percentage(const nlohmann::json& value, const std::string& where) {
  ASSERT_TRUE(value.is_number()) << where;
  const double v = value.get<double>();
  EXPECT_TRUE(std::isfinite(v) && v >= 0 && v <= 100) << where << " = " << v;
}

TEST(Demo, QuickRunWritesACompleteReport) {
  const auto dir = test::temp_dir("demo");
  test::write_quadrant_idx(dir / "data", 400, 100);
  const auto out = dir / "out";
  // Style images of its own, so the test does not depend on the installed textures.
  std::filesystem::create_directories(dir / "styles");
  for (int i = 0; i < 3; ++i) {
    cv::Mat style(40, 40, CV_8UC3, cv::Scalar(60 * i, 255 - 60 * i, 128));
    cv::randu(style(cv::Rect(0, 0, 20, 40)), 0, 255);
    cv::imwrite((dir / "styles" / ("style" + std::to_string(i) + ".png")).string(), style);
  }
  const std::string styles = " --styles " + (dir / "styles").string();
  const auto run = test::run_tool("demo --quick --threads 2 --test-images 20 --data " +
                                  (dir / "data").string() + " --out " + out.string() + styles);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  std::ifstream in(out / "report.json");
  const auto report = nlohmann::json::parse(in);
  EXPECT_EQ(report.at("dataset"), "fashion-mnist");
  EXPECT_GT(report.at("seconds").get<double>(), 0);
  EXPECT_TRUE(report.at("config").is_object());
  for (const char* name : {"pretrained", "standard", "advbn", "advbn_adv_branch"}) {
    const auto& model = report.at("models").at(name);
    expect_percentage(model.at("clean_top1"), std::string(name) + ".clean_top1");
    expect_percentage(model.at("corruption_error"), std::string(name) + ".corruption_error");
    expect_percentage(model.at("filters_top1"), std::string(name) + ".filters_top1");
    ASSERT_EQ(model.at("corruptions").size(), shift::common_corruptions().size()) << name;
    for (const auto& corruption : shift::common_corruptions()) {
      for (const char* severity : {"1", "2", "3", "4", "5"}) {
        expect_percentage(model.at("corruptions").at(corruption).at(severity),
                          std::string(name) + "." + corruption + "." + severity);
      }
    }
    ASSERT_EQ(model.at("filters").size(), shift::filter_names().size()) << name;
    for (const auto& [filter, top1] : model.at("filters").items()) {
      expect_percentage(top1, std::string(name) + "." + filter);
    }
  }
  EXPECT_FALSE(report.at("models").at("advbn").at("history").empty());
  for (const auto& example : report.at("examples")) {
    EXPECT_TRUE(std::filesystem::exists(out / example.at("file").get<std::string>())) << example;
  }
  EXPECT_TRUE(std::filesystem::exists(out / "report.html"));
  EXPECT_TRUE(std::filesystem::exists(out / "plots" / "corruption_error.png"));

  // Feature divergence clean ↔ a corruption and ↔ a filter, at the cut and every later block.
  const auto& divergence = report.at("divergence");
  ASSERT_EQ(divergence.size(), 2u);
  for (const auto& comparison : divergence) {
    const auto& models = comparison.at("models");
    ASSERT_EQ(models.size(), 4u);
    const auto blocks = comparison.at("blocks").size();
    for (const auto& model : models) {
      ASSERT_EQ(model.at("divergence").size(), blocks);
      for (const auto& d : model.at("divergence")) EXPECT_GE(d.get<double>(), 0.0) << comparison;
    }
    // The cut's own output comes from the frozen prefix, the same in every model.
    const double at_cut = models[0].at("divergence")[0].get<double>();
    for (const auto& model : models) EXPECT_NEAR(model.at("divergence")[0].get<double>(), at_cut, 1e-6 * (1 + at_cut));
  }
  EXPECT_TRUE(std::filesystem::exists(out / "plots" / "divergence_1.png"));

  // Stylized and AdvBN-decoded test sets, made by a decoder trained for the pretrained prefix.
  const auto& autoencoder = report.at("autoencoder");
  EXPECT_GT(autoencoder.at("decoder").at("val_psnr").get<double>(), 0);
  EXPECT_EQ(autoencoder.at("styles").at("count"), 3);
  ASSERT_EQ(autoencoder.at("test_sets").size(), 2u);
  for (const char* name : {"pretrained", "standard", "advbn", "advbn_adv_branch"}) {
    for (const auto& set : autoencoder.at("test_sets")) {
      expect_percentage(autoencoder.at("models").at(name).at(set.get<std::string>()), std::string(name) + "." + set.dump());
    }
  }
  EXPECT_TRUE(std::filesystem::exists(out / autoencoder.at("gallery").at("file").get<std::string>()));
  EXPECT_EQ(autoencoder.at("gallery").at("columns").size(), 6u);  // original, reconstruction, 4 × ε

  // A second run reuses every finished training run, also when it names the folder another way;
  // with --segmentation it adds the segmentation section to the same report.
  const auto again = test::run_tool("demo --quick --segmentation --threads 2 --test-images 20 --data " +
                                    (dir / "data").string() + " --out " + (out / ".." / out.filename()).string() + styles);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("reusing the finished run"), std::string::npos) << again.output;
  const auto segmentation_start = again.output.find("[segmentation");
  ASSERT_NE(segmentation_start, std::string::npos) << again.output;
  EXPECT_EQ(again.output.substr(0, segmentation_start).find("epoch 1/"), std::string::npos) << again.output;
  const auto segmentation = nlohmann::json::parse(std::ifstream(out / "report.json")).at("segmentation");
  const auto test_sets = segmentation.at("test_sets").get<std::vector<std::string>>();
  ASSERT_EQ(test_sets.size(), 9u);
  EXPECT_EQ(test_sets.front(), "flat");
  EXPECT_EQ(segmentation.at("classes").size(), 11u);
  for (const char* name : {"pretrained", "standard", "advbn", "advbn_adv_branch"}) {
    const auto& model = segmentation.at("models").at(name);
    for (const auto& set : test_sets) {
      expect_percentage(model.at("test_sets").at(set).at("miou"), std::string(name) + "." + set + ".miou");
      expect_percentage(model.at("test_sets").at(set).at("pixel_accuracy"), std::string(name) + "." + set);
    }
    expect_percentage(model.at("shifted_miou"), std::string(name) + ".shifted_miou");
  }
  EXPECT_FALSE(segmentation.at("models").at("advbn").at("history").empty());
  std::ifstream html(out / "report.html");
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<h2>Segmentation</h2>"), std::string::npos);
  EXPECT_NE(page.find("<h2>Stylized and AdvBN-decoded test sets</h2>"), std::string::npos);

  // Methods compared over two seeds: the demo's own runs are reused at the first seed.
  const auto compared = test::run_tool("demo --quick --threads 2 --test-images 20 --compare standard mixstyle "
                                       "advbn_cheap --seeds 2 --data " + (dir / "data").string() + " --out " +
                                       out.string() + styles);
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  std::ifstream compared_in(out / "report.json");
  const auto comparison = nlohmann::json::parse(compared_in).at("comparison");
  ASSERT_EQ(comparison.size(), 3u);
  EXPECT_EQ(comparison[0].at("method"), "standard");
  EXPECT_EQ(comparison[1].at("method"), "mixstyle");
  for (const auto& method : comparison) {
    ASSERT_EQ(method.at("runs").size(), 2u) << method;
    EXPECT_EQ(method.at("runs")[1].at("seed"), 1) << method;
    for (const auto& run : method.at("runs")) {
      expect_percentage(run.at("corruption_error"), method.at("method").get<std::string>());
      EXPECT_GT(run.at("seconds_per_epoch").get<double>(), 0) << method;
    }
  }
  // Standard at the demo's seed is the demo's standard model.
  EXPECT_NEAR(comparison[0].at("runs")[0].at("clean_top1").get<double>(),
              nlohmann::json::parse(std::ifstream(out / "report.json")).at("models").at("standard").at("clean_top1").get<double>(),
              1e-9);
  EXPECT_TRUE(std::filesystem::exists(out / "plots" / "robustness_vs_compute.png"));
  const auto unknown = test::run_tool("demo --quick --compare nosuchmethod --data " + (dir / "data").string() +
                                      " --out " + out.string());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("nosuchmethod"), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace advbn
