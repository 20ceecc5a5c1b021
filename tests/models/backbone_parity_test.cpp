// DenseNet-121, EfficientNet-B0 and VGG-19 against torchvision on the same random weights
// (written by tests/fixtures/make_model_fixtures.py), and back: exported .pth files load into
// torchvision and reproduce its logits exactly.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "advbn/io/safetensors.h"
#include "advbn/io/weights_file.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"
#include "fixture_tensors.h"
#include "test_support.h"

namespace advbn {
namespace {

constexpr int64_t kClasses = 10;

using test::fixture_tensor;

double relative_difference(const torch::Tensor& actual, const torch::Tensor& expected) {
  return (actual - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

class BackboneParity : public ::testing::TestWithParam<std::string> {};

TEST_P(BackboneParity, LogitsMatchTorchvisionAndExportReloads) {
  const std::string arch = GetParam();
  auto network = load_network({arch, kClasses}, test::fixture(arch + ".pth"), true);
  network->eval();
  const auto images = fixture_tensor(arch + "_logits.pth", "images");
  const auto expected = fixture_tensor(arch + "_logits.pth", "logits");
  torch::NoGradGuard no_grad;
  const auto logits = network->forward(images);
  EXPECT_LT(relative_difference(logits, expected), 1e-4);
  // Both BN branches start from the pretrained BN.
  EXPECT_TRUE(torch::allclose(network->forward(images, BNBranch::Adv), logits));

  const auto exported = test::temp_dir("export_" + arch) / (arch + ".pth");
  save_network(*network, exported.string(), BNBranch::Clean);
  const auto check = test::run_command(
      test::env_or_throw("ADVBN_PYTHON") + " " + test::env_or_throw("ADVBN_SOURCE_DIR") +
      "/tests/fixtures/check_torchvision_load.py " + arch + " " + std::to_string(kClasses) + " " +
      exported.string() + " " + test::fixture(arch + "_logits.pth"));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  std::filesystem::remove_all(exported.parent_path());
}

INSTANTIATE_TEST_SUITE_P(Torchvision, BackboneParity,
                         ::testing::Values("densenet121", "efficientnet_b0", "vgg19_bn"),
                         [](const auto& info) { return info.param; });

// VGG-19 without BN is checked without its ~480 MB classifier: the convolutional part against
// torchvision's output, every name and shape against torchvision's state dict.
TEST(Vgg19Parity, FeaturesMatchTorchvision) {
  auto network = create_network({"vgg19", kClasses});
  const auto report =
      import_state_dict(*network, io::load_weights(test::fixture("vgg19_features.pth")),
                        "vgg19_features.pth", /*strict=*/false);
  EXPECT_TRUE(report.unexpected.empty() && report.mismatched.empty()) << report.describe();
  for (const auto& key : report.missing) EXPECT_EQ(key.rfind("classifier.", 0), 0u) << key;
  EXPECT_EQ(report.missing.size(), 6u);  // weight and bias of classifier.0, .3 and .6

  network->eval();
  network->set_cut("pool5");
  torch::NoGradGuard no_grad;
  const auto features = network->prefix(fixture_tensor("vgg19_features_ref.pth", "images"));
  EXPECT_LT(relative_difference(features, fixture_tensor("vgg19_features_ref.pth", "features")),
            1e-4);
}

TEST(Vgg19Parity, ExportedNamesAndShapesAreTorchvisions) {
  nlohmann::json expected;
  std::ifstream(test::fixture("vgg19_state_dict_shapes.json")) >> expected;
  auto network = create_network({"vgg19", kClasses});
  const auto exported = torchvision_state_dict(*network, BNBranch::Clean);
  ASSERT_EQ(exported.size(), expected.size());
  for (const auto& [name, tensor] : exported) {
    ASSERT_TRUE(expected.contains(name)) << name;
    EXPECT_EQ(tensor.sizes().vec(), expected[name].get<std::vector<int64_t>>()) << name;
  }
}

// The tool reaches every architecture through create_network.
TEST(BackboneCli, ConvertPredictAndAttackDenseNet) {
  const auto dir = test::temp_dir("backbone_cli");
  const auto converted = (dir / "densenet121.safetensors").string();
  const auto converting = test::run_tool("convert --arch densenet121 --num-classes 10 --in " +
                                         test::fixture("densenet121.pth") + " --out " + converted);
  ASSERT_EQ(converting.exit_code, 0) << converting.output;
  const auto batch = (dir / "batch.safetensors").string();
  io::write_safetensors(batch, io::load_weights(test::fixture("batch.pth")));

  const auto logits_path = (dir / "logits.safetensors").string();
  const auto predicted = test::run_tool("predict --weights " + converted + " --input " + batch +
                                        " --output " + logits_path + " --threads 1");
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  EXPECT_EQ(io::read_safetensors(logits_path).at(0).second.sizes(), (std::vector<int64_t>{4, 10}));

  const auto attack_path = (dir / "attack.safetensors").string();
  const auto attacked =
      test::run_tool("attack --weights " + converted + " --cut transition1 --steps 3 --input " +
                     batch + " --output " + attack_path);
  ASSERT_EQ(attacked.exit_code, 0) << attacked.output;
  std::map<std::string, torch::Tensor> out;
  for (auto& [k, v] : io::read_safetensors(attack_path)) out[k] = v;
  EXPECT_EQ(out.at("delta_mu").numel(), 128);
  ASSERT_EQ(out.at("loss").numel(), 4);
  EXPECT_GT(out.at("loss")[3].item<float>(), out.at("loss")[0].item<float>());
}

}  // namespace
}  // namespace advbn
