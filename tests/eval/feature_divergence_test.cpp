// Feature divergence (paper §5.4): the streamed moments, the symmetric KL against hand and
// closed-form values, the per-block measurement against a direct computation, and the command.
#include "advbn/eval/feature_divergence.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "advbn/data/open_dataset.h"
#include "advbn/error.h"
#include "advbn/eval/benchmark_suites.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"
#include "advbn/report/divergence_plot.h"
#include "test_support.h"
#include "tiny_suites.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;

ChannelMoments moments_of(const torch::Tensor& values) {
  ChannelMoments moments;
  moments.add(values);
  return moments;
}

torch::Tensor rows(std::vector<double> values, int64_t channels) {
  return torch::tensor(values, torch::kFloat64).view({-1, channels});
}

TEST(ChannelMoments, StreamedBatchesEqualOnePass) {
  torch::manual_seed(0);
  const auto values = torch::randn({37, 5}, torch::kFloat64) * 3 + 2;
  ChannelMoments streamed;
  const std::vector<int64_t> bounds = {0, 1, 11, 30, 37};  // uneven batches, one of a single image
  for (size_t i = 0; i + 1 < bounds.size(); ++i) streamed.add(values.slice(0, bounds[i], bounds[i + 1]));
  EXPECT_EQ(streamed.count(), 37);
  EXPECT_TRUE(torch::allclose(streamed.mean(), values.mean(0), 0, 1e-12));
  EXPECT_TRUE(torch::allclose(streamed.variance(), values.var(0, /*unbiased=*/true), 0, 1e-12));
}

TEST(ChannelMoments, RefusesAChangeOfChannelsAndTooFewImages) {
  ChannelMoments moments;
  moments.add(torch::zeros({2, 3}));
  EXPECT_THROW(moments.add(torch::zeros({2, 4})), Error);
  EXPECT_THROW(moments_of(torch::zeros({1, 3})).variance(), Error);
  EXPECT_THROW(moments.add(torch::zeros({2, 3, 1})), Error);
}

TEST(SpatialMeans, AveragesEveryDimensionAfterTheChannels) {
  const auto features = torch::arange(2 * 3 * 2 * 2, torch::kFloat32).view({2, 3, 2, 2});
  const auto means = spatial_means(features);
  ASSERT_EQ(means.sizes(), (torch::IntArrayRef{2, 3}));
  EXPECT_EQ(means.scalar_type(), torch::kFloat64);
  EXPECT_DOUBLE_EQ(means[0][0].item<double>(), 1.5);   // 0, 1, 2, 3
  EXPECT_DOUBLE_EQ(means[1][2].item<double>(), 21.5);  // 20, 21, 22, 23
  const auto logits = torch::randn({4, 7});
  EXPECT_TRUE(torch::equal(spatial_means(logits), logits.to(torch::kFloat64)));
}

TEST(SymmetricKl, MatchesAHandComputation) {
  // A: channel 0 = {1, 3, 5} (mean 3, variance 4), channel 1 = {2, 4, 9} (mean 5, variance 13).
  // B: channel 0 = {0, 2, 4} (mean 2, variance 4), channel 1 = {1, 1, 4} (mean 2, variance 3).
  // Channel 0: (4 + 1) / 8 + (4 + 1) / 8 − 1 = 0.25.
  // Channel 1: (13 + 9) / 6 + (3 + 9) / 26 − 1 = 3.128205128…
  const auto a = moments_of(rows({1, 2, 3, 4, 5, 9}, 2));
  const auto b = moments_of(rows({0, 1, 2, 1, 4, 4}, 2));
  const double expected = (0.25 + (22.0 / 6 + 12.0 / 26 - 1)) / 2;
  EXPECT_NEAR(symmetric_kl_divergence(a, b), expected, 1e-7);
}

TEST(SymmetricKl, IsZeroForIdenticalDataAndSymmetric) {
  torch::manual_seed(1);
  const auto a = moments_of(torch::randn({50, 8}, torch::kFloat64));
  const auto b = moments_of(torch::randn({60, 8}, torch::kFloat64) * 2 + 0.5);
  EXPECT_EQ(symmetric_kl_divergence(a, a), 0.0);
  EXPECT_GT(symmetric_kl_divergence(a, b), 0.1);
  EXPECT_NEAR(symmetric_kl_divergence(a, b), symmetric_kl_divergence(b, a), 1e-12);
  // A channel constant on both sides (a dead ReLU) adds nothing instead of 0/0.
  EXPECT_EQ(symmetric_kl_divergence(moments_of(torch::zeros({3, 2})), moments_of(torch::zeros({5, 2}))), 0.0);
}

