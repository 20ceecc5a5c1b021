#include "advbn/models/network_factory.h"

#include <algorithm>
#include <functional>

#include "advbn/error.h"
#include "advbn/models/deeplabv3.h"
#include "advbn/models/densenet.h"
#include "advbn/models/efficientnet.h"
#include "advbn/models/fcn.h"
#include "advbn/models/resnet.h"
#include "advbn/models/vgg.h"

namespace advbn {

namespace {

using Builder = std::function<StagedNetwork(const NetworkSpec&)>;

// One entry per architecture, in the order --help lists them.
struct Architecture {
  std::string name;
  bool any_shape;  // --stem and --width apply (ResNets); the others exist at torchvision's shape only
  Builder build;
};

// A ResNet of this depth (Network ResNetImpl, Options ResNetOptions) or a segmenter on one
// (FCNImpl or DeepLabV3Impl, SegmenterOptions): the same four settings shape them all.
template <typename Network, typename Options>
Architecture resnet_family(const std::string& name, int depth) {
  return {name, true, [depth](const NetworkSpec& s) -> StagedNetwork {
            Options options;
            options.depth = depth;
            options.num_classes = s.num_classes;
            options.small_stem = s.stem == Stem::Small;
            options.width = s.width;
            return std::make_shared<Network>(options);
          }};
}

Architecture resnet(const std::string& name, int depth) { return resnet_family<ResNetImpl, ResNetOptions>(name, depth); }

template <typename Head>
Architecture segmenter(const std::string& name, int depth) {
  return resnet_family<Head, SegmenterOptions>(name, depth);
}

Architecture vgg19(const std::string& name, bool batch_norm) {
  return {name, false, [batch_norm](const NetworkSpec& s) -> StagedNetwork {
            VGGOptions options;
            options.batch_norm = batch_norm;
            options.num_classes = s.num_classes;
            return std::make_shared<VGGImpl>(s.arch, options);
          }};
}

const std::vector<Architecture>& architectures() {
  static const std::vector<Architecture> table{
      resnet("resnet18", 18),
      resnet("resnet34", 34),
      resnet("resnet50", 50),
      resnet("resnet101", 101),
      resnet("resnet152", 152),
      {"densenet121", false,
       [](const NetworkSpec& s) -> StagedNetwork {
         DenseNetOptions options;  // defaults: DenseNet-121
         options.num_classes = s.num_classes;
         return std::make_shared<DenseNetImpl>(s.arch, options);
       }},
      {"efficientnet_b0", false,
       [](const NetworkSpec& s) -> StagedNetwork {
         EfficientNetOptions options;
         options.num_classes = s.num_classes;
         return std::make_shared<EfficientNetImpl>(s.arch, options);
       }},
      vgg19("vgg19", /*batch_norm=*/false),
      vgg19("vgg19_bn", /*batch_norm=*/true),
      segmenter<FCNImpl>("fcn_resnet18", 18),
      segmenter<FCNImpl>("fcn_resnet34", 34),
      segmenter<FCNImpl>("fcn_resnet50", 50),
      segmenter<FCNImpl>("fcn_resnet101", 101),
      segmenter<DeepLabV3Impl>("deeplabv3_resnet18", 18),
      segmenter<DeepLabV3Impl>("deeplabv3_resnet34", 34),
      segmenter<DeepLabV3Impl>("deeplabv3_resnet50", 50),
      segmenter<DeepLabV3Impl>("deeplabv3_resnet101", 101),
  };
  return table;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

const std::vector<std::string>& supported_architectures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& architecture : architectures()) out.push_back(architecture.name);
    return out;
  }();
  return names;
}

StagedNetwork create_network(const NetworkSpec& spec) {
  const auto& table = architectures();
  const auto architecture = std::find_if(table.begin(), table.end(), [&](const auto& a) { return a.name == spec.arch; });
  if (architecture == table.end()) {
    throw Error("unknown architecture '" + spec.arch + "' (supported: " + join(supported_architectures()) + ")");
  }
  if (!architecture->any_shape && (spec.stem != Stem::ImageNet || spec.width != 1.0)) {
    throw Error(spec.arch + " exists at torchvision's shape only: --stem small and --width apply to ResNets");
  }
  auto network = architecture->build(spec);
  network->set_spec(spec);
  return network;
}

}  // namespace advbn
