#pragma once
// Decoders that map an encoder's bottleneck features back to RGB images in [0, 1]: 3 × 3
// convolutions with reflection padding and ReLU, nearest-neighbour ×2 upsampling wherever the
// encoder halved the resolution, and no normalisation layers (AdaIN's decoder design).
//
// The modules form one sequence — pad, conv, [ReLU], [upsample] per convolution — so the
// parameter names are those of the public AdaIN decoder ("1.weight", "5.weight", …, "28.bias"),
// and its decoder.pth loads into decoder_for_vgg_relu4_1().
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include <vector>

namespace advbn {

struct DecoderConv {
  int64_t in_channels;
  int64_t out_channels;
  bool relu;            // false only for the last convolution
  bool upsample_after;  // nearest ×2 after the activation
};

using DecoderLayout = std::vector<DecoderConv>;

// The published AdaIN decoder, the mirror of normalised VGG-19 up to relu4_1 (512 channels, stride 8).
DecoderLayout decoder_for_vgg_relu4_1();

// A mirror for any encoder ending with `channels` channels at stride `stride` (a power of two):
// per halving, conv c → max(c/2, 32) + ReLU + ×2 then conv + ReLU at that width; at stride 1,
// two convs at max(c, 32); then conv → 3. Throws advbn::Error for a stride that is not a power of two.
DecoderLayout mirrored_decoder(int64_t channels, int64_t stride);

nlohmann::json to_json(const DecoderLayout& layout);
// Throws advbn::Error for a malformed description.
DecoderLayout decoder_layout_from_json(const nlohmann::json& json);

class DecoderImpl : public torch::nn::Module {
 public:
  explicit DecoderImpl(DecoderLayout layout);
  // Features N × C × h × w → images N × 3 × (h·s) × (w·s), s = 2^(upsamplings).
  torch::Tensor forward(const torch::Tensor& features);
  const DecoderLayout& layout() const { return layout_; }
  int64_t input_channels() const { return layout_.front().in_channels; }

 private:
  DecoderLayout layout_;
  torch::nn::Sequential layers_;
};
TORCH_MODULE(Decoder);

}  // namespace advbn
