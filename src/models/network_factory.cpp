#include "advbn/models/network_factory.h"

#include <functional>
#include <map>

#include "advbn/error.h"
#include "advbn/models/densenet.h"
#include "advbn/models/efficientnet.h"
#include "advbn/models/resnet.h"
#include "advbn/models/vgg.h"

namespace advbn {

namespace {

int resnet_depth(const std::string& arch) {
  static const std::map<std::string, int> depths{
      {"resnet18", 18}, {"resnet34", 34}, {"resnet50", 50}, {"resnet101", 101}, {"resnet152", 152}};
  const auto it = depths.find(arch);
  return it == depths.end() ? 0 : it->second;
}

StagedNetwork make_vgg19(const NetworkSpec& spec, bool batch_norm) {
  VGGOptions options;
  options.batch_norm = batch_norm;
  options.num_classes = spec.num_classes;
  return std::make_shared<VGGImpl>(spec.arch, options);
}

// The architectures other than ResNet exist at torchvision's shape only.
StagedNetwork create_torchvision_shaped(const NetworkSpec& spec) {
  using Builder = std::function<StagedNetwork(const NetworkSpec&)>;
  static const std::map<std::string, Builder> builders{
      {"densenet121",
       [](const NetworkSpec& s) {
         DenseNetOptions options;  // defaults: DenseNet-121
         options.num_classes = s.num_classes;
         return std::make_shared<DenseNetImpl>(s.arch, options);
       }},
      {"efficientnet_b0",
       [](const NetworkSpec& s) {
         EfficientNetOptions options;
         options.num_classes = s.num_classes;
         return std::make_shared<EfficientNetImpl>(s.arch, options);
       }},
      {"vgg19", [](const NetworkSpec& s) { return make_vgg19(s, /*batch_norm=*/false); }},
      {"vgg19_bn", [](const NetworkSpec& s) { return make_vgg19(s, /*batch_norm=*/true); }},
  };
  const auto builder = builders.find(spec.arch);
  if (builder == builders.end()) return nullptr;
  if (spec.stem != "imagenet" || spec.width != 1.0) {
    throw Error(spec.arch + " exists at torchvision's shape only: --stem small and --width " +
                "apply to ResNets");
  }
  return builder->second(spec);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

const std::vector<std::string>& supported_architectures() {
  static const std::vector<std::string> archs{
      "resnet18", "resnet34",        "resnet50", "resnet101", "resnet152",
      "densenet121", "efficientnet_b0", "vgg19",    "vgg19_bn"};
  return archs;
}

StagedNetwork create_network(const NetworkSpec& spec) {
  if (spec.stem != "imagenet" && spec.stem != "small") {
    throw Error("unknown stem '" + spec.stem + "' (expected imagenet or small)");
  }
  StagedNetwork network;
  if (const int depth = resnet_depth(spec.arch)) {
    network = std::make_shared<ResNetImpl>(
        ResNetOptions{depth, spec.num_classes, spec.stem == "small", spec.width});
  } else {
    network = create_torchvision_shaped(spec);
  }
  if (network) {
    network->set_spec(spec);
    return network;
  }
  throw Error("unknown architecture '" + spec.arch + "' (supported: " +
              join(supported_architectures()) + ")");
}

}  // namespace advbn
