#include "advbn/models/efficientnet.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/stochastic_depth.h"

namespace advbn {
namespace {

TEST(EfficientNetB0, BlocksFollowTorchvisionFeatures) {
  auto network = create_network({"efficientnet_b0", 10});
  const auto names = network->block_names();
  ASSERT_EQ(names.size(), 1u + 16u + 1u + 1u);  // stem, 16 MBConvs, 1×1 convolution, head
  EXPECT_EQ(names[0], "features.0");
  EXPECT_EQ(names[1], "features.1.0");
  EXPECT_EQ(names[2], "features.2.0");
  EXPECT_EQ(names[16], "features.7.0");
  EXPECT_EQ(names[17], "features.8");
  EXPECT_EQ(names[18], "head");
}

TEST(EfficientNetB0, CutChannelsAndNoReLUClamp) {
  auto network = create_network({"efficientnet_b0", 10});
  const std::vector<std::pair<std::string, int64_t>> cuts{
      {"features.0", 32},  {"features.1", 16},  {"features.2.0", 24},
      {"features.3", 40},  {"features.4", 80},  {"features.5", 112},
      {"features.6", 192}, {"features.7", 320}, {"features.8", 1280}};
  for (const auto& [cut, channels] : cuts) {
    network->set_cut(cut);
    EXPECT_EQ(network->cut_channels(64), channels) << cut;
    EXPECT_FALSE(network->cut_is_post_relu()) << cut;  // SiLU or linear projection
  }
}

TEST(EfficientNetB0, TorchvisionNames) {
  auto network = create_network({"efficientnet_b0", 10});
  const auto params = network->named_parameters();
  for (const char* name :
       {"features.0.0.weight", "features.0.1.weight", "features.1.0.block.0.0.weight",
        "features.1.0.block.1.fc1.bias", "features.2.0.block.0.0.weight",
        "features.2.0.block.2.fc2.weight", "features.2.0.block.3.1.twin.bias",
        "features.8.1.weight", "classifier.1.weight"}) {
    EXPECT_TRUE(params.contains(name)) << name;
  }
  // Squeeze width follows the block's input (16 / 4), not its expanded width (96).
  EXPECT_EQ(params["features.2.0.block.2.fc1.weight"].sizes(), (std::vector<int64_t>{4, 96, 1, 1}));
}

TEST(EfficientNetB0, RandomOnlyInTraining) {
  torch::manual_seed(0);
  auto network = create_network({"efficientnet_b0", 10});
  network->set_cut("features.3");
  const auto features = torch::randn({4, 40, 8, 8});
  torch::NoGradGuard no_grad;
  network->eval();
  EXPECT_TRUE(torch::equal(network->suffix(features), network->suffix(features)));
  network->train();
  // Dropout and stochastic depth draw new masks on every pass.
  EXPECT_FALSE(torch::equal(network->suffix(features), network->suffix(features)));
}

TEST(StochasticDepth, DropsWholeRowsAndKeepsTheExpectation) {
  torch::manual_seed(0);
  const auto residual = torch::ones({4000, 3, 2, 2});
  const auto out = stochastic_depth_rows(residual, 0.25, /*training=*/true);
  const auto per_row = out.flatten(1);
  // Each row is either all zero or all 1 / 0.75.
  EXPECT_TRUE(torch::equal(per_row.amin(1), per_row.amax(1)));
  const auto kept = (per_row.select(1, 0) > 0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(kept, 0.75, 0.03);
  EXPECT_NEAR(out.mean().item<double>(), 1.0, 0.05);
  EXPECT_TRUE(torch::equal(stochastic_depth_rows(residual, 0.25, /*training=*/false), residual));
  EXPECT_TRUE(
      torch::equal(stochastic_depth_rows(residual, 1.0, true), torch::zeros_like(residual)));
  EXPECT_THROW(stochastic_depth_rows(residual, 1.5, true), Error);
}

}  // namespace
}  // namespace advbn
