#include "advbn/models/network_factory.h"

#include <map>

#include "advbn/error.h"
#include "advbn/models/resnet.h"

namespace advbn {

namespace {

int resnet_depth(const std::string& arch) {
  static const std::map<std::string, int> depths{
      {"resnet18", 18}, {"resnet34", 34}, {"resnet50", 50}, {"resnet101", 101}, {"resnet152", 152}};
  const auto it = depths.find(arch);
  return it == depths.end() ? 0 : it->second;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

const std::vector<std::string>& supported_architectures() {
  static const std::vector<std::string> archs{"resnet18", "resnet34", "resnet50", "resnet101",
                                              "resnet152"};
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
  }
  if (network) {
    network->set_spec(spec);
    return network;
  }
  throw Error("unknown architecture '" + spec.arch + "' (supported: " +
              join(supported_architectures()) + ")");
}

}  // namespace advbn
