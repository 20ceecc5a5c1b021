#include "advbn/autoencoder/autoencoder.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include "advbn/error.h"
#include "advbn/io/safetensors.h"
#include "advbn/io/weights_file.h"
#include "advbn/models/weights.h"

namespace advbn {

torch::Tensor pad_to_multiple(const torch::Tensor& images, int64_t stride) {
  // At least two positions per side at the bottleneck: reflection padding needs them.
  auto padded_side = [&](int64_t side) { return std::max((side + stride - 1) / stride, int64_t{2}) * stride; };
  const int64_t bottom = padded_side(images.size(2)) - images.size(2);
  const int64_t right = padded_side(images.size(3)) - images.size(3);
  if (bottom == 0 && right == 0) return images;
  // Reflection needs the pad to be smaller than the side; replication covers tiny images.
  const bool reflect = bottom < images.size(2) && right < images.size(3);
  using Pad = torch::nn::functional::PadFuncOptions;
  const Pad::mode_t mode = reflect ? Pad::mode_t(torch::kReflect) : Pad::mode_t(torch::kReplicate);
  return torch::nn::functional::pad(images, Pad({0, right, 0, bottom}).mode(mode));
}

PaddedFeatures Autoencoder::encode(const torch::Tensor& images) const {
  if (images.dim() != 4 || images.size(1) != 3) {
    throw Error("an autoencoder takes N × 3 × H × W RGB images, got " + c10::str(images.sizes()));
  }
  return {encoder->encode(pad_to_multiple(images, encoder->stride())), images.size(2), images.size(3)};
}

torch::Tensor Autoencoder::decode(const torch::Tensor& features, int64_t height, int64_t width) const {
  // The holder is const here, the module it shares is not.
  return decoder.ptr()->forward(features).narrow(2, 0, height).narrow(3, 0, width);
}

torch::Tensor Autoencoder::reconstruct(const torch::Tensor& images) const {
  const auto encoded = encode(images);
  return decode(encoded.features, encoded.height, encoded.width);
}

void Autoencoder::to(torch::Device device) {
  encoder->to(device);
  decoder->to(device);
}

void save_decoder(const std::string& path, DecoderImpl& decoder, const EncoderImpl& encoder,
                  const std::map<std::string, std::string>& extra) {
  auto metadata = extra;
  metadata["encoder"] = encoder.identity();
  metadata["channels"] = std::to_string(encoder.channels());
  metadata["layout"] = to_json(decoder.layout()).dump();
  io::write_safetensors(path, full_state_dict(decoder), metadata);
}

Decoder load_decoder(const std::string& path, const EncoderImpl& encoder) {
  const auto weights = io::load_weights(path);
  // A .pth is a plain state dict, such as the public AdaIN decoder.pth: it has no metadata.
  const bool safetensors = std::filesystem::path(path).extension() == ".safetensors";
  auto metadata = safetensors ? io::read_safetensors_metadata(path) : std::map<std::string, std::string>{};
  DecoderLayout layout = encoder.mirror();
  if (metadata.count("encoder")) {
    if (metadata.at("encoder") != encoder.identity()) {
      throw Error("decoder " + path + " was trained for the encoder " + metadata.at("encoder") + " (" +
                  metadata["channels"] + " channels), not for " + encoder.identity() + " (" +
                  std::to_string(encoder.channels()) + " channels): choose that encoder and cut, or train a decoder for this one");
    }
    layout = decoder_layout_from_json(nlohmann::json::parse(metadata.at("layout")));
  }
  if (layout.front().in_channels != encoder.channels()) {
    throw Error("decoder " + path + " takes " + std::to_string(layout.front().in_channels) + " channels but the encoder " +
                encoder.identity() + " gives " + std::to_string(encoder.channels()));
  }
  Decoder decoder(layout);
  import_state_dict(*decoder, weights, path);
  decoder->eval();
  return decoder;
}

}  // namespace advbn
