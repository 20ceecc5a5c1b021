#include "advbn/models/resnet.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/io/weights_file.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"
#include "fixture_tensors.h"
#include "test_support.h"

namespace advbn {
namespace {

using test::fixture_tensor;

class TorchvisionParity : public ::testing::TestWithParam<std::pair<std::string, int64_t>> {};

TEST_P(TorchvisionParity, LogitsMatchTorchvisionAndExportReloads) {
  const auto [arch, classes] = GetParam();
  auto network = load_network({arch, classes}, test::fixture(arch + ".pth"), true);
  network->eval();
  const auto images = fixture_tensor(arch + "_logits.pth", "images");
  const auto expected = fixture_tensor(arch + "_logits.pth", "logits");
  torch::NoGradGuard no_grad;
  const auto logits = network->forward(images);
  const double scale = expected.abs().max().item<double>();
  EXPECT_LT((logits - expected).abs().max().item<double>() / scale, 1e-4);
  // Both BN branches start from the pretrained BN.
  EXPECT_TRUE(torch::allclose(network->forward(images, BNBranch::Adv), logits));

  const auto exported = test::temp_dir("export_" + arch) / (arch + ".pth");
  save_network(*network, exported.string(), BNBranch::Clean);
  const auto check = test::run_command(
      test::env_or_throw("ADVBN_PYTHON") + " " + test::env_or_throw("ADVBN_SOURCE_DIR") +
      "/tests/fixtures/check_torchvision_load.py " + arch + " " + std::to_string(classes) + " " +
      exported.string() + " " + test::fixture(arch + "_logits.pth"));
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

INSTANTIATE_TEST_SUITE_P(ResNet, TorchvisionParity,
                         ::testing::Values(std::make_pair(std::string("resnet18"), int64_t{1000}),
                                           std::make_pair(std::string("resnet34"), int64_t{10}),
                                           std::make_pair(std::string("resnet50"), int64_t{10}),
                                           std::make_pair(std::string("resnet101"), int64_t{10}),
                                           std::make_pair(std::string("resnet152"), int64_t{10})));

TEST(StagedResNet, PrefixThenSuffixEqualsForwardAtEveryCut) {
  torch::manual_seed(0);
  auto network = create_network({"resnet18", 7, Stem::Small, 0.25});
  network->eval();
  const auto x = torch::randn({2, 3, 16, 16});
  torch::NoGradGuard no_grad;
  const auto full = network->forward(x);
  ASSERT_EQ(full.sizes(), (std::vector<int64_t>{2, 7}));
  for (const auto& cut : network->block_names()) {
    network->set_cut(cut);
    EXPECT_TRUE(torch::allclose(network->suffix(network->prefix(x)), full, 1e-5, 1e-5)) << cut;
  }
}

TEST(StagedResNet, CutNamesAndPaperAliases) {
  auto network = create_network({"resnet50", 10});
  network->set_cut("conv2_3");
  EXPECT_EQ(network->cut_channels(64), 256);
  network->set_cut("layer1");
  EXPECT_EQ(network->cut_channels(64), 256);
  network->set_cut("conv3_4");
  EXPECT_EQ(network->cut_channels(64), 512);
  network->set_cut("conv4_6");
  EXPECT_EQ(network->cut_channels(64), 1024);
  network->set_cut("layer2.1");
  EXPECT_EQ(network->cut_channels(64), 512);
  EXPECT_TRUE(network->cut_is_post_relu());
  try {
    network->set_cut("layer9");
    FAIL() << "unknown cut accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer9"), std::string::npos);
  }
}

TEST(StagedResNet, FrozenPrefixKeepsEvalModeAndNoGradients) {
  auto network = create_network({"resnet18", 10, Stem::Small, 0.25});
  network->set_cut("layer2");
  network->freeze_prefix();
  network->train();
  const auto names = network->named_parameters();
  for (const auto& p : names) {
    const bool in_prefix = p.key().rfind("conv1", 0) == 0 || p.key().rfind("bn1", 0) == 0 ||
                           p.key().rfind("layer1", 0) == 0 || p.key().rfind("layer2", 0) == 0;
    EXPECT_EQ(p.value().requires_grad(), !in_prefix) << p.key();
  }
  for (const auto& m : network->named_modules()) {
    const bool in_prefix =
        m.key().rfind("layer1.", 0) == 0 || m.key().rfind("layer2.", 0) == 0 || m.key() == "bn1";
    if (in_prefix) EXPECT_FALSE(m.value()->is_training()) << m.key();
  }
  EXPECT_EQ(network->suffix_parameters().size(),
            static_cast<size_t>(std::count_if(names.begin(), names.end(), [](const auto& p) {
              return p.value().requires_grad();
            })));
}

TEST(StagedResNet, SmallStemAndWidthMultiplier) {
  auto network = create_network({"resnet34", 10, Stem::Small, 0.5});
  network->set_cut("layer1");
  EXPECT_EQ(network->cut_channels(28), 32);
  torch::NoGradGuard no_grad;
  network->eval();
  EXPECT_EQ(network->forward(torch::zeros({1, 3, 28, 28})).sizes(), (std::vector<int64_t>{1, 10}));
}

TEST(NetworkFactory, RejectsUnknownArchitectureAndStem) {
  EXPECT_THROW(create_network({"resnet19", 10}), Error);
  EXPECT_THROW(parse_stem("huge"), Error);
  EXPECT_EQ(parse_stem(to_string(Stem::Small)), Stem::Small);
  EXPECT_THROW(create_network({"resnet18", 0}), Error);
}

}  // namespace
}  // namespace advbn
