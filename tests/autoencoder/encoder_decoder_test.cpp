// The normalised VGG-19 and AdaIN's decoder against a written PyTorch reference of the published
// layers (random weights, tests/fixtures/make_autoencoder_fixtures.py); encoders and decoders
// of any kind keep the input's size.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/autoencoder/autoencoder.h"
#include "advbn/error.h"
#include "advbn/models/network_factory.h"
#include "fixture_tensors.h"
#include "scratch_dir.h"
#include "test_support.h"

namespace advbn {
namespace {

using test::fixture_tensor;

TEST(NormalisedVgg, EveryLevelMatchesTheReferenceOnOddSizes) {
  NormalisedVggEncoderImpl encoder;
  load_normalised_vgg(encoder, test::fixture("vgg_normalised_random.pth"));
  const auto images = fixture_tensor("vgg_normalised_ref.pth", "images");  // 2 × 3 × 37 × 45
  torch::NoGradGuard no_grad;
  const auto levels = encoder.levels(images);
  const char* names[] = {"relu1_1", "relu2_1", "relu3_1", "relu4_1"};
  ASSERT_EQ(levels.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const auto expected = fixture_tensor("vgg_normalised_ref.pth", names[i]);
    ASSERT_EQ(levels[i].sizes(), expected.sizes()) << names[i];
    EXPECT_LT((levels[i] - expected).abs().max().item<double>(), 1e-5) << names[i];
  }
  EXPECT_TRUE(torch::equal(encoder.encode(images), levels.back()));
  EXPECT_EQ(encoder.channels(), 512);
  EXPECT_EQ(encoder.stride(), 8);
  EXPECT_EQ(encoder.identity(), "vgg_normalised@relu4_1");
}

TEST(NormalisedVgg, AMissingLayerIsRefused) {
  NormalisedVggEncoderImpl encoder;
  test::ScratchDir dir("vgg_normalised_missing");
  const auto path = (dir.path / "partial.safetensors").string();
  io::StateDict weights;
  for (auto& [name, tensor] : io::load_weights(test::fixture("vgg_normalised_random.pth"))) {
    if (name.rfind("29.", 0) != 0) weights.emplace_back(name, tensor);
  }
  io::save_weights(path, weights);
  try {
    load_normalised_vgg(encoder, path);
    FAIL() << "a state dict without relu4_1's convolution loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("29.weight"), std::string::npos) << e.what();
  }
}

TEST(AdaINDecoder, ThePublicLayoutLoadsAndMatchesTheReference) {
  auto encoder = std::make_shared<NormalisedVggEncoderImpl>();
  auto decoder = load_decoder(test::fixture("adain_decoder_random.pth"), *encoder);
  const auto features = fixture_tensor("adain_decoder_ref.pth", "features");
  const auto expected = fixture_tensor("adain_decoder_ref.pth", "images");
  torch::NoGradGuard no_grad;
  const auto images = decoder->forward(features);
  ASSERT_EQ(images.sizes(), expected.sizes());
  EXPECT_LT((images - expected).abs().max().item<double>(), 1e-5);
}

TEST(Autoencoder, OutputsKeepTheInputSizeForOddSizes) {
  torch::NoGradGuard no_grad;
  auto vgg = std::make_shared<NormalisedVggEncoderImpl>();
  const Autoencoder vgg_autoencoder{vgg, Decoder(vgg->mirror())};
  EXPECT_EQ(vgg_autoencoder.reconstruct(torch::rand({1, 3, 29, 35})).sizes(), (std::vector<int64_t>{1, 3, 29, 35}));
  EXPECT_EQ(vgg_autoencoder.reconstruct(torch::rand({2, 3, 5, 3})).sizes(), (std::vector<int64_t>{2, 3, 5, 3}));

  auto resnet = make_encoder({"resnet18", "", "layer2"});
  EXPECT_EQ(resnet->stride(), 8);
  EXPECT_EQ(resnet->channels(), 128);
  EXPECT_EQ(resnet->identity(), "resnet18@layer2.1");
  const Autoencoder resnet_autoencoder{resnet, Decoder(resnet->mirror())};
  EXPECT_EQ(resnet_autoencoder.reconstruct(torch::rand({1, 3, 33, 31})).sizes(), (std::vector<int64_t>{1, 3, 33, 31}));
  auto vgg19 = make_encoder({"vgg19", "", "relu4_1"});  // torchvision's VGG-19 features
  EXPECT_EQ(vgg19->stride(), 8);
  EXPECT_EQ(vgg19->channels(), 512);
  const Autoencoder vgg19_autoencoder{vgg19, Decoder(vgg19->mirror())};
  EXPECT_EQ(vgg19_autoencoder.reconstruct(torch::rand({1, 3, 21, 19})).sizes(), (std::vector<int64_t>{1, 3, 21, 19}));
  // The ResNet's levels are its blocks up to the cut: stem, layer1.0, layer1.1, layer2.0, layer2.1.
  EXPECT_EQ(resnet->levels(torch::rand({1, 3, 32, 32})).size(), 5u);
}

TEST(MirroredDecoder, UpsamplesOncePerHalvingAndEndsInRGB) {
  const auto layout = mirrored_decoder(256, 4);  // ResNet-50 at conv2_3
  int upsamplings = 0;
  for (const auto& conv : layout) upsamplings += conv.upsample_after;
  EXPECT_EQ(upsamplings, 2);
  EXPECT_EQ(layout.front().in_channels, 256);
  EXPECT_EQ(layout.back().out_channels, 3);
  EXPECT_FALSE(layout.back().relu);
  EXPECT_EQ(decoder_layout_from_json(to_json(layout)).size(), layout.size());
  EXPECT_THROW(mirrored_decoder(64, 6), Error);
}

TEST(Decoder, AFileForAnotherEncoderOrCutIsRefused) {
  test::ScratchDir dir("decoder_mismatch");
  auto layer1 = make_encoder({"resnet18", "", "layer1"});
  Decoder decoder(layer1->mirror());
  const auto path = (dir.path / "decoder.safetensors").string();
  save_decoder(path, *decoder, *layer1);
  EXPECT_NO_THROW(load_decoder(path, *layer1));
  auto layer2 = make_encoder({"resnet18", "", "layer2"});
  try {
    load_decoder(path, *layer2);
    FAIL() << "a decoder for layer1 loaded for layer2";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resnet18@layer1.1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("resnet18@layer2.1"), std::string::npos) << e.what();
  }
  NormalisedVggEncoderImpl vgg;
  EXPECT_THROW(load_decoder(path, vgg), Error);
  EXPECT_THROW(make_encoder({"vgg_normalised", "", "relu3_1"}), Error);
  EXPECT_THROW(make_encoder({"resnet18", "", "layer9"}), Error);
  EXPECT_THROW(make_encoder({"resnet18", "", "input"}), Error);
}

}  // namespace
}  // namespace advbn
