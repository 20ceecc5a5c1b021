#include "advbn/core/pixel_attack.h"

#include <torch/torch.h>

#include <cmath>

#include "advbn/core/phase_times.h"
#include "advbn/error.h"

namespace advbn {

void PixelAttackOptions::validate() const {
  if (!(std::isfinite(epsilon) && epsilon >= 0 && epsilon <= 1)) {
    throw Error("AdvProp: epsilon must be in [0, 1] (pixel scale), got " + std::to_string(epsilon));
  }
  if (!(std::isfinite(step_size) && step_size > 0)) {
    throw Error("AdvProp: step size must be > 0, got " + std::to_string(step_size));
  }
  if (steps < 1) throw Error("AdvProp: steps must be >= 1, got " + std::to_string(steps));
}

torch::Tensor pixel_attack(const torch::Tensor& images, const ImageLoss& loss, const PixelAttackOptions& options,
                           const std::array<float, 3>& mean, const std::array<float, 3>& std) {
  options.validate();
  if (images.dim() != 4 || images.size(1) != 3) {
    throw Error("AdvProp: expected N × 3 × H × W images, got " + std::to_string(images.dim()) + " dimensions");
  }
  const auto per_channel = [&](const std::array<float, 3>& values) {
    return torch::tensor(std::vector<float>(values.begin(), values.end()), images.options().requires_grad(false))
        .view({1, 3, 1, 1});
  };
  const auto scale = per_channel(std);
  const auto clean = images.detach();
  const auto bound = options.epsilon / scale;
  const auto step = options.step_size / scale;
  const auto lowest = (0 - per_channel(mean)) / scale;
  const auto highest = (1 - per_channel(mean)) / scale;
  auto attacked = clean.clone();
  for (int i = 0; i < options.steps; ++i) {
    const TimedPhase pass("pgd pass", i + 1);
    attacked.requires_grad_(true);
    const auto gradient = torch::autograd::grad({loss(attacked)}, {attacked})[0];
    torch::NoGradGuard no_grad;
    attacked = attacked.detach() + step * gradient.sign();
    attacked = torch::min(torch::max(attacked, clean - bound), clean + bound);
    attacked = torch::min(torch::max(attacked, lowest), highest);
  }
  return attacked.detach();
}

}  // namespace advbn
