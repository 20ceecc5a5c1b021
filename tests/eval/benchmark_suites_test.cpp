// Every suite end to end with a tiny random network on tiny trees: finite figures in range and
// every documented key; plus each suite's preprocessing and its refusals.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "advbn/data/image_folder.h"
#include "advbn/error.h"
#include "advbn/eval/benchmark_suites.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"
#include "test_support.h"
#include "tiny_suites.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

StagedNetwork tiny_network(int64_t classes = 2) {
  torch::manual_seed(0);
  return create_network({"resnet18", classes, Stem::Small, 0.25});
}

SuiteOptions tiny_options() {
  SuiteOptions options;
  options.batch_size = 2;
  return options;
}

void expect_percentage(const json& value, const std::string& what) {
  ASSERT_TRUE(value.is_number()) << what << ": " << value;
  const double v = value.get<double>();
  EXPECT_TRUE(std::isfinite(v)) << what;
  EXPECT_GE(v, 0.0) << what;
  EXPECT_LE(v, 100.0) << what;
}

void expect_common_keys(const json& report, const std::string& suite, size_t images) {
  EXPECT_EQ(report.at("suite"), suite);
  EXPECT_TRUE(report.at("root").is_string());
  EXPECT_TRUE(report.at("preprocessing").is_string());
  EXPECT_EQ(report.at("classes"), 2);
  EXPECT_EQ(report.at("images"), images);
  EXPECT_TRUE(report.at("warnings").is_array());
}

TEST(BenchmarkSuites, ImageNetCReportsEveryFigure) {
  const auto root = test::temp_dir("suite_imagenet_c");
  test::write_imagenet_c_tree(root, {"gaussian_noise", "fog", "spatter"}, {1, 3});
  auto network = tiny_network();
  auto options = tiny_options();
  options.clean_error = 0.3;
  std::vector<std::string> parts;
  options.on_part_done = [&](const std::string& part, const EvalResult& result) {
    parts.push_back(part);
    EXPECT_EQ(result.count, 2);
  };

  const auto report = run_suite(Suite::ImageNetC, *network, root, options);
  EXPECT_EQ(parts, (std::vector<std::string>{"gaussian_noise/1", "gaussian_noise/3", "fog/1",
                                             "fog/3", "spatter/1", "spatter/3"}));
  expect_common_keys(report, "imagenet-c", 12);
  EXPECT_EQ(report.at("preprocessing"), "Resize(16)+CenterCrop(16)");  // native, uncropped
  const auto& corruptions = report.at("corruptions");
  ASSERT_EQ(corruptions.size(), 3u);
  for (const char* name : {"gaussian_noise", "fog", "spatter"}) {
    const auto& entry = corruptions.at(name);
    ASSERT_EQ(entry.at("severities").size(), 2u) << name;
    for (const char* severity : {"1", "3"}) {
      const auto& result = entry.at("severities").at(severity);
      expect_percentage(result.at("error"), std::string(name) + "/" + severity);
      expect_percentage(result.at("top5_error"), "top5_error");
      EXPECT_TRUE(std::isfinite(result.at("loss").get<double>()));
      EXPECT_EQ(result.at("images"), 2);
    }
    expect_percentage(entry.at("mean_error"), "mean_error");
  }
  EXPECT_TRUE(corruptions.at("fog").at("ce").is_number());
  EXPECT_TRUE(corruptions.at("fog").at("relative_ce").is_number());
  EXPECT_TRUE(corruptions.at("spatter").at("ce").is_null());  // held-out: no normaliser
  EXPECT_TRUE(corruptions.at("spatter").at("relative_ce").is_null());

  // mCE is the mean of the CE column; CE is the mean error over AlexNet's.
  const double fog_ce = corruptions.at("fog").at("ce").get<double>();
  EXPECT_NEAR(fog_ce, corruptions.at("fog").at("mean_error").get<double>() / 0.819324, 1e-9);
  EXPECT_NEAR(report.at("mce").get<double>(),
              (fog_ce + corruptions.at("gaussian_noise").at("ce").get<double>()) / 2, 1e-9);
  EXPECT_TRUE(std::isfinite(report.at("relative_mce").get<double>()));
  EXPECT_DOUBLE_EQ(report.at("clean_error").get<double>(), 30.0);
  expect_percentage(report.at("mean_error"), "mean_error");
  expect_percentage(report.at("mean_error_held_out"), "mean_error_held_out");
  EXPECT_EQ(report.at("complete"), false);
  EXPECT_FALSE(report.at("missing").empty());
  fs::remove_all(root);
}

TEST(BenchmarkSuites, InstagramReportsEveryFilterAndTheMean) {
  const auto root = test::temp_dir("suite_instagram");
  for (const char* filter : {"toaster", "gotham", "lord_kelvin"}) {
    test::write_class_folder(root / filter, {"a", "b"});
  }
  auto network = tiny_network();
  const auto report = run_suite(Suite::Instagram, *network, root, tiny_options());
  expect_common_keys(report, "instagram", 6);
  const auto& filters = report.at("filters");
  ASSERT_EQ(filters.size(), 3u);
  double sum = 0;
  for (const auto& [name, entry] : filters.items()) {
    expect_percentage(entry.at("top1"), name);
    expect_percentage(entry.at("top5"), name);
    expect_percentage(entry.at("error"), name);
    EXPECT_TRUE(std::isfinite(entry.at("loss").get<double>()));
    EXPECT_EQ(entry.at("images"), 2);
    sum += entry.at("top1").get<double>();
  }
  EXPECT_NEAR(report.at("mean_top1").get<double>(), sum / 3, 1e-9);
  EXPECT_NEAR(report.at("mean_error").get<double>(), 100 - sum / 3, 1e-9);

  // A filter folder with other classes would shift every label after it.
  test::write_class_folder(root / "zzz", {"a", "c"});
  try {
    run_suite(Suite::Instagram, *network, root, tiny_options());
    ADD_FAILURE() << "mismatched classes accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((root / "zzz").string()), std::string::npos) << e.what();
  }
  fs::remove_all(root);
}

