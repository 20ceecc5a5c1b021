#pragma once
// Pieces shared by the torchvision-exact backbones: a module tree that mirrors torchvision's, so
// parameter and buffer names come out as torchvision's
// ("features.denseblock1.denselayer2.norm1.weight", "classifier.6.bias"), and torchvision's
// convolution padding convention.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <memory>
#include <string>

namespace advbn {

// A parameter-free container registered under `name` in `parent`: the C++ counterpart of a
// torchvision nn.Sequential (or any plain grouping module). Children registered in it by index
// ("0", "1", …) or by name get torchvision's dotted names; its forward pass is written by the
// network that owns it, since the blocks of a staged network need the BN branch.
std::shared_ptr<torch::nn::Module> register_container(torch::nn::Module& parent,
                                                      const std::string& name);

struct ConvShape {
  int64_t stride = 1;
  int64_t groups = 1;  // = channels for a depthwise convolution
  bool bias = false;   // convolutions followed by BN have none
};

// A k×k convolution padded by (k − 1) / 2 on each side, as torchvision pads: spatial size is kept
// at stride 1 and divided by the stride otherwise.
torch::nn::Conv2d padded_conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel,
                                ConvShape shape = {});

// Calls `visit(module)` for every descendant of `root` of type `ModuleImpl` (e.g.
// torch::nn::Conv2dImpl); each architecture initialises its layers as its torchvision original.
template <typename ModuleImpl, typename Visit>
void for_each_module(torch::nn::Module& root, Visit visit) {
  for (auto& module : root.modules(/*include_self=*/false)) {
    if (auto* typed = module->as<ModuleImpl>()) visit(*typed);
  }
}

}  // namespace advbn
