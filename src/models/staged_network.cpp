#include "advbn/models/staged_network.h"

#include <torch/torch.h>

#include <algorithm>

#include "advbn/error.h"

namespace advbn {

StagedNetworkImpl::StagedNetworkImpl(std::string arch, std::map<std::string, std::string> aliases)
    : arch_(std::move(arch)), aliases_(std::move(aliases)) {}

void StagedNetworkImpl::add_block(Block block) { blocks_.push_back(std::move(block)); }

std::vector<std::string> StagedNetworkImpl::block_names() const {
  std::vector<std::string> names;
  for (const auto& b : blocks_) names.push_back(b.name);
  return names;
}

std::vector<std::string> StagedNetworkImpl::blocks_from(const std::string& cut) const {
  const int first = std::max(0, resolve_cut(cut));
  std::vector<std::string> names;
  for (size_t i = static_cast<size_t>(first); i < blocks_.size(); ++i) names.push_back(blocks_[i].name);
  return names;
}

int StagedNetworkImpl::resolve_cut(const std::string& cut) const {
  if (cut == kNoCut) return -1;
  const auto alias = aliases_.find(cut);
  const std::string& name = alias == aliases_.end() ? cut : alias->second;
  int found = -1;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const auto& block = blocks_[i].name;
    const bool stage_member = block.size() > name.size() && block.compare(0, name.size(), name) == 0 &&
                              block[name.size()] == '.';
    if (block == name || stage_member) found = static_cast<int>(i);
  }
  if (found < 0) {
    std::string valid = std::string(kNoCut);
    for (const auto& b : blocks_) valid += ", " + b.name;
    if (!aliases_.empty()) valid += "; aliases " + aliases_.begin()->first + " … " + aliases_.rbegin()->first;
    throw Error("unknown cut '" + cut + "' for " + arch_ + " (valid: " + valid + ")");
  }
  return found;
}

void StagedNetworkImpl::set_cut(const std::string& cut) {
  const int index = resolve_cut(cut);
  if (prefix_frozen_ && index != cut_index_) {
    throw Error("set_cut: the prefix is already frozen at '" + cut_ + "'");
  }
  cut_index_ = index;
  cut_ = cut;
}

bool StagedNetworkImpl::cut_is_post_relu() const {
  return cut_index_ >= 0 && blocks_[cut_index_].post_relu;
}

int64_t StagedNetworkImpl::cut_channels(int64_t image_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = is_training();
  eval();
  const auto device = parameters().front().device();
  const auto probe = prefix(torch::zeros({1, 3, image_size, image_size}, device));
  train(was_training);
  return probe.size(1);
}

torch::Tensor StagedNetworkImpl::prefix(const torch::Tensor& images) {
  torch::Tensor x = images;
  for (int i = 0; i <= cut_index_; ++i) x = blocks_[i].run(x, BNBranch::Clean);
  return x;
}

torch::Tensor StagedNetworkImpl::suffix(const torch::Tensor& features, BNBranch branch) {
  torch::Tensor x = features;
  for (size_t i = cut_index_ + 1; i < blocks_.size(); ++i) x = blocks_[i].run(x, branch);
  return x;
}

torch::Tensor StagedNetworkImpl::forward(const torch::Tensor& images, BNBranch branch) {
  if (prefix_frozen_) {
    torch::NoGradGuard no_grad;
    const auto features = prefix(images);
    return suffix(features, branch);
  }
  return suffix(prefix(images), branch);
}

int StagedNetworkImpl::block_index(const std::string& name) const {
  for (size_t i = 0; i < blocks_.size(); ++i) {
    if (blocks_[i].name == name) return static_cast<int>(i);
  }
  std::string valid;
  for (const auto& b : blocks_) valid += (valid.empty() ? "" : ", ") + b.name;
  throw Error("unknown block '" + name + "' for " + arch_ + " (valid: " + valid + ")");
}

std::vector<torch::Tensor> StagedNetworkImpl::block_outputs(const torch::Tensor& images,
                                                            const std::vector<std::string>& names,
                                                            BNBranch branch) {
  std::vector<int> wanted;
  for (const auto& name : names) wanted.push_back(block_index(name));
  const int last = wanted.empty() ? -1 : *std::max_element(wanted.begin(), wanted.end());
  std::vector<torch::Tensor> outputs(wanted.size());
  torch::Tensor x = images;
  for (int i = 0; i <= last; ++i) {
    x = blocks_[i].run(x, i <= cut_index_ ? BNBranch::Clean : branch);
    for (size_t j = 0; j < wanted.size(); ++j) {
      if (wanted[j] == i) outputs[j] = x;
    }
  }
  return outputs;
}

void StagedNetworkImpl::freeze_prefix() {
  for (int i = 0; i <= cut_index_; ++i) {
    for (auto& module : blocks_[i].modules) {
      for (auto& p : module->parameters()) p.requires_grad_(false);
      module->eval();
    }
  }
  prefix_frozen_ = true;
}

std::vector<torch::Tensor> StagedNetworkImpl::suffix_parameters() {
  std::vector<torch::Tensor> params;
  for (size_t i = cut_index_ + 1; i < blocks_.size(); ++i) {
    for (auto& module : blocks_[i].modules) {
      for (auto& p : module->parameters()) params.push_back(p);
    }
  }
  return params;
}

void StagedNetworkImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (!prefix_frozen_) return;
  for (int i = 0; i <= cut_index_; ++i) {
    for (auto& module : blocks_[i].modules) module->eval();
  }
}

void StagedNetworkImpl::synchronise_batch_norms(const ReplicaSum& sum) {
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* bn = module->as<DualBatchNorm2dImpl>()) bn->synchronise(sum);
  }
}

void StagedNetworkImpl::copy_main_to_twins() {
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* bn = module->as<DualBatchNorm2dImpl>()) bn->copy_main_to_twin();
  }
}

}  // namespace advbn
