#include "advbn/models/densenet.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/network_factory.h"

namespace advbn {
namespace {

TEST(DenseNet121, BlocksCoverEveryDenseLayerAndTransition) {
  auto network = create_network({"densenet121", 10});
  const auto names = network->block_names();
  // stem, 6 + 12 + 24 + 16 dense layers, 3 transitions, head
  ASSERT_EQ(names.size(), 1u + 58u + 3u + 1u);
  EXPECT_EQ(names.front(), "stem");
  EXPECT_EQ(names[1], "features.denseblock1.denselayer1");
  EXPECT_EQ(names[7], "features.transition1");
  EXPECT_EQ(names.back(), "head");
}

TEST(DenseNet121, AuthorsDefaultCutAndStageAliases) {
  auto network = create_network({"densenet121", 10});
  // After the first dense block and its transition: 64 + 6·32 = 256 channels, halved.
  network->set_cut("transition1");
  EXPECT_EQ(network->cut_channels(64), 128);
  EXPECT_FALSE(network->cut_is_post_relu());  // average pool of a convolution
  network->set_cut("denseblock1");
  EXPECT_EQ(network->cut_channels(64), 256);
  network->set_cut("features.denseblock3");
  EXPECT_EQ(network->cut_channels(64), 1024);
  network->set_cut("features.denseblock2.denselayer3");
  EXPECT_EQ(network->cut_channels(64), 128 + 3 * 32);
  EXPECT_FALSE(network->cut_is_post_relu());
  network->set_cut("stem");
  EXPECT_EQ(network->cut_channels(64), 64);
  EXPECT_TRUE(network->cut_is_post_relu());  // max-pool of a ReLU
  EXPECT_THROW(network->set_cut("transition4"), Error);
}

TEST(DenseNet121, TorchvisionNamesWithTwinBatchNorms) {
  auto network = create_network({"densenet121", 10});
  const auto params = network->named_parameters();
  const auto buffers = network->named_buffers();
  for (const char* name :
       {"features.conv0.weight", "features.denseblock4.denselayer16.conv2.weight",
        "features.transition3.conv.weight", "features.norm5.bias",
        "features.denseblock1.denselayer1.norm1.twin.weight", "classifier.weight"}) {
    EXPECT_TRUE(params.contains(name)) << name;
  }
  EXPECT_TRUE(buffers.contains("features.denseblock2.denselayer5.norm2.running_var"));
  EXPECT_EQ(params["classifier.weight"].sizes(), (std::vector<int64_t>{10, 1024}));
}

TEST(DenseNet121, RefusesResNetOnlyOptions) {
  EXPECT_THROW(create_network({"densenet121", 10, Stem::Small}), Error);
  EXPECT_THROW(create_network({"densenet121", 10, Stem::ImageNet, 0.5}), Error);
  EXPECT_THROW(create_network({"densenet121", 0}), Error);
}

}  // namespace
}  // namespace advbn
