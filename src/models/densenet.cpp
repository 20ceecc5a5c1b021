#include "advbn/models/densenet.h"

#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/torchvision_layers.h"

namespace advbn {

namespace {

namespace nn = torch::nn;

std::map<std::string, std::string> stage_aliases(const DenseNetOptions& options) {
  std::map<std::string, std::string> aliases;
  for (size_t b = 1; b <= options.layers_per_block.size(); ++b) {
    const auto index = std::to_string(b);
    aliases["denseblock" + index] = "features.denseblock" + index;
    if (b < options.layers_per_block.size()) {
      aliases["transition" + index] = "features.transition" + index;
    }
  }
  return aliases;
}

// torchvision's DenseNet initialisation: Kaiming-normal convolutions (fan-in), zero linear bias.
void init_like_torchvision(nn::Module& network) {
  torch::NoGradGuard no_grad;
  for_each_module<nn::Conv2dImpl>(network,
                                  [](nn::Conv2dImpl& c) { nn::init::kaiming_normal_(c.weight); });
  for_each_module<nn::LinearImpl>(network, [](nn::LinearImpl& l) { nn::init::zeros_(l.bias); });
}

}  // namespace

DenseLayerImpl::DenseLayerImpl(int64_t in_channels, int64_t growth_rate,
                               int64_t bottleneck_factor) {
  const int64_t bottleneck = bottleneck_factor * growth_rate;
  norm1 = register_module("norm1", DualBatchNorm2d(in_channels));
  conv1 = register_module("conv1", padded_conv2d(in_channels, bottleneck, 1));
  norm2 = register_module("norm2", DualBatchNorm2d(bottleneck));
  conv2 = register_module("conv2", padded_conv2d(bottleneck, growth_rate, 3));
}

torch::Tensor DenseLayerImpl::forward(const torch::Tensor& x, BNBranch branch) {
  const auto bottleneck = conv1->forward(torch::relu(norm1->forward(x, branch)));
  const auto fresh = conv2->forward(torch::relu(norm2->forward(bottleneck, branch)));
  return torch::cat({x, fresh}, 1);
}

DenseTransitionImpl::DenseTransitionImpl(int64_t in_channels, int64_t out_channels) {
  norm = register_module("norm", DualBatchNorm2d(in_channels));
  conv = register_module("conv", padded_conv2d(in_channels, out_channels, 1));
}

torch::Tensor DenseTransitionImpl::forward(const torch::Tensor& x, BNBranch branch) {
  return torch::avg_pool2d(conv->forward(torch::relu(norm->forward(x, branch))), 2, 2);
}

DenseNetImpl::DenseNetImpl(const std::string& arch, const DenseNetOptions& options)
    : StagedNetworkImpl(arch, stage_aliases(options)) {
  if (options.num_classes < 1) throw Error("num_classes must be >= 1");
  auto features = register_container(*this, "features");

  conv0 = features->register_module("conv0",
                                    padded_conv2d(3, options.stem_channels, 7, {/*stride=*/2}));
  norm0 = features->register_module("norm0", DualBatchNorm2d(options.stem_channels));
  add_block({"stem", {conv0.ptr(), norm0.ptr()}, [this](const torch::Tensor& x, BNBranch branch) {
               const auto out = torch::relu(norm0->forward(conv0->forward(x), branch));
               return torch::max_pool2d(out, 3, 2, 1);
             }});

  int64_t channels = options.stem_channels;
  const size_t num_blocks = options.layers_per_block.size();
  for (size_t b = 1; b <= num_blocks; ++b) {
    const std::string block_name = "denseblock" + std::to_string(b);
    auto dense_block = register_container(*features, block_name);
    for (int i = 1; i <= options.layers_per_block[b - 1]; ++i) {
      const std::string layer_name = "denselayer" + std::to_string(i);
      DenseLayer layer(channels, options.growth_rate, options.bottleneck_factor);
      dense_block->register_module(layer_name, layer);
      channels += options.growth_rate;
      // The output concatenates post-ReLU inputs with raw convolution outputs: not post-ReLU.
      add_block({"features." + block_name + "." + layer_name,
                 {layer.ptr()},
                 [layer](const torch::Tensor& x, BNBranch branch) mutable {
                   return layer->forward(x, branch);
                 },
                 /*post_relu=*/false});
    }
    if (b == num_blocks) break;
    const std::string transition_name = "transition" + std::to_string(b);
    DenseTransition transition(channels, channels / 2);
    features->register_module(transition_name, transition);
    channels /= 2;
    // Average pooling of a convolution without ReLU: features may be negative.
    add_block({"features." + transition_name,
               {transition.ptr()},
               [transition](const torch::Tensor& x, BNBranch branch) mutable {
                 return transition->forward(x, branch);
               },
               /*post_relu=*/false});
  }

  norm5 = features->register_module("norm5", DualBatchNorm2d(channels));
  classifier = register_module("classifier", nn::Linear(channels, options.num_classes));
  add_block({"head",
             {norm5.ptr(), classifier.ptr()},
             [this](const torch::Tensor& x, BNBranch branch) {
               const auto out = torch::relu(norm5->forward(x, branch));
               return classifier->forward(torch::adaptive_avg_pool2d(out, {1, 1}).flatten(1));
             },
             /*post_relu=*/false});
  init_like_torchvision(*this);
  copy_main_to_twins();
}

}  // namespace advbn
