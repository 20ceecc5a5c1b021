#pragma once
// Moving weights between files and models: torchvision names for parameters *and* buffers, twin
// BNs filled from their main BN, and every missing, unexpected or mis-shaped key reported.
#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "advbn/core/dual_batch_norm.h"
#include "advbn/io/state_dict.h"
#include "advbn/models/network_factory.h"

namespace advbn {

struct ImportReport {
  std::vector<std::string> missing;     // in the model, not in the weights
  std::vector<std::string> unexpected;  // in the weights, not in the model
  std::vector<std::string> mismatched;  // "name: weights [..] vs model [..]"
  bool ok() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  std::string describe() const;
};

// Copies `weights` into `model` by name. Twin BN entries absent from `weights` are filled from
// their main BN and never count as missing; an auxiliary head ("aux_classifier.*", in torchvision's
// pretrained segmenters) is skipped. With `strict`, any problem throws advbn::Error naming
// `source` and the keys; otherwise the matching entries are loaded and the report returned.
ImportReport import_state_dict(torch::nn::Module& model, const io::StateDict& weights,
                               const std::string& source, bool strict = true);

// Every parameter and buffer, twins included: the project's own checkpoint content.
io::StateDict full_state_dict(torch::nn::Module& model);

// A state dict torchvision loads: no twin entries; with BNBranch::Adv the twin values are written
// under the main names.
io::StateDict torchvision_state_dict(torch::nn::Module& model, BNBranch branch);

// Builds the network described by `spec`, overridden by the description stored in a safetensors
// checkpoint when there is one, and loads `path` strictly. A checkpoint whose stored
// architecture contradicts an explicit `spec.arch` is refused. With `spec.num_classes` <= 0 the
// class count is read off the weights' output layer.
StagedNetwork load_network(const NetworkSpec& spec, const std::string& path, bool arch_explicit);

// Writes `network` to `path`: .safetensors keeps both BN branches and the network description;
// .pth/.pt get a torchvision state dict with the BN branch chosen by `branch`.
void save_network(StagedNetworkImpl& network, const std::string& path,
                  BNBranch branch = BNBranch::Clean);

}  // namespace advbn
