#pragma once
// The pixel-space attack of AdvProp (Xie et al., CVPR 2020): PGD on the input image within an
// L∞ ball, the peer that perturbs pixels where AdvBN perturbs feature statistics. Images arrive
// normalised ((pixel − mean) / std per channel), so the bound and the step, given on the [0, 1]
// pixel scale, are divided by each channel's std, and the result is kept inside the valid pixel
// range [0, 1] as normalised values.
#include <torch/types.h>

#include <array>
#include <functional>

namespace advbn {

struct PixelAttackOptions {
  // AdvProp's smallest setting (EfficientNet-B0): ε = 1/255, step 1/255, ε·255 + 1 iterations.
  double epsilon = 1.0 / 255;
  double step_size = 1.0 / 255;
  int steps = 2;

  // Throws advbn::Error naming the offending option.
  void validate() const;
};

// Maps (attacked) images to the scalar loss the attack maximises; differentiated with respect to
// the images only.
using ImageLoss = std::function<torch::Tensor(const torch::Tensor& images)>;

// PGD with sign steps from the clean images (no random start, so that a run repeats exactly).
// `mean`/`std`: the normalisation the images carry, on the [0, 1] scale, one entry per channel.
// Returns the attacked images, detached; no parameter gradient is accumulated.
torch::Tensor pixel_attack(const torch::Tensor& images, const ImageLoss& loss, const PixelAttackOptions& options,
                           const std::array<float, 3>& mean, const std::array<float, 3>& std);

}  // namespace advbn
