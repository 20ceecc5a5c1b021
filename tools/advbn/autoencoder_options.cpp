#include "advbn/autoencoder_options.h"

namespace advbn::cli {

void add_encoder_options(CLI::App& command, EncoderSpec& encoder) {
  command.add_option("--encoder", encoder.name,
                     "vgg_normalised (AdaIN's normalised VGG-19 to relu4_1) or a network architecture "
                     "(vgg19, resnet50, …) cut at --cut")
      ->capture_default_str();
  command.add_option("--encoder-weights", encoder.weights,
                     "Encoder weights: vgg_normalised.pth, a torchvision .pth or an advbn .safetensors (empty: random)");
  command.add_option("--cut", encoder.cut, "Last encoder block of a network encoder (relu4_1, conv2_3, layer1, …)")
      ->capture_default_str();
}

void add_autoencoder_options(CLI::App& command, AutoencoderOptions& options) {
  add_encoder_options(command, options.encoder);
  command.add_option("--decoder", options.decoder,
                     "Decoder trained for this encoder and cut (advbn autoencoder train), or AdaIN's decoder.pth")
      ->required();
}

Autoencoder load_autoencoder(const AutoencoderOptions& options, torch::Device device) {
  auto encoder = make_encoder(options.encoder);
  Autoencoder autoencoder{encoder, load_decoder(options.decoder, *encoder)};
  autoencoder.to(device);
  return autoencoder;
}

void add_classifier_options(CLI::App& command, NetworkOptions& classifier) {
  add_network_options(command, classifier, true, "--classifier");
}

}  // namespace advbn::cli
