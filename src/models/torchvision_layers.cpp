#include "advbn/models/torchvision_layers.h"

namespace advbn {

std::shared_ptr<torch::nn::Module> register_container(torch::nn::Module& parent,
                                                      const std::string& name) {
  return parent.register_module(name, std::make_shared<torch::nn::Module>("Sequential"));
}

torch::nn::Conv2d padded_conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel,
                                ConvShape shape) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                               .stride(shape.stride)
                               .padding((kernel - 1) / 2)
                               .groups(shape.groups)
                               .bias(shape.bias));
}

}  // namespace advbn
