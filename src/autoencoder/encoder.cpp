#include "advbn/autoencoder/encoder.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>

#include "advbn/autoencoder/image_tensors.h"
#include "advbn/error.h"
#include "advbn/io/weights_file.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"

namespace advbn {

namespace {

// Large enough for every supported stride (VGG's 8, a ResNet's up to 32) to leave a feature map.
constexpr int64_t kProbeSize = 64;

}  // namespace

void EncoderImpl::finish(std::string identity) {
  identity_ = std::move(identity);
  for (auto& parameter : parameters()) parameter.requires_grad_(false);
  eval();
  torch::NoGradGuard no_grad;
  const auto probe = encode(torch::zeros({1, 3, kProbeSize, kProbeSize}));
  channels_ = probe.size(1);
  stride_ = kProbeSize / probe.size(2);
}

NormalisedVggEncoderImpl::NormalisedVggEncoderImpl() {
  auto conv = [&](int64_t in, int64_t out, int64_t kernel) {
    layers_->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)));
  };
  auto pad_conv_relu = [&](int64_t in, int64_t out) {
    layers_->push_back(torch::nn::ReflectionPad2d(1));
    conv(in, out, 3);
    layers_->push_back(torch::nn::ReLU());
  };
  auto pool = [&] { layers_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2).ceil_mode(true))); };
  conv(3, 3, 1);  // 0: RGB in [0, 1] → Caffe's BGR × 255 minus the mean
  pad_conv_relu(3, 64);  // 1–3: relu1_1
  pad_conv_relu(64, 64);
  pool();
  pad_conv_relu(64, 128);  // 8–10: relu2_1
  pad_conv_relu(128, 128);
  pool();
  pad_conv_relu(128, 256);  // 15–17: relu3_1
  for (int i = 0; i < 3; ++i) pad_conv_relu(256, 256);
  pool();
  pad_conv_relu(256, 512);  // 28–30: relu4_1
  for (const auto& child : layers_->named_children()) register_module(child.key(), child.value());
  finish("vgg_normalised@relu4_1");
}

std::vector<torch::Tensor> NormalisedVggEncoderImpl::levels(const torch::Tensor& images) {
  std::vector<torch::Tensor> outputs;
  torch::Tensor x = images;
  size_t next_level = 0;
  int index = 0;
  for (auto& layer : *layers_) {
    x = layer.forward(x);
    if (index++ == kNormalisedVggLevelEnds[next_level]) {
      outputs.push_back(x);
      ++next_level;
    }
  }
  return outputs;
}

torch::Tensor NormalisedVggEncoderImpl::encode(const torch::Tensor& images) { return layers_->forward(images); }

void load_normalised_vgg(NormalisedVggEncoderImpl& encoder, const std::string& path) {
  io::StateDict used;
  for (auto& [name, tensor] : io::load_weights(path)) {
    const auto dot = name.find('.');
    const std::string index = name.substr(0, dot);
    const bool numbered = !index.empty() && std::all_of(index.begin(), index.end(), [](unsigned char c) { return std::isdigit(c); });
    if (numbered && std::stoi(index) > kNormalisedVggLevelEnds[3]) continue;
    used.emplace_back(name, tensor);
  }
  import_state_dict(encoder, used, path);
}

NetworkPrefixEncoderImpl::NetworkPrefixEncoderImpl(StagedNetwork network, const std::string& cut)
    : network_(std::move(network)) {
  if (cut == kNoCut) throw Error("an encoder needs a cut: the last block of the network it keeps");
  network_->set_cut(cut);
  const std::string last = network_->blocks_from(cut).front();
  for (const auto& name : network_->block_names()) {
    level_blocks_.push_back(name);
    if (name == last) break;
  }
  register_module("network", network_);
  finish(network_->arch() + "@" + last);
}

torch::Tensor NetworkPrefixEncoderImpl::normalise(const torch::Tensor& images) const {
  return normalise_images(images, network_->spec().normalization);
}

std::vector<torch::Tensor> NetworkPrefixEncoderImpl::levels(const torch::Tensor& images) {
  return network_->block_outputs(normalise(images), level_blocks_);
}

torch::Tensor NetworkPrefixEncoderImpl::encode(const torch::Tensor& images) { return network_->prefix(normalise(images)); }

Encoder make_encoder(const EncoderSpec& spec) {
  if (spec.name == "vgg_normalised") {
    if (!spec.cut.empty() && spec.cut != "relu4_1") {
      throw Error("the normalised VGG-19 encoder ends at relu4_1; --cut " + spec.cut + " applies to network encoders");
    }
    auto encoder = std::make_shared<NormalisedVggEncoderImpl>();
    if (!spec.weights.empty()) load_normalised_vgg(*encoder, spec.weights);
    return encoder;
  }
  NetworkSpec network_spec;
  network_spec.arch = spec.name;
  network_spec.num_classes = spec.weights.empty() ? 1000 : 0;
  auto network = spec.weights.empty() ? create_network(network_spec) : load_network(network_spec, spec.weights, true);
  return std::make_shared<NetworkPrefixEncoderImpl>(std::move(network), spec.cut);
}

}  // namespace advbn
