#pragma once
// Every backbone is an ordered list of blocks named as in torchvision ("stem", "layer1.0", …,
// "head"). A cut names the last block of the frozen prefix g_{1,l}; the suffix g_{l+1,L} runs
// the remaining blocks with dual BN. The trainer only ever sees this interface.
#include <torch/nn/module.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "advbn/core/dual_batch_norm.h"
#include "advbn/models/network_spec.h"

namespace advbn {

// Cut value meaning "no prefix": the whole network is trainable (training from scratch).
inline constexpr const char* kNoCut = "input";

class StagedNetworkImpl : public torch::nn::Module {
 public:
  const std::string& arch() const { return arch_; }
  // How the network was built; set by create_network().
  const NetworkSpec& spec() const { return spec_; }
  void set_spec(NetworkSpec spec) { spec_ = std::move(spec); }
  std::vector<std::string> block_names() const;
  // Position of an exact block name; throws advbn::Error listing the valid names otherwise.
  int block_index(const std::string& name) const;
  // The block a cut names (as set_cut() resolves it) and every block after it; all blocks for kNoCut.
  std::vector<std::string> blocks_from(const std::string& cut) const;

  // Accepts a block name ("layer2.3"), a stage name ("layer1": its last block), a paper alias
  // ("conv2_3") or kNoCut. Throws advbn::Error listing the valid names otherwise.
  void set_cut(const std::string& cut);
  const std::string& cut() const { return cut_; }
  // Whether features at the cut are outputs of a ReLU (AdvBN then clamps perturbed features).
  bool cut_is_post_relu() const;
  // Channels of the features at the cut (runs a probe forward pass at the given input size).
  int64_t cut_channels(int64_t image_size);

  torch::Tensor prefix(const torch::Tensor& images);
  torch::Tensor suffix(const torch::Tensor& features, BNBranch branch = BNBranch::Clean);
  torch::Tensor forward(const torch::Tensor& images, BNBranch branch = BNBranch::Clean);
  // The outputs of the named blocks (exact block names, in any order; returned in that order),
  // running the network only as far as the last of them. Blocks after the cut use `branch`.
  // Throws advbn::Error listing the valid names for an unknown one.
  std::vector<torch::Tensor> block_outputs(const torch::Tensor& images, const std::vector<std::string>& names,
                                           BNBranch branch = BNBranch::Clean);

  // Freezes g_{1,l}: no gradients, BN in eval mode (kept so by train()).
  void freeze_prefix();
  std::vector<torch::Tensor> suffix_parameters();
  void train(bool on = true) override;

  // Copies every main BN into its twin (twins start from the pretrained BN).
  void copy_main_to_twins();
  // Every BN (main and twin) normalises training batches with statistics over all replicas'
  // batches (SyncBN, see DualBatchNorm2dImpl::synchronise); empty: per-process statistics.
  void synchronise_batch_norms(const ReplicaSum& sum);

 protected:
  struct Block {
    std::string name;
    std::vector<std::shared_ptr<torch::nn::Module>> modules;
    std::function<torch::Tensor(const torch::Tensor&, BNBranch)> run;
    bool post_relu = true;
  };

  StagedNetworkImpl(std::string arch, std::map<std::string, std::string> aliases);
  void add_block(Block block);

 private:
  // Index of the last prefix block; -1 when nothing is frozen.
  int resolve_cut(const std::string& cut) const;

  std::string arch_;
  NetworkSpec spec_;
  std::map<std::string, std::string> aliases_;
  std::vector<Block> blocks_;
  std::string cut_ = kNoCut;
  int cut_index_ = -1;
  bool prefix_frozen_ = false;
};

using StagedNetwork = std::shared_ptr<StagedNetworkImpl>;

}  // namespace advbn
