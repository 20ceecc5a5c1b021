#include <advbn/data/autoaugment.h>
#include <advbn/data/image_ops.h>
#include <advbn/data/random.h>
#include <advbn/error.h>

#include <cmath>

namespace advbn::data {

namespace {

constexpr int kBins = 10;

// Bin `bin` of torch.linspace(low, high, 10) in float32, as torchvision computes its magnitude
// table: the first half counts up from low, the second half down from high. Using the same
// float32 values keeps rotation and shear sampling positions identical to torchvision's.
double linspace_bin(float low, float high, int bin) {
  const float step = (high - low) / static_cast<float>(kBins - 1);
  const float value = bin < kBins / 2 ? low + step * static_cast<float>(bin)
                                      : high - step * static_cast<float>(kBins - 1 - bin);
  return value;
}

double linear_bin(double high, int bin) {
  return linspace_bin(0.0f, static_cast<float>(high), bin);
}

}  // namespace

std::string op_name(AutoAugmentOp op) {
  switch (op) {
    case AutoAugmentOp::ShearX: return "ShearX";
    case AutoAugmentOp::ShearY: return "ShearY";
    case AutoAugmentOp::TranslateX: return "TranslateX";
    case AutoAugmentOp::TranslateY: return "TranslateY";
    case AutoAugmentOp::Rotate: return "Rotate";
    case AutoAugmentOp::Brightness: return "Brightness";
    case AutoAugmentOp::Color: return "Color";
    case AutoAugmentOp::Contrast: return "Contrast";
    case AutoAugmentOp::Sharpness: return "Sharpness";
    case AutoAugmentOp::Posterize: return "Posterize";
    case AutoAugmentOp::Solarize: return "Solarize";
    case AutoAugmentOp::AutoContrast: return "AutoContrast";
    case AutoAugmentOp::Equalize: return "Equalize";
    case AutoAugmentOp::Invert: return "Invert";
  }
  throw Error("unknown AutoAugment operation " + std::to_string(static_cast<int>(op)));
}

const std::array<AutoAugmentSubPolicy, 25>& imagenet_policy() {
  using Op = AutoAugmentOp;
  static const std::array<AutoAugmentSubPolicy, 25> policy{{
      {{{Op::Posterize, 0.4, 8}, {Op::Rotate, 0.6, 9}}},
      {{{Op::Solarize, 0.6, 5}, {Op::AutoContrast, 0.6, -1}}},
      {{{Op::Equalize, 0.8, -1}, {Op::Equalize, 0.6, -1}}},
      {{{Op::Posterize, 0.6, 7}, {Op::Posterize, 0.6, 6}}},
      {{{Op::Equalize, 0.4, -1}, {Op::Solarize, 0.2, 4}}},
      {{{Op::Equalize, 0.4, -1}, {Op::Rotate, 0.8, 8}}},
      {{{Op::Solarize, 0.6, 3}, {Op::Equalize, 0.6, -1}}},
      {{{Op::Posterize, 0.8, 5}, {Op::Equalize, 1.0, -1}}},
      {{{Op::Rotate, 0.2, 3}, {Op::Solarize, 0.6, 8}}},
      {{{Op::Equalize, 0.6, -1}, {Op::Posterize, 0.4, 6}}},
      {{{Op::Rotate, 0.8, 8}, {Op::Color, 0.4, 0}}},
      {{{Op::Rotate, 0.4, 9}, {Op::Equalize, 0.6, -1}}},
      {{{Op::Equalize, 0.0, -1}, {Op::Equalize, 0.8, -1}}},
      {{{Op::Invert, 0.6, -1}, {Op::Equalize, 1.0, -1}}},
      {{{Op::Color, 0.6, 4}, {Op::Contrast, 1.0, 8}}},
      {{{Op::Rotate, 0.8, 8}, {Op::Color, 1.0, 2}}},
      {{{Op::Color, 0.8, 8}, {Op::Solarize, 0.8, 7}}},
      {{{Op::Sharpness, 0.4, 7}, {Op::Invert, 0.6, -1}}},
      {{{Op::ShearX, 0.6, 5}, {Op::Equalize, 1.0, -1}}},
      {{{Op::Color, 0.4, 0}, {Op::Equalize, 0.6, -1}}},
      {{{Op::Equalize, 0.4, -1}, {Op::Solarize, 0.2, 4}}},
      {{{Op::Solarize, 0.6, 5}, {Op::AutoContrast, 0.6, -1}}},
      {{{Op::Invert, 0.6, -1}, {Op::Equalize, 1.0, -1}}},
      {{{Op::Color, 0.6, 4}, {Op::Contrast, 1.0, 8}}},
      {{{Op::Equalize, 0.8, -1}, {Op::Equalize, 0.6, -1}}},
  }};
  return policy;
}

double op_magnitude(AutoAugmentOp op, int bin, int height, int width) {
  if (bin < 0 || bin >= kBins) {
    throw Error("AutoAugment magnitude bin must lie in 0.." + std::to_string(kBins - 1) + ", got " +
                std::to_string(bin));
  }
  switch (op) {
    case AutoAugmentOp::ShearX:
    case AutoAugmentOp::ShearY: return linear_bin(0.3, bin);
    case AutoAugmentOp::TranslateX: return linear_bin(150.0 / 331.0 * width, bin);
    case AutoAugmentOp::TranslateY: return linear_bin(150.0 / 331.0 * height, bin);
    case AutoAugmentOp::Rotate: return linear_bin(30.0, bin);
    case AutoAugmentOp::Brightness:
    case AutoAugmentOp::Color:
    case AutoAugmentOp::Contrast:
    case AutoAugmentOp::Sharpness: return linear_bin(0.9, bin);
    // 8 − round(bin / 2.25): no bin lands on a half, so the rounding rule does not matter.
    case AutoAugmentOp::Posterize: return 8 - std::lround(bin / ((kBins - 1) / 4.0));
    case AutoAugmentOp::Solarize: return linspace_bin(255.0f, 0.0f, bin);
    case AutoAugmentOp::AutoContrast:
    case AutoAugmentOp::Equalize:
    case AutoAugmentOp::Invert: return 0.0;
  }
  throw Error("unknown AutoAugment operation " + std::to_string(static_cast<int>(op)));
}

bool op_is_signed(AutoAugmentOp op) {
  switch (op) {
    case AutoAugmentOp::Posterize:
    case AutoAugmentOp::Solarize:
    case AutoAugmentOp::AutoContrast:
    case AutoAugmentOp::Equalize:
    case AutoAugmentOp::Invert: return false;
    default: return true;
  }
}

cv::Mat apply_op(const cv::Mat& image, AutoAugmentOp op, double magnitude) {
  // torchvision turns a shear magnitude into an angle (degrees(atan(m))) and back (tan(radians));
  // the round trip is kept so the sampling positions match to the last bit.
  const auto shear_factor = [](double m) {
    return std::tan(std::atan(m) * (180.0 / M_PI) * (M_PI / 180.0));
  };
  switch (op) {
    case AutoAugmentOp::ShearX: return shear_x(image, shear_factor(magnitude));
    case AutoAugmentOp::ShearY: return shear_y(image, shear_factor(magnitude));
    case AutoAugmentOp::TranslateX: return translate_x(image, static_cast<int>(magnitude));
    case AutoAugmentOp::TranslateY: return translate_y(image, static_cast<int>(magnitude));
    case AutoAugmentOp::Rotate: return rotate(image, magnitude);
    case AutoAugmentOp::Brightness: return adjust_brightness(image, 1.0 + magnitude);
    case AutoAugmentOp::Color: return adjust_color(image, 1.0 + magnitude);
    case AutoAugmentOp::Contrast: return adjust_contrast(image, 1.0 + magnitude);
    case AutoAugmentOp::Sharpness: return adjust_sharpness(image, 1.0 + magnitude);
    case AutoAugmentOp::Posterize: return posterize(image, static_cast<int>(magnitude));
    case AutoAugmentOp::Solarize: return solarize(image, magnitude);
    case AutoAugmentOp::AutoContrast: return autocontrast(image);
    case AutoAugmentOp::Equalize: return equalize(image);
    case AutoAugmentOp::Invert: return invert(image);
  }
  throw Error("unknown AutoAugment operation " + std::to_string(static_cast<int>(op)));
}

cv::Mat auto_augment(const cv::Mat& image, std::mt19937_64& rng) {
  const auto& sub_policy = imagenet_policy()[uniform_index(rng, imagenet_policy().size())];
  const std::array<double, 2> draws{uniform01(rng), uniform01(rng)};
  const std::array<bool, 2> negative{uniform_index(rng, 2) == 0, uniform_index(rng, 2) == 0};
  cv::Mat out = image;
  for (size_t i = 0; i < sub_policy.size(); ++i) {
    const auto& step = sub_policy[i];
    if (draws[i] > step.probability) continue;
    double magnitude =
        step.magnitude_bin < 0 ? 0.0 : op_magnitude(step.op, step.magnitude_bin, out.rows, out.cols);
    if (op_is_signed(step.op) && negative[i]) magnitude = -magnitude;
    out = apply_op(out, step.op, magnitude);
  }
  return out;
}

}  // namespace advbn::data
