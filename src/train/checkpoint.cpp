#include "advbn/train/checkpoint.h"

#include <torch/torch.h>

#include <filesystem>

#include "advbn/error.h"
#include "advbn/io/safetensors.h"
#include "advbn/models/weights.h"

namespace advbn {

namespace {

constexpr const char* kModelPrefix = "model.";
constexpr const char* kMomentumPrefix = "optimizer.momentum.";

// The optimizer's parameters in a stable order, so momentum buffers are saved by index.
std::vector<torch::Tensor> optimized_parameters(torch::optim::SGD& optimizer) {
  std::vector<torch::Tensor> params;
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) params.push_back(p);
  }
  return params;
}

}  // namespace

std::string checkpoint_path(const std::string& dir) {
  return (std::filesystem::path(dir) / "checkpoint.safetensors").string();
}

void save_checkpoint(const std::string& dir, StagedNetworkImpl& network, torch::optim::SGD& optimizer,
                     const TrainConfig& config, const TrainingProgress& progress) {
  io::StateDict tensors;
  for (const auto& [name, t] : full_state_dict(network)) {
    tensors.emplace_back(kModelPrefix + name, t.to(torch::kCPU));
  }
  const auto params = optimized_parameters(optimizer);
  auto& state = optimizer.state();
  for (size_t i = 0; i < params.size(); ++i) {
    const auto it = state.find(c10::guts::to_string(params[i].unsafeGetTensorImpl()));
    if (it == state.end()) continue;
    const auto& sgd_state = static_cast<const torch::optim::SGDParamState&>(*it->second);
    tensors.emplace_back(kMomentumPrefix + std::to_string(i), sgd_state.momentum_buffer().to(torch::kCPU));
  }
  auto metadata = network.spec().to_metadata();
  metadata["config"] = config.to_json().dump();
  metadata["progress"] = nlohmann::json{{"next_epoch", progress.next_epoch},
                                        {"best_val_top1", progress.best_val_top1},
                                        {"best_epoch", progress.best_epoch}}
                             .dump();
  io::write_safetensors(checkpoint_path(dir), tensors, metadata);
}

std::pair<TrainConfig, TrainingProgress> read_checkpoint_header(const std::string& dir) {
  const auto path = checkpoint_path(dir);
  if (!std::filesystem::exists(path)) {
    throw Error("cannot resume from " + dir + ": no " + path);
  }
  const auto metadata = io::read_safetensors_metadata(path);
  try {
    const auto progress_json = nlohmann::json::parse(metadata.at("progress"));
    TrainingProgress progress;
    progress_json.at("next_epoch").get_to(progress.next_epoch);
    progress_json.at("best_val_top1").get_to(progress.best_val_top1);
    progress_json.at("best_epoch").get_to(progress.best_epoch);
    return {TrainConfig::from_json(nlohmann::json::parse(metadata.at("config"))), progress};
  } catch (const std::out_of_range&) {
    throw Error(path + ": not a training checkpoint (no config/progress metadata)");
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": malformed checkpoint metadata: " + e.what());
  }
}

void restore_checkpoint(const std::string& dir, StagedNetworkImpl& network,
                        torch::optim::SGD& optimizer) {
  const auto path = checkpoint_path(dir);
  io::StateDict model;
  std::map<size_t, torch::Tensor> momentum;
  const std::string model_prefix = kModelPrefix, momentum_prefix = kMomentumPrefix;
  for (auto& [name, t] : io::read_safetensors(path)) {
    if (name.rfind(model_prefix, 0) == 0) {
      model.emplace_back(name.substr(model_prefix.size()), t);
    } else if (name.rfind(momentum_prefix, 0) == 0) {
      momentum[std::stoul(name.substr(momentum_prefix.size()))] = t;
    }
  }
  import_state_dict(network, model, path);
  const auto params = optimized_parameters(optimizer);
  for (const auto& [index, buffer] : momentum) {
    if (index >= params.size() || buffer.sizes() != params[index].sizes()) {
      throw Error(path + ": optimizer state does not fit the model");
    }
    auto state = std::make_unique<torch::optim::SGDParamState>();
    state->momentum_buffer(buffer.to(params[index].options()).clone());
    optimizer.state()[c10::guts::to_string(params[index].unsafeGetTensorImpl())] = std::move(state);
  }
}

}  // namespace advbn
