#pragma once
// Training a decoder for a frozen encoder, with either recipe:
//  - Pixel (the ImageNet-AdvBN authors'): MSE between the decoded and the input image plus a
//    total-variation penalty (weight 1e-8 in their script);
//  - AdaIN (Huang & Belongie): the decoded AdaIN target t = AdaIN(f(content), f(style)) must
//    give back t at the bottleneck (content loss) and the style's mean and std at every encoder
//    level (style loss, weighted).
// Adam with lr / (1 + decay · iteration). Each epoch ends with the reconstruction PSNR on held-out
// images, a line in OUT/metrics.jsonl, OUT/decoder.safetensors and OUT/checkpoint.safetensors
// (decoder, Adam state, configuration, history; replaced atomically): a run started again with
// the same configuration resumes after the last finished epoch.
#include <nlohmann/json.hpp>

#include <functional>
#include <ostream>
#include <string>

#include "advbn/autoencoder/autoencoder.h"

namespace advbn {

enum class AutoencoderLoss { Pixel, AdaIN };
AutoencoderLoss parse_autoencoder_loss(const std::string& name);  // "pixel" | "adain"
std::string to_string(AutoencoderLoss loss);

struct AutoencoderTrainConfig {
  EncoderSpec encoder;
  std::string data;    // IDX, CIFAR or image folder (its training split)
  std::string styles;  // style image folder; the AdaIN loss needs one
  std::string out = "autoencoder";
  AutoencoderLoss loss = AutoencoderLoss::Pixel;
  double style_weight = 10;
  double tv_weight = 1e-8;
  int epochs = 1;
  int64_t batch = 8;
  double lr = 1e-4;
  double lr_decay = 5e-5;  // per iteration
  int image_size = 0;      // training crop; 0: 256, or the native size of images up to 64 px
  int64_t limit = 0;       // training images per epoch (a random subset); 0: all
  int64_t val_images = 256;  // held out from the training split for the PSNR
  uint64_t seed = 0;
  int workers = 2;

  nlohmann::json to_json() const;
  // Throws advbn::Error naming the first invalid setting.
  void validate() const;
};

struct AutoencoderEpoch {
  int epoch;
  double loss;
  double val_psnr;  // dB, on images in [0, 1]
  double seconds;
};

// One object per epoch, as in metrics.jsonl.
nlohmann::json to_json(const std::vector<AutoencoderEpoch>& history);

// Trains (or resumes) the run `config` describes. Throws advbn::Error when OUT holds a run with
// another configuration. `log` receives progress; `interactive` redraws one line.
std::vector<AutoencoderEpoch> train_autoencoder(const AutoencoderTrainConfig& config, std::ostream& log,
                                                bool interactive = false, torch::Device device = torch::kCPU);

// Peak signal-to-noise ratio (dB) of images in [0, 1], averaged over the images.
double psnr(const torch::Tensor& decoded, const torch::Tensor& target);

// The autoencoder a finished run wrote (OUT/decoder.safetensors) with its encoder.
Autoencoder load_trained_autoencoder(const AutoencoderTrainConfig& config);

}  // namespace advbn
