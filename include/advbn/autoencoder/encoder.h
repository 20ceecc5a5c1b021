#pragma once
// The frozen encoders of an autoencoder: they take RGB images in [0, 1] and return the features
// at every level the style loss uses, the last being the bottleneck that AdaIN restyles and
// AdvBN perturbs.
//  - "vgg_normalised": AdaIN's normalised VGG-19 up to relu4_1, with the published layout (a 1 × 1
//    convolution folding Caffe's BGR ×255 mean-subtracted preprocessing in, reflection padding,
//    ceil-mode max pooling), so the public vgg_normalised.pth state dict loads by its names
//    ("0.weight", "2.weight", …; the layers after relu4_1 in that file are not used).
//  - any network advbn builds, up to a cut: torchvision's VGG-19 features at relu4_1, or a ResNet
//    at conv2_3 (the paper's second ImageNet-AdvBN encoder). The network's own input normalisation
//    is applied first.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "advbn/autoencoder/decoder.h"
#include "advbn/models/staged_network.h"

namespace advbn {

class EncoderImpl : public torch::nn::Module {
 public:
  // Images N × 3 × H × W in [0, 1], H and W multiples of stride(): the features at every level.
  virtual std::vector<torch::Tensor> levels(const torch::Tensor& images) = 0;
  // The bottleneck alone.
  virtual torch::Tensor encode(const torch::Tensor& images) = 0;
  // Names the encoder and its last layer, e.g. "vgg_normalised@relu4_1", "resnet50@layer1.2":
  // a decoder is trained for exactly one.
  const std::string& identity() const { return identity_; }
  int64_t channels() const { return channels_; }
  int64_t stride() const { return stride_; }
  // The decoder layout that mirrors this encoder.
  virtual DecoderLayout mirror() const = 0;

 protected:
  // Freezes the parameters and measures channels and stride with a probe image.
  void finish(std::string identity);

 private:
  std::string identity_;
  int64_t channels_ = 0;
  int64_t stride_ = 1;
};

using Encoder = std::shared_ptr<EncoderImpl>;

// Layer indices of the normalised VGG-19 where relu1_1, relu2_1, relu3_1 and relu4_1 end.
inline constexpr int kNormalisedVggLevelEnds[] = {3, 10, 17, 30};

class NormalisedVggEncoderImpl : public EncoderImpl {
 public:
  // Random weights; load_normalised_vgg() fills them from a file.
  NormalisedVggEncoderImpl();
  std::vector<torch::Tensor> levels(const torch::Tensor& images) override;
  torch::Tensor encode(const torch::Tensor& images) override;
  DecoderLayout mirror() const override { return decoder_for_vgg_relu4_1(); }

 private:
  torch::nn::Sequential layers_;  // indices 0..30 of the published sequence
};

// Loads a state dict with vgg_normalised.pth's names. Entries of layers after relu4_1 (index > 30)
// are ignored; any other missing, unexpected or mis-shaped entry throws advbn::Error naming `path`.
void load_normalised_vgg(NormalisedVggEncoderImpl& encoder, const std::string& path);

class NetworkPrefixEncoderImpl : public EncoderImpl {
 public:
  // Throws advbn::Error listing the valid names for an unknown cut, or for kNoCut.
  NetworkPrefixEncoderImpl(StagedNetwork network, const std::string& cut);
  std::vector<torch::Tensor> levels(const torch::Tensor& images) override;
  torch::Tensor encode(const torch::Tensor& images) override;
  DecoderLayout mirror() const override { return mirrored_decoder(channels(), stride()); }

 private:
  torch::Tensor normalise(const torch::Tensor& images) const;

  StagedNetwork network_;
  std::vector<std::string> level_blocks_;  // every block of the prefix
};

struct EncoderSpec {
  std::string name = "vgg_normalised";  // or a network architecture (vgg19, resnet50, …)
  std::string weights;                  // empty: random weights
  std::string cut = "relu4_1";          // network encoders: the last block, in any form set_cut accepts
};

// Builds and loads the encoder `spec` describes (network weights load as in load_network: a
// safetensors checkpoint's stored description wins over the architecture's defaults).
Encoder make_encoder(const EncoderSpec& spec);

}  // namespace advbn
