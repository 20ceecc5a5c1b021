#include "advbn/models/weights.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/io/safetensors.h"
#include "advbn/io/weights_file.h"
#include "test_support.h"

namespace advbn {
namespace {

TEST(ImportStateDict, FillsTwinsFromMainBatchNorms) {
  auto source = create_network({"resnet18", 10, Stem::Small, 0.25});
  for (auto& [name, t] : torchvision_state_dict(*source, BNBranch::Clean)) {
    if (name.find("running_var") != std::string::npos) t.fill_(3.0);
  }
  auto target = create_network({"resnet18", 10, Stem::Small, 0.25});
  const auto report = import_state_dict(*target, torchvision_state_dict(*source, BNBranch::Clean), "test");
  EXPECT_TRUE(report.ok()) << report.describe();
  for (const auto& [name, t] : full_state_dict(*target)) {
    if (name.find("twin.running_var") != std::string::npos) {
      EXPECT_TRUE(torch::all(t == 3.0).item<bool>()) << name;
    }
  }
}

TEST(ImportStateDict, ReportsMissingUnexpectedAndMisshapenKeys) {
  auto network = create_network({"resnet18", 10, Stem::Small, 0.25});
  auto weights = torchvision_state_dict(*network, BNBranch::Clean);
  weights.erase(weights.begin());  // conv1.weight
  weights.emplace_back("extra.weight", torch::zeros({1}));
  for (auto& [name, t] : weights) {
    if (name == "fc.weight") t = torch::zeros({3, 3});
  }
  const auto report = import_state_dict(*network, weights, "test", /*strict=*/false);
  EXPECT_EQ(report.missing, std::vector<std::string>{"conv1.weight"});
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"extra.weight"});
  ASSERT_EQ(report.mismatched.size(), 1u);
  EXPECT_NE(report.mismatched[0].find("fc.weight"), std::string::npos);
  try {
    import_state_dict(*network, weights, "weights.pth");
    FAIL() << "strict import accepted bad weights";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("weights.pth"), std::string::npos);
    EXPECT_NE(message.find("conv1.weight"), std::string::npos);
  }
}

TEST(ImportStateDict, AcceptsTorchvisionsLegacyDenseNetNames) {
  auto source = create_network({"densenet121", 10});
  io::StateDict legacy;
  int renamed = 0;
  for (auto [name, t] : torchvision_state_dict(*source, BNBranch::Clean)) {
    const auto pos = name.find(".norm1.");
    if (pos != std::string::npos && name.find("denselayer") != std::string::npos) {
      name.replace(pos, 7, ".norm.1.");
      ++renamed;
    }
    legacy.emplace_back(name, t);
  }
  ASSERT_GT(renamed, 50);
  auto target = create_network({"densenet121", 10});
  EXPECT_TRUE(import_state_dict(*target, legacy, "legacy.pth").ok());
}

TEST(ImportStateDict, WrongArchitectureIsAClearError) {
  try {
    load_network({"resnet50", 1000}, test::fixture("resnet18.pth"), true);
    FAIL() << "resnet18 weights loaded into resnet50";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resnet18.pth"), std::string::npos) << e.what();
  }
}

TEST(SaveNetwork, SafetensorsKeepsBothBranchesAndDescription) {
  auto network = create_network({"resnet18", 5, Stem::Small, 0.25});
  network->named_buffers()["layer4.1.bn2.twin.running_mean"].fill_(0.5);
  const auto path = (test::temp_dir("save_network") / "model.safetensors").string();
  save_network(*network, path);
  auto loaded = load_network({"resnet50", 1000}, path, /*arch_explicit=*/false);
  EXPECT_EQ(loaded->arch(), "resnet18");
  EXPECT_EQ(loaded->spec().num_classes, 5);
  EXPECT_TRUE(torch::all(loaded->named_buffers()["layer4.1.bn2.twin.running_mean"] == 0.5).item<bool>());
  EXPECT_THROW(load_network({"resnet50", 1000}, path, /*arch_explicit=*/true), Error);
}

TEST(NetworkSpec, InputNormalisationRoundTripsThroughMetadataAndRefusesNonsense) {
  NetworkSpec spec;
  spec.normalization = {{0.1f, 0.2f, 0.3f}, {0.4f, 0.5f, 0.6f}};
  const auto metadata = spec.to_metadata();
  EXPECT_EQ(NetworkSpec{}.with_metadata(metadata).normalization, spec.normalization);
  // Metadata written before the normalisation was stored leaves ImageNet's.
  EXPECT_EQ(NetworkSpec{}.with_metadata({{"arch", "resnet18"}}).normalization, data::imagenet_normalization());
  EXPECT_EQ(parse_channel_values(" 1, 2.5,-3"), (std::array<float, 3>{1, 2.5f, -3}));
  for (const char* bad : {"1,2", "1,2,3,4", "a,b,c", "1;2;3", ""}) {
    EXPECT_THROW(parse_channel_values(bad), Error) << bad;
  }
  auto zero_std = metadata;
  zero_std["input_std"] = "0.2,0,0.2";
  EXPECT_THROW(NetworkSpec{}.with_metadata(zero_std), Error);
}

TEST(SaveNetwork, TorchvisionExportOfTheAdversarialBranch) {
  auto network = create_network({"resnet18", 5, Stem::Small, 0.25});
  network->named_buffers()["bn1.twin.running_mean"].fill_(0.25);
  const auto exported = torchvision_state_dict(*network, BNBranch::Adv);
  for (const auto& [name, t] : exported) {
    EXPECT_EQ(name.find("twin"), std::string::npos);
    if (name == "bn1.running_mean") EXPECT_TRUE(torch::all(t == 0.25).item<bool>());
  }
}

}  // namespace
}  // namespace advbn
