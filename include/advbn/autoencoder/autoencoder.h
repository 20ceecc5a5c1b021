#pragma once
// An encoder with the decoder trained for it, for images of any size: inputs are padded
// (reflection) to a multiple of the encoder's stride and the decoded images cropped back, so the
// output always has the input's size.
//
// Decoder files are safetensors whose metadata names the encoder they were trained for
// ("encoder": its identity, "channels", "layout"); loading one for another encoder, or another
// cut, is refused. A plain state dict without that metadata (the public AdaIN decoder.pth) is
// loaded into the encoder's mirror layout.
#include <map>
#include <string>

#include "advbn/autoencoder/decoder.h"
#include "advbn/autoencoder/encoder.h"

namespace advbn {

// Images N × 3 × H × W extended at the bottom and right edges (reflected; replicated where the
// image is too small to reflect) to multiples of `stride`, and to at least 2 × stride.
torch::Tensor pad_to_multiple(const torch::Tensor& images, int64_t stride);

struct PaddedFeatures {
  torch::Tensor features;  // the bottleneck of the padded images
  int64_t height = 0;      // the input's size, to crop the decoded images back to
  int64_t width = 0;
};

struct Autoencoder {
  Encoder encoder;
  Decoder decoder = nullptr;

  PaddedFeatures encode(const torch::Tensor& images) const;
  // Decoded images cropped to the encoded input's size.
  torch::Tensor decode(const torch::Tensor& features, int64_t height, int64_t width) const;
  torch::Tensor reconstruct(const torch::Tensor& images) const;
  void to(torch::Device device);
};

// Writes the decoder with the metadata above plus `extra` entries.
void save_decoder(const std::string& path, DecoderImpl& decoder, const EncoderImpl& encoder,
                  const std::map<std::string, std::string>& extra = {});

// A decoder for `encoder` from `path`. Throws advbn::Error naming the file and both encoders when
// it was trained for another encoder or cut, and for missing or mis-shaped weights.
Decoder load_decoder(const std::string& path, const EncoderImpl& encoder);

}  // namespace advbn