TEST(BenchmarkSuites, StylizedAndFolderReportAccuracy) {
  const auto root = test::temp_dir("suite_folder");
  test::write_class_folder(root, {"a", "b"}, 3);
  auto network = tiny_network();
  for (const Suite suite : {Suite::Stylized, Suite::Folder}) {
    const auto report = run_suite(suite, *network, root, tiny_options());
    expect_common_keys(report, suite_name(suite), 6);
    expect_percentage(report.at("top1"), "top1");
    expect_percentage(report.at("top5"), "top5");
    EXPECT_DOUBLE_EQ(report.at("top5").get<double>(), 100.0);  // two classes: always in the top 5
    EXPECT_DOUBLE_EQ(report.at("error").get<double>(), 100 - report.at("top1").get<double>());
    EXPECT_TRUE(std::isfinite(report.at("loss").get<double>()));
  }
  fs::remove_all(root);
}

// A network that expects other input statistics than ImageNet's is evaluated with its own, as
// stored in its .safetensors file: the suite's figures are those of that normalisation.
TEST(BenchmarkSuites, InputsAreNormalisedAsTheNetworkExpects) {
  const auto root = test::temp_dir("suite_normalization");
  const auto weights = test::temp_dir("suite_normalization_weights") / "net.safetensors";
  test::write_class_folder(root, {"a", "b"}, 3);
  NetworkSpec spec{"resnet18", 2, Stem::Small, 0.25};
  spec.normalization = {{0.5f, 0.25f, 0.75f}, {0.5f, 0.125f, 0.25f}};
  torch::manual_seed(0);
  auto created = create_network(spec);
  save_network(*created, weights.string());
  auto network = load_network(NetworkSpec{}, weights.string(), false);
  ASSERT_EQ(network->spec().normalization, spec.normalization);

  const auto report = run_suite(Suite::Folder, *network, root, tiny_options());
  EXPECT_EQ(report.at("normalization").at("mean"), json(spec.normalization.mean));
  EXPECT_EQ(report.at("normalization").at("std"), json(spec.normalization.std));
  const auto dataset = data::open_image_folder(root.string());
  const auto own = evaluate_dataset(*network, dataset, suite_pipeline(Suite::Folder, *dataset, 0, spec.normalization),
                                    tiny_options());
  const auto imagenet = evaluate_dataset(*network, dataset,
                                         suite_pipeline(Suite::Folder, *dataset, 0, data::imagenet_normalization()),
                                         tiny_options());
  EXPECT_DOUBLE_EQ(report.at("loss").get<double>(), own.loss);
  EXPECT_GT(std::abs(own.loss - imagenet.loss), 1e-4);  // the normalisation matters to this network
  fs::remove_all(root);
  fs::remove_all(weights.parent_path());
}

TEST(BenchmarkSuites, PreprocessingFollowsEachProtocol) {
  const auto root = test::temp_dir("suite_preprocessing");
  test::write_class_folder(root / "large", {"a"}, 1, 240);
  test::write_class_folder(root / "small", {"a"}, 1, 32);
  const auto large = data::open_image_folder((root / "large").string());
  const auto small = data::open_image_folder((root / "small").string());
  const auto describe = [](Suite suite, const data::Dataset& dataset, int size) {
    return describe_preprocessing(suite_pipeline(suite, dataset, size, data::imagenet_normalization()));
  };
  EXPECT_EQ(describe(Suite::ImageNetC, *large, 0), "Resize(224)+CenterCrop(224)");
  EXPECT_EQ(describe(Suite::Stylized, *large, 0), "Resize(224)+CenterCrop(224)");
  EXPECT_EQ(describe(Suite::Instagram, *large, 0), "Resize(256)+CenterCrop(224)");
  EXPECT_EQ(describe(Suite::Folder, *large, 0), "Resize(256)+CenterCrop(224)");
  EXPECT_EQ(describe(Suite::Folder, *large, 112), "Resize(128)+CenterCrop(112)");
  EXPECT_EQ(describe(Suite::Instagram, *small, 0), "Resize(32)+CenterCrop(32)");
  EXPECT_EQ(describe(Suite::ImageNetC, *small, 0), "Resize(32)+CenterCrop(32)");
  fs::remove_all(root);
}

TEST(BenchmarkSuites, RefusesWhatCannotBeScored) {
  const auto root = test::temp_dir("suite_refusals");
  test::write_class_folder(root, {"a", "b", "c"});
  auto network = tiny_network(2);
  try {
    run_suite(Suite::Folder, *network, root, tiny_options());
    ADD_FAILURE() << "3 classes accepted by a 2-output network";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(root.string()), std::string::npos) << e.what();
  }
  auto options = tiny_options();
  options.clean_error = 0.2;
  EXPECT_THROW(run_suite(Suite::Instagram, *network, root, options), Error);
  EXPECT_THROW(run_suite(Suite::Instagram, *network, root / "missing", tiny_options()), Error);
  EXPECT_THROW(parse_suite("imagenet_c"), Error);
  EXPECT_EQ(parse_suite("imagenet-c"), Suite::ImageNetC);
  fs::remove_all(root);
}

}  // namespace
}  // namespace advbn