TEST(SymmetricKl, ApproachesTheClosedFormForSampledGaussians) {
  // N(0, 1) against N(1, 4): (1 + 1) / (2·4) + (4 + 1) / (2·1) − 1 = 1.75 for every channel.
  // With 100,000 samples the variances carry a relative error of about sqrt(2 / n) ≈ 0.45 %, so
  // the mean over 16 channels is within 0.5 % of 1.75 (a bound over 4 standard errors).
  torch::manual_seed(2);
  ChannelMoments a;
  ChannelMoments b;
  for (int part = 0; part < 10; ++part) {
    a.add(torch::randn({10000, 16}, torch::kFloat64));
    b.add(torch::randn({10000, 16}, torch::kFloat64) * 2 + 1);
  }
  EXPECT_NEAR(symmetric_kl_divergence(a, b), 1.75, 1.75 * 0.005);
}

TEST(SymmetricKl, RefusesDifferentChannelCounts) {
  try {
    symmetric_kl_divergence(moments_of(torch::zeros({2, 3})), moments_of(torch::zeros({2, 4})));
    FAIL() << "expected advbn::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("3 channels, B 4"), std::string::npos) << e.what();
  }
}

struct EmptyDataset final : data::Dataset {
  size_t size() const override { return 0; }
  data::Sample get(size_t) const override { throw Error("no samples"); }
  int64_t num_classes() const override { return 2; }
  std::string description() const override { return "empty"; }
};

struct TinySetup {
  fs::path dir;
  StagedNetwork network;
  FeatureSource source;
};

TinySetup tiny_setup(const std::string& name) {
  TinySetup setup;
  setup.dir = test::temp_dir(name);
  test::write_class_folder(setup.dir / "images", {"a", "b"}, 5);
  torch::manual_seed(0);
  setup.network = create_network({"resnet18", 2, Stem::Small, 0.25});
  setup.network->set_cut("layer2");
  auto dataset = data::open_dataset((setup.dir / "images").string(), data::Split::Test);
  setup.source = {"images", dataset, suite_pipeline(Suite::Folder, *dataset, 0, data::imagenet_normalization())};
  return setup;
}

TEST(BlockMoments, EqualADirectComputationOverTheWholeDataSet) {
  auto setup = tiny_setup("divergence_direct");
  const std::vector<std::string> blocks = {"layer3.0", "layer2.1"};
  const std::vector<ModelUnderTest> models = {{"tiny", setup.network.get(), BNBranch::Clean}};
  int64_t reported = 0;
  const auto moments = measure_block_moments(models, blocks, setup.source, 3, torch::kCPU,
                                             [&](int64_t done) { reported = done; });
  EXPECT_EQ(reported, 10);

  // The same images through the whole network at once, block by block.
  std::vector<torch::Tensor> images;
  std::mt19937_64 unused;
  for (size_t i = 0; i < setup.source.dataset->size(); ++i) {
    images.push_back(setup.source.pipeline.apply(setup.source.dataset->get(i).image, i, unused));
  }
  torch::NoGradGuard no_grad;
  const auto outputs = setup.network->block_outputs(torch::stack(images), blocks);
  for (size_t k = 0; k < blocks.size(); ++k) {
    const auto means = spatial_means(outputs[k]);
    EXPECT_EQ(moments[0][k].count(), 10);
    EXPECT_TRUE(torch::allclose(moments[0][k].mean(), means.mean(0), 1e-5, 1e-6)) << blocks[k];
    EXPECT_TRUE(torch::allclose(moments[0][k].variance(), means.var(0, true), 1e-4, 1e-7)) << blocks[k];
  }
  fs::remove_all(setup.dir);
}

TEST(BlockMoments, SameSourceGivesZeroAndAFilterGivesMore) {
  auto setup = tiny_setup("divergence_shift");
  const auto blocks = default_divergence_blocks(*setup.network, "layer2");
  EXPECT_EQ(blocks.front(), "layer2.1");
  EXPECT_EQ(blocks.back(), "layer4.1");  // the head's logits are not features
  const std::vector<ModelUnderTest> models = {{"tiny", setup.network.get(), BNBranch::Clean}};
  const auto clean = measure_block_moments(models, blocks, setup.source, 4, torch::kCPU);
  const auto again = measure_block_moments(models, blocks, setup.source, 3, torch::kCPU);
  const auto shifted = measure_block_moments(
      models, blocks, shifted_source(setup.source, parse_shift("corruption:gaussian_noise:5", 0)), 4, torch::kCPU);
  const auto same = block_divergences(clean, again);
  const auto different = block_divergences(clean, shifted);
  ASSERT_EQ(same.size(), 1u);
  ASSERT_EQ(same[0].size(), blocks.size());
  for (size_t k = 0; k < blocks.size(); ++k) {
    EXPECT_NEAR(same[0][k], 0.0, 1e-6) << blocks[k];
    EXPECT_GT(different[0][k], 1e-3) << blocks[k];
  }
  fs::remove_all(setup.dir);
}

