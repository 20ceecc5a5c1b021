#include "advbn/models/weights.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "advbn/error.h"
#include "advbn/io/safetensors.h"
#include "advbn/io/weights_file.h"

namespace advbn {

namespace {

constexpr const char* kTwinInfix = ".twin.";

bool is_twin_key(const std::string& name) { return name.find(kTwinInfix) != std::string::npos; }

// "layer1.0.bn1.twin.weight" → "layer1.0.bn1.weight"
std::string main_key_of_twin(const std::string& twin) {
  const auto pos = twin.find(kTwinInfix);
  return twin.substr(0, pos) + "." + twin.substr(pos + std::string(kTwinInfix).size());
}

// torchvision's published DenseNet files predate its current names ("denselayer1.norm.1.weight"
// for "denselayer1.norm1.weight"); torchvision renames them on load, and so do we.
std::string current_torchvision_name(const std::string& name) {
  static const std::regex legacy_densenet(R"((denselayer\d+\.(?:norm|relu|conv))\.((?:1|2)\.(?:weight|bias|running_mean|running_var|num_batches_tracked))$)");
  return std::regex_replace(name, legacy_densenet, "$1$2");
}

std::map<std::string, torch::Tensor> named_state(torch::nn::Module& model) {
  std::map<std::string, torch::Tensor> state;
  for (const auto& p : model.named_parameters()) state.emplace(p.key(), p.value());
  for (const auto& b : model.named_buffers()) state.emplace(b.key(), b.value());
  return state;
}

constexpr const char* kAuxiliaryHead = "aux_classifier.";

std::string shape_string(const torch::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

std::string summarise(const std::vector<std::string>& keys) {
  std::string out = std::to_string(keys.size()) + " (";
  for (size_t i = 0; i < keys.size() && i < 3; ++i) out += (i ? ", " : "") + keys[i];
  return out + (keys.size() > 3 ? ", …)" : ")");
}

}  // namespace

std::string ImportReport::describe() const {
  std::string out;
  auto add = [&](const char* what, const std::vector<std::string>& keys) {
    if (!keys.empty()) out += (out.empty() ? "" : "; ") + std::string(what) + " " + summarise(keys);
  };
  add("missing", missing);
  add("unexpected", unexpected);
  add("wrong shape", mismatched);
  return out;
}

ImportReport import_state_dict(torch::nn::Module& model, const io::StateDict& weights,
                               const std::string& source, bool strict) {
  auto state = named_state(model);
  ImportReport report;
  std::set<std::string> loaded, misshapen;
  torch::NoGradGuard no_grad;
  for (const auto& [stored_name, tensor] : weights) {
    const std::string name = current_torchvision_name(stored_name);
    const auto it = state.find(name);
    // torchvision's pretrained segmenters carry an auxiliary head on layer3, a training-time loss
    // that their forward pass never uses; the networks here have none.
    if (it == state.end() && name.rfind(kAuxiliaryHead, 0) == 0) continue;
    if (it == state.end()) {
      report.unexpected.push_back(name);
    } else if (it->second.sizes() != tensor.sizes()) {
      report.mismatched.push_back(name + ": weights " + shape_string(tensor) + " vs model " +
                                  shape_string(it->second));
      misshapen.insert(name);
    } else {
      it->second.copy_(tensor);
      loaded.insert(name);
    }
  }
  for (auto& [name, tensor] : state) {
    if (loaded.count(name) || misshapen.count(name)) continue;
    if (is_twin_key(name) && loaded.count(main_key_of_twin(name))) {
      tensor.copy_(state.at(main_key_of_twin(name)));
    } else {
      report.missing.push_back(name);
    }
  }
  if (strict && !report.ok()) {
    throw Error(source + ": weights do not fit the model: " + report.describe() +
                " (wrong --arch, --num-classes, --stem or --width?)");
  }
  return report;
}

io::StateDict full_state_dict(torch::nn::Module& model) {
  io::StateDict out;
  for (const auto& p : model.named_parameters()) out.emplace_back(p.key(), p.value().detach());
  for (const auto& b : model.named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
}

io::StateDict torchvision_state_dict(torch::nn::Module& model, BNBranch branch) {
  const auto state = named_state(model);
  io::StateDict out;
  for (const auto& [name, tensor] : full_state_dict(model)) {
    if (is_twin_key(name)) continue;
    const std::string twin = [&] {
      const auto dot = name.rfind('.');
      return name.substr(0, dot) + kTwinInfix + name.substr(dot + 1);
    }();
    const auto twin_it = state.find(twin);
    const bool use_twin = branch == BNBranch::Adv && twin_it != state.end();
    out.emplace_back(name, use_twin ? twin_it->second.detach() : tensor);
  }
  return out;
}

namespace {
bool has_safetensors_extension(const std::string& path) {
  const std::string extension = ".safetensors";
  return path.size() > extension.size() &&
         path.compare(path.size() - extension.size(), extension.size(), extension) == 0;
}
}  // namespace

StagedNetwork load_network(const NetworkSpec& spec, const std::string& path, bool arch_explicit) {
  NetworkSpec effective = spec;
  if (has_safetensors_extension(path)) {
    const auto metadata = io::read_safetensors_metadata(path);
    const auto arch = metadata.find("arch");
    if (arch_explicit && arch != metadata.end() && arch->second != spec.arch) {
      throw Error(path + ": weights are for " + arch->second + ", not --arch " + spec.arch);
    }
    effective = spec.with_metadata(metadata);
  }
  const auto weights = io::load_weights(path);
  if (effective.num_classes <= 0) {
    // Every supported classifier ends with its output layer: the last matrix is num_classes × features.
    const auto last_matrix = std::find_if(weights.rbegin(), weights.rend(),
                                          [](const auto& entry) { return entry.second.dim() == 2; });
    if (last_matrix == weights.rend()) throw Error(path + ": cannot tell the number of classes; pass --num-classes");
    effective.num_classes = last_matrix->second.size(0);
  }
  auto network = create_network(effective);
  import_state_dict(*network, weights, path);
  return network;
}

void save_network(StagedNetworkImpl& network, const std::string& path, BNBranch branch) {
  if (has_safetensors_extension(path)) {
    io::write_safetensors(path, full_state_dict(network), network.spec().to_metadata());
  } else {
    io::save_weights(path, torchvision_state_dict(network, branch));
  }
}

}  // namespace advbn
