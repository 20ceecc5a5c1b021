#pragma once
// Options naming an autoencoder (an encoder and the decoder trained for it) and the classifier
// whose loss AdvBN maximises at the bottleneck, shared by the autoencoder commands.
#include <CLI/CLI.hpp>

#include <string>

#include "advbn/autoencoder/autoencoder.h"
#include "advbn/network_options.h"

namespace advbn::cli {

// --encoder, --encoder-weights, --cut.
void add_encoder_options(CLI::App& command, EncoderSpec& encoder);

struct AutoencoderOptions {
  EncoderSpec encoder;
  std::string decoder;
};

// The encoder options and --decoder (required).
void add_autoencoder_options(CLI::App& command, AutoencoderOptions& options);

// Builds the encoder and loads the decoder (refused when trained for another encoder or cut).
Autoencoder load_autoencoder(const AutoencoderOptions& options, torch::Device device);

// The classifier's description options and --classifier (its weights, required).
void add_classifier_options(CLI::App& command, NetworkOptions& classifier);

}  // namespace advbn::cli