TEST(BlockMoments, UnknownBlockAndEmptyDataAreClearErrors) {
  auto setup = tiny_setup("divergence_bad");
  const std::vector<ModelUnderTest> models = {{"tiny", setup.network.get(), BNBranch::Clean}};
  try {
    measure_block_moments(models, {"layer9.0"}, setup.source, 4, torch::kCPU);
    FAIL() << "expected advbn::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown block 'layer9.0'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("layer4.1"), std::string::npos) << e.what();
  }
  FeatureSource empty = setup.source;
  empty.dataset = std::make_shared<EmptyDataset>();
  EXPECT_THROW(measure_block_moments(models, {"layer3.0"}, empty, 4, torch::kCPU), Error);
  fs::remove_all(setup.dir);
}

TEST(ParseShift, NamesCorruptionsAndFiltersAndRefusesTheRest) {
  const auto fog = parse_shift("corruption:fog:3", 0);
  EXPECT_EQ(fog.name, "fog");
  EXPECT_EQ(fog.severity, 3);
  EXPECT_EQ(parse_shift("filter:toaster", 0).name, "toaster");
  for (const char* bad : {"fog", "corruption:fog", "corruption:fog:6", "corruption:nope:1", "filter:nope",
                          "filter:toaster:1", "blur:3"}) {
    EXPECT_THROW(parse_shift(bad, 0), Error) << bad;
  }
}

TEST(DivergenceJson, RoundTripsAndRefusesMismatchedCurves) {
  report::DivergenceComparison comparison{"clean", "fog", 10, 12, {"layer2.1", "layer3.0"}, {}};
  comparison.models.push_back({"standard", "clean", {0.5, 0.25}});
  comparison.models.push_back({"advbn", "adv", {0.125, std::nan("")}});
  const auto json = nlohmann::json::parse(report::to_json(comparison).dump());
  const auto back = report::read_divergence_comparison(json);
  EXPECT_EQ(back.blocks, comparison.blocks);
  ASSERT_EQ(back.models.size(), 2u);
  EXPECT_EQ(back.models[1].branch, "adv");
  EXPECT_EQ(back.models[0].divergence, (std::vector<double>{0.5, 0.25}));
  EXPECT_TRUE(std::isnan(back.models[1].divergence[1]));
  auto broken = json;
  broken["models"][0]["divergence"] = {1.0};
  EXPECT_THROW(report::read_divergence_comparison(broken), Error);
}

TEST(DivergenceCli, PrintsWritesAndPlotsEveryBlock) {
  auto setup = tiny_setup("divergence_cli");
  const auto weights = (setup.dir / "tiny.safetensors").string();
  save_network(*setup.network, weights);
  const auto json_path = setup.dir / "out.json";
  const auto plot_path = setup.dir / "out.png";
  const auto run = test::run_tool("divergence --weights " + weights + " " + weights + " --names one two --data-a " +
                                  (setup.dir / "images").string() + " --shift-b filter:toaster --cut layer3 " +
                                  "--batch 4 --threads 1 --json " + json_path.string() + " --plot " +
                                  plot_path.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("layer4.1"), std::string::npos) << run.output;
  std::ifstream in(json_path);
  const auto comparison = report::read_divergence_comparison(nlohmann::json::parse(in));
  EXPECT_EQ(comparison.blocks, (std::vector<std::string>{"layer3.1", "layer4.0", "layer4.1"}));
  ASSERT_EQ(comparison.models.size(), 2u);
  EXPECT_EQ(comparison.models[0].model, "one");
  EXPECT_EQ(comparison.models[0].divergence, comparison.models[1].divergence);  // the same weights twice
  for (const double d : comparison.models[0].divergence) EXPECT_GT(d, 0.0);
  EXPECT_EQ(comparison.images_a, 10);
  EXPECT_GT(fs::file_size(plot_path), 0u);
  fs::remove_all(setup.dir);
}

TEST(DivergenceCli, BadInputGivesOneClearLine) {
  auto setup = tiny_setup("divergence_cli_bad");
  const auto weights = (setup.dir / "tiny.safetensors").string();
  save_network(*setup.network, weights);
  test::write_class_folder(setup.dir / "larger", {"a", "b"}, 2, 32);
  fs::create_directories(setup.dir / "empty" / "a");
  const std::string common = "divergence --threads 1 --weights " + weights + " --data-a " +
                             (setup.dir / "images").string() + " ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--shift-b filter:toaster --blocks layer9.0", "unknown block 'layer9.0'"},
      {"--shift-b corruption:fog:9", "severity must be 1 to 5"},
      {"", "exactly one of --data-b"},
      {"--data-b " + (setup.dir / "larger").string(), "--image-size"},
      {"--data-b " + (setup.dir / "empty").string(), "no readable images"},
  };
  for (const auto& [flags, expected] : cases) {
    const auto run = test::run_tool(common + flags);
    EXPECT_NE(run.exit_code, 0) << flags;
    EXPECT_NE(run.output.find("advbn: error: "), std::string::npos) << flags << ": " << run.output;
    EXPECT_NE(run.output.find(expected), std::string::npos) << flags << ": " << run.output;
  }
  fs::remove_all(setup.dir);
}

}  // namespace
}  // namespace advbn
