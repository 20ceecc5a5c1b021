#pragma once
// The description of a network: enough to rebuild it, stored beside its weights in checkpoints.
#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "advbn/data/normalization.h"

namespace advbn {

// A ResNet's first block: torchvision's 7×7/2 convolution + max-pool, or a 3×3/1 convolution for
// small images.
enum class Stem { ImageNet, Small };

// "imagenet" or "small"; parse_stem throws advbn::Error for another name.
Stem parse_stem(const std::string& name);
std::string to_string(Stem stem);

struct NetworkSpec {
  std::string arch = "resnet50";
  int64_t num_classes = 1000;
  Stem stem = Stem::ImageNet;
  double width = 1.0;
  // What the network's inputs are normalised with: torchvision's models expect ImageNet's
  // statistics, and so does every network this project trains unless told otherwise. Training,
  // evaluation and the suites all use it; .safetensors files store it, .pth files cannot.
  data::Normalization normalization = data::imagenet_normalization();

  std::map<std::string, std::string> to_metadata() const;
  // Fields present in `metadata` override this spec's; others are kept.
  NetworkSpec with_metadata(const std::map<std::string, std::string>& metadata) const;
};

// "0.5,0.5,0.5" → {0.5, 0.5, 0.5}; throws advbn::Error for anything but three numbers.
std::array<float, 3> parse_channel_values(const std::string& text);

// Throws advbn::Error unless every mean is finite and every std finite and > 0.
void validate_normalization(const data::Normalization& normalization);

}  // namespace advbn
