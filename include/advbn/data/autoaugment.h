#pragma once
// AutoAugment (Cubuk et al., 2019) with its ImageNet policy, as torchvision's
// AutoAugment(AutoAugmentPolicy.IMAGENET) defines it: 25 sub-policies of two operations, each
// applied with its own probability at one of 10 magnitude bins; signed operations get a random
// sign. Interpolation is nearest and the fill black, torchvision's defaults.
#include <opencv2/core.hpp>

#include <array>
#include <random>
#include <string>

namespace advbn::data {

enum class AutoAugmentOp {
  ShearX, ShearY, TranslateX, TranslateY, Rotate, Brightness, Color, Contrast, Sharpness,
  Posterize, Solarize, AutoContrast, Equalize, Invert,
};

std::string op_name(AutoAugmentOp op);

struct AutoAugmentStep {
  AutoAugmentOp op;
  double probability;
  int magnitude_bin;  // 0..9, or -1 for operations without a magnitude
};

using AutoAugmentSubPolicy = std::array<AutoAugmentStep, 2>;

// The 25 sub-policies of torchvision's ImageNet policy, in its order.
const std::array<AutoAugmentSubPolicy, 25>& imagenet_policy();

// The unsigned magnitude of `bin` (0..9) for an image of height × width, from torchvision's
// augmentation space: shear 0..0.3, translation 0..150/331 of the side, rotation 0..30 degrees,
// enhancement factors' offsets 0..0.9 (linear in 10 bins); posterize bits 8, 8, 7, 7, 6, 6, 5, 5,
// 4, 4; solarize threshold 255..0. Operations without a magnitude return 0.
double op_magnitude(AutoAugmentOp op, int bin, int height, int width);

// Whether the operation's magnitude is negated at random (torchvision's "signed").
bool op_is_signed(AutoAugmentOp op);

// Applies one operation at a signed magnitude as torchvision's _apply_op does (enhancements use
// factor 1 + magnitude, translations truncate to whole pixels).
cv::Mat apply_op(const cv::Mat& image, AutoAugmentOp op, double magnitude);

// One draw of the policy: a sub-policy index, then two uniform numbers deciding whether each step
// runs (it runs when the number <= its probability), then two signs.
cv::Mat auto_augment(const cv::Mat& image, std::mt19937_64& rng);

}  // namespace advbn::data
