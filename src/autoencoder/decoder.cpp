#include "advbn/autoencoder/decoder.h"

#include <torch/torch.h>

#include <algorithm>

#include "advbn/error.h"

namespace advbn {

DecoderLayout decoder_for_vgg_relu4_1() {
  return {{512, 256, true, true},  {256, 256, true, false}, {256, 256, true, false},
          {256, 256, true, false}, {256, 128, true, true},  {128, 128, true, false},
          {128, 64, true, true},   {64, 64, true, false},   {64, 3, false, false}};
}

DecoderLayout mirrored_decoder(int64_t channels, int64_t stride) {
  if (channels < 1 || stride < 1 || (stride & (stride - 1)) != 0) {
    throw Error("a decoder mirrors encoders whose stride is a power of two, got stride " + std::to_string(stride) +
                " with " + std::to_string(channels) + " channels");
  }
  DecoderLayout layout;
  int64_t width = channels;
  if (stride == 1) {
    const int64_t hidden = std::max<int64_t>(channels, 32);
    layout.push_back({width, hidden, true, false});
    layout.push_back({hidden, hidden, true, false});
    width = hidden;
  }
  for (int64_t s = stride; s > 1; s /= 2) {
    const int64_t next = std::max<int64_t>(width / 2, 32);
    layout.push_back({width, next, true, true});
    layout.push_back({next, next, true, false});
    width = next;
  }
  layout.push_back({width, 3, false, false});
  return layout;
}

nlohmann::json to_json(const DecoderLayout& layout) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& conv : layout) json.push_back({conv.in_channels, conv.out_channels, conv.relu, conv.upsample_after});
  return json;
}

DecoderLayout decoder_layout_from_json(const nlohmann::json& json) {
  DecoderLayout layout;
  try {
    for (const auto& conv : json) {
      layout.push_back({conv.at(0).get<int64_t>(), conv.at(1).get<int64_t>(), conv.at(2).get<bool>(),
                        conv.at(3).get<bool>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("malformed decoder layout: ") + e.what());
  }
  if (layout.empty() || layout.back().out_channels != 3) throw Error("malformed decoder layout: it must end with 3 channels");
  return layout;
}

DecoderImpl::DecoderImpl(DecoderLayout layout) : layout_(std::move(layout)) {
  for (const auto& conv : layout_) {
    layers_->push_back(torch::nn::ReflectionPad2d(1));
    layers_->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(conv.in_channels, conv.out_channels, 3)));
    if (conv.relu) layers_->push_back(torch::nn::ReLU());
    if (conv.upsample_after) {
      layers_->push_back(torch::nn::Upsample(
          torch::nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest)));
    }
  }
  // Registered under the sequence's own indices ("1.weight", …), as torch.nn.Sequential names them.
  for (const auto& child : layers_->named_children()) register_module(child.key(), child.value());
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& features) { return layers_->forward(features); }

}  // namespace advbn
