// torchvision's FCN-ResNet-50 and DeepLabV3-ResNet-50 against this library's on the same random
// weights (written by tests/fixtures/make_model_fixtures.py): their .pth files load unchanged, the
// logits agree at the size of an odd-sized input, and AdvBN's cut works inside the dilated backbone.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/io/weights_file.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/segmenter.h"
#include "advbn/models/weights.h"
#include "fixture_tensors.h"
#include "test_support.h"

namespace advbn {
namespace {

using test::fixture_tensor;

TEST(FcnResNet50, LogitsMatchTorchvisionAtTheInputSize) {
  auto network = load_network({"fcn_resnet50", 5}, test::fixture("fcn_resnet50.pth"), true);
  network->eval();
  const auto images = fixture_tensor("fcn_resnet50_logits.pth", "images");  // 2 × 3 × 67 × 75
  const auto expected = fixture_tensor("fcn_resnet50_logits.pth", "logits");
  torch::NoGradGuard no_grad;
  const auto logits = segmentation_logits(*network, images);
  ASSERT_EQ(logits.sizes(), expected.sizes());
  EXPECT_EQ(logits.size(2), 67);
  EXPECT_EQ(logits.size(3), 75);
  const double difference = (logits - expected).abs().max().item<double>() / expected.abs().max().item<double>();
  EXPECT_LT(difference, 1e-4);
  EXPECT_EQ(network->forward(images).size(2), 9);  // output stride 8: ceil(67 / 8)
  EXPECT_TRUE(torch::allclose(segmentation_logits(*network, images, BNBranch::Adv), logits));
}

TEST(DeepLabV3ResNet50, LogitsMatchTorchvisionAtTheInputSize) {
  auto network = load_network({"deeplabv3_resnet50", 5}, test::fixture("deeplabv3_resnet50.pth"), true);
  network->eval();
  const auto images = fixture_tensor("deeplabv3_resnet50_logits.pth", "images");
  const auto expected = fixture_tensor("deeplabv3_resnet50_logits.pth", "logits");
  torch::NoGradGuard no_grad;
  const auto logits = segmentation_logits(*network, images);
  ASSERT_EQ(logits.sizes(), expected.sizes());
  const double difference = (logits - expected).abs().max().item<double>() / expected.abs().max().item<double>();
  EXPECT_LT(difference, 1e-4);
  network->set_cut("conv2_3");
  EXPECT_TRUE(torch::allclose(network->suffix(network->prefix(images)), network->forward(images), 1e-5, 1e-5));
  EXPECT_EQ(network->block_names().back(), "classifier");
}

// torchvision's pretrained segmenters (COCO) also hold the auxiliary head on layer3, which only
// their training loss uses: it is skipped, while any other key the network lacks still fails.
TEST(FcnResNet50, PretrainedFilesWithTheAuxiliaryHeadLoad) {
  auto weights = io::load_weights(test::fixture("fcn_resnet50.pth"));
  weights.emplace_back("aux_classifier.0.weight", torch::zeros({256, 1024, 3, 3}));
  weights.emplace_back("aux_classifier.4.bias", torch::zeros({5}));
  auto network = create_network({"fcn_resnet50", 5});
  EXPECT_TRUE(import_state_dict(*network, weights, "coco.pth", /*strict=*/true).ok());
  weights.emplace_back("classifier.9.weight", torch::zeros({5}));
  EXPECT_THROW(import_state_dict(*network, weights, "coco.pth", /*strict=*/true), Error);
}

// The small segmenters the demo trains: ResNet-18 backbones, dilated BasicBlocks, output stride 8
// (2 with the small stem), a width multiplier, and the head's channels following the backbone's.
TEST(Segmenters, SmallBackbonesKeepOutputStrideEight) {
  torch::NoGradGuard no_grad;
  const auto images = torch::randn({2, 3, 64, 48});
  for (const char* arch : {"fcn_resnet18", "deeplabv3_resnet18"}) {
    auto network = create_network({arch, 7, Stem::ImageNet, 0.25});
    network->eval();
    EXPECT_EQ(network->forward(images).sizes(), (std::vector<int64_t>{2, 7, 8, 6})) << arch;
    EXPECT_EQ(segmentation_logits(*network, images).sizes(), (std::vector<int64_t>{2, 7, 64, 48})) << arch;
    auto small = create_network({arch, 7, Stem::Small, 0.25});
    small->eval();
    EXPECT_EQ(small->forward(images).sizes(), (std::vector<int64_t>{2, 7, 32, 24})) << arch;
  }
}

TEST(FcnResNet50, CutsAtThePapersLayerAndSplitsTheForwardPass) {
  auto network = load_network({"fcn_resnet50", 5}, test::fixture("fcn_resnet50.pth"), true);
  network->eval();
  network->set_cut("conv2_3");  // the paper's segmentation cut: layer1.2
  EXPECT_EQ(network->blocks_from("conv2_3").front(), "layer1.2");
  EXPECT_TRUE(network->cut_is_post_relu());
  const auto images = fixture_tensor("fcn_resnet50_logits.pth", "images");
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(network->suffix(network->prefix(images)), network->forward(images), 1e-5, 1e-5));
  EXPECT_EQ(network->block_names().back(), "classifier");
}

}  // namespace
}  // namespace advbn
