#include "advbn/models/vgg.h"

#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/conv_batch_norm.h"
#include "advbn/models/torchvision_layers.h"

namespace advbn {

namespace {

namespace nn = torch::nn;

// Convolution widths of VGG-19's five stages; each stage ends with a 2×2 max-pool.
const std::vector<std::vector<int64_t>>& vgg19_stages() {
  static const std::vector<std::vector<int64_t>> stages{
      {64, 64}, {128, 128}, {256, 256, 256, 256}, {512, 512, 512, 512}, {512, 512, 512, 512}};
  return stages;
}
constexpr int64_t kPooledSize = 7;  // the classifier expects 512 × 7 × 7 features
constexpr int64_t kHiddenWidth = 4096;
// VGG's convolutions are followed by a ReLU (or a BN) and keep their bias in both variants.
constexpr ConvShape kWithBias{/*stride=*/1, /*groups=*/1, /*bias=*/true};

// One block of `features`: a convolution (+ BN) + ReLU, or a max-pool.
struct FeatureBlock {
  int64_t first_index;  // index in torchvision's `features` of the block's first module
  int64_t last_index;   // … and of its last one, which names the block
  int64_t width;        // output channels of a convolution; 0 for a max-pool
  std::string alias;    // relu{stage}_{i} or pool{stage}
  std::string name() const { return "features." + std::to_string(last_index); }
};

// BN layers occupy indices of `features` too, so block names differ with and without BN.
std::vector<FeatureBlock> feature_blocks(bool batch_norm) {
  std::vector<FeatureBlock> blocks;
  const int64_t modules_per_conv = batch_norm ? 3 : 2;
  int64_t index = 0;
  const auto& stages = vgg19_stages();
  for (size_t s = 0; s < stages.size(); ++s) {
    const std::string stage = std::to_string(s + 1);
    for (size_t i = 0; i < stages[s].size(); ++i) {
      blocks.push_back({index, index + modules_per_conv - 1, stages[s][i],
                        "relu" + stage + "_" + std::to_string(i + 1)});
      index += modules_per_conv;
    }
    blocks.push_back({index, index, 0, "pool" + stage});
    ++index;
  }
  return blocks;
}

std::map<std::string, std::string> feature_aliases(bool batch_norm) {
  std::map<std::string, std::string> aliases;
  for (const auto& block : feature_blocks(batch_norm)) aliases[block.alias] = block.name();
  return aliases;
}

// torchvision's VGG initialisation (BN already starts at weight 1, bias 0).
void init_like_torchvision(nn::Module& network) {
  torch::NoGradGuard no_grad;
  for_each_module<nn::Conv2dImpl>(network, [](nn::Conv2dImpl& c) {
    nn::init::kaiming_normal_(c.weight, 0.0, torch::kFanOut, torch::kReLU);
    nn::init::zeros_(c.bias);
  });
  for_each_module<nn::LinearImpl>(network, [](nn::LinearImpl& l) {
    nn::init::normal_(l.weight, 0.0, 0.01);
    nn::init::zeros_(l.bias);
  });
}

}  // namespace

VGGImpl::VGGImpl(const std::string& arch, const VGGOptions& options)
    : StagedNetworkImpl(arch, feature_aliases(options.batch_norm)) {
  if (options.num_classes < 1) throw Error("num_classes must be >= 1");
  if (options.dropout < 0 || options.dropout >= 1) throw Error("VGG dropout must lie in [0, 1)");
  auto features = register_container(*this, "features");
  int64_t channels = 3;
  for (const auto& block : feature_blocks(options.batch_norm)) {
    if (block.width == 0) {
      add_block({block.name(), {}, [](const torch::Tensor& x, BNBranch) {
                   return torch::max_pool2d(x, 2, 2);
                 }});
      continue;
    }
    auto conv = features->register_module(std::to_string(block.first_index),
                                          padded_conv2d(channels, block.width, 3, kWithBias));
    std::vector<std::shared_ptr<nn::Module>> modules{conv};
    DualBatchNorm2d norm{nullptr};
    if (options.batch_norm) {
      norm = features->register_module(std::to_string(block.first_index + 1),
                                       DualBatchNorm2d(block.width));
      modules.push_back(norm.ptr());
    }
    add_block(
        {block.name(), modules, [conv, norm](const torch::Tensor& x, BNBranch branch) mutable {
           return torch::relu(norm ? conv_then_batch_norm(*conv, *norm, x, branch) : conv->forward(x));
         }});
    channels = block.width;
  }

  // torchvision's classifier Sequential: linear "0", ReLU, dropout, linear "3", ReLU, dropout,
  // linear "6".
  auto classifier = register_container(*this, "classifier");
  auto hidden1 = classifier->register_module(
      "0", nn::Linear(channels * kPooledSize * kPooledSize, kHiddenWidth));
  auto hidden2 = classifier->register_module("3", nn::Linear(kHiddenWidth, kHiddenWidth));
  auto output = classifier->register_module("6", nn::Linear(kHiddenWidth, options.num_classes));
  const double dropout = options.dropout;
  add_block(
      {"head",
       {classifier},
       [classifier, hidden1, hidden2, output, dropout](const torch::Tensor& x, BNBranch) mutable {
         const bool training = classifier->is_training();
         auto out = torch::adaptive_avg_pool2d(x, {kPooledSize, kPooledSize}).flatten(1);
         out = torch::dropout(torch::relu(hidden1->forward(out)), dropout, training);
         out = torch::dropout(torch::relu(hidden2->forward(out)), dropout, training);
         return output->forward(out);
       },
       /*post_relu=*/false});
  init_like_torchvision(*this);
  copy_main_to_twins();
}

}  // namespace advbn
