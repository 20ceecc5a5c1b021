#include "advbn/models/vgg.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/network_factory.h"

namespace advbn {
namespace {

TEST(Vgg19, BlockNamesAreTorchvisionFeatureIndices) {
  // Without BN each convolution + ReLU spans two indices, with BN three.
  auto plain = create_network({"vgg19", 10});
  auto with_bn = create_network({"vgg19_bn", 10});
  ASSERT_EQ(plain->block_names().size(), 16u + 5u + 1u);
  EXPECT_EQ(plain->block_names()[0], "features.1");
  EXPECT_EQ(plain->block_names()[2], "features.4");
  EXPECT_EQ(plain->block_names()[20], "features.36");
  EXPECT_EQ(with_bn->block_names()[0], "features.2");
  EXPECT_EQ(with_bn->block_names()[2], "features.6");
  EXPECT_EQ(with_bn->block_names()[20], "features.52");
  EXPECT_TRUE(with_bn->named_parameters().contains("features.50.twin.weight"));
  EXPECT_TRUE(plain->named_parameters().contains("classifier.6.bias"));
}

TEST(Vgg19, StyleTransferAliases) {
  for (const std::string arch : {"vgg19", "vgg19_bn"}) {
    auto network = create_network({arch, 10});
    const std::vector<std::pair<std::string, int64_t>> cuts{
        {"relu1_1", 64}, {"relu2_1", 128}, {"relu3_4", 256}, {"relu4_1", 512}, {"pool5", 512}};
    for (const auto& [cut, channels] : cuts) {
      network->set_cut(cut);
      EXPECT_EQ(network->cut_channels(32), channels) << arch << " " << cut;
      EXPECT_TRUE(network->cut_is_post_relu()) << arch << " " << cut;
    }
    network->set_cut("relu4_1");
    // relu4_1 sits at 32 × 32 / 8 = 4 × 4
    EXPECT_EQ(network->prefix(torch::zeros({1, 3, 32, 32})).size(2), 4);
    EXPECT_THROW(network->set_cut("relu6_1"), Error);
  }
}

TEST(Vgg19, DropoutOnlyInTraining) {
  torch::manual_seed(0);
  auto network = create_network({"vgg19", 10});
  network->set_cut("pool5");
  const auto features = torch::rand({2, 512, 1, 1});
  torch::NoGradGuard no_grad;
  network->eval();
  EXPECT_TRUE(torch::equal(network->suffix(features), network->suffix(features)));
  network->train();
  EXPECT_FALSE(torch::equal(network->suffix(features), network->suffix(features)));
}

}  // namespace
}  // namespace advbn
