#include "advbn/shift/corruptions.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <iterator>

#include "advbn/error.h"
#include "corruption_context.h"
#include "image_checks.h"
#include "random_fields.h"

namespace advbn::shift {

namespace {
using detail::CorruptionFn;

struct CorruptionEntry {
  const char* name;
  CorruptionFn apply;
  bool colour_only;  // needs three channels: a grayscale image is expanded, then reduced again
};

constexpr CorruptionEntry kCorruptions[] = {
    {"gaussian_noise", detail::gaussian_noise, false},
    {"shot_noise", detail::shot_noise, false},
    {"impulse_noise", detail::impulse_noise, false},
    {"defocus_blur", detail::defocus_blur, false},
    {"glass_blur", detail::glass_blur, false},
    {"motion_blur", detail::motion_blur, false},
    {"zoom_blur", detail::zoom_blur, false},
    {"snow", detail::snow, true},
    {"frost", detail::frost, true},
    {"fog", detail::fog, false},
    {"brightness", detail::brightness, false},
    {"contrast", detail::contrast, false},
    {"elastic_transform", detail::elastic_transform, false},
    {"pixelate", detail::pixelate, false},
    {"jpeg_compression", detail::jpeg_compression, false},
    // Held out (ImageNet-C's validation corruptions).
    {"speckle_noise", detail::speckle_noise, false},
    {"gaussian_blur", detail::gaussian_blur, false},
    {"spatter", detail::spatter, true},
    {"saturate", detail::saturate, true},
};
constexpr std::size_t kCommonCount = 15;

// Images whose longer side is at most this many pixels use the CIFAR tables under Preset::Auto.
constexpr int kAutoCifarMaxSide = 64;
constexpr double kImageNetReference = 224.0;
constexpr double kCifarReference = 32.0;

std::vector<std::string> names(std::size_t begin, std::size_t end) {
  std::vector<std::string> out;
  for (std::size_t i = begin; i < end; ++i) {
    out.emplace_back(kCorruptions[i].name);
  }
  return out;
}

const CorruptionEntry& find_corruption(const std::string& name) {
  for (const CorruptionEntry& entry : kCorruptions) {
    if (name == entry.name) {
      return entry;
    }
  }
  throw Error("unknown corruption '" + name + "'; valid corruptions: " +
              detail::join(all_corruptions()));
}
}  // namespace

Preset parse_preset(const std::string& name) {
  if (name == "auto") return Preset::Auto;
  if (name == "imagenet") return Preset::ImageNet;
  if (name == "cifar") return Preset::Cifar;
  throw Error("unknown corruption preset '" + name + "'; valid presets: auto, imagenet, cifar");
}

const std::vector<std::string>& common_corruptions() {
  static const std::vector<std::string> list = names(0, kCommonCount);
  return list;
}

const std::vector<std::string>& held_out_corruptions() {
  static const std::vector<std::string> list = names(kCommonCount, std::size(kCorruptions));
  return list;
}

const std::vector<std::string>& all_corruptions() {
  static const std::vector<std::string> list = names(0, std::size(kCorruptions));
  return list;
}

cv::Mat corrupt(const cv::Mat& img, const std::string& name, int severity, std::uint64_t seed,
                Preset preset) {
  const CorruptionEntry& entry = find_corruption(name);
  if (severity < 1 || severity > 5) {
    throw Error("corruption severity " + std::to_string(severity) + " for '" + name +
                "' is out of range; valid severities: 1, 2, 3, 4, 5");
  }
  detail::check_image(img, "corrupt('" + name + "')");

  if (preset == Preset::Auto) {
    preset = std::max(img.rows, img.cols) <= kAutoCifarMaxSide ? Preset::Cifar : Preset::ImageNet;
  }
  detail::CorruptionContext ctx;
  ctx.severity = severity;
  ctx.cifar = preset == Preset::Cifar;
  ctx.scale = std::min(img.rows, img.cols) / (ctx.cifar ? kCifarReference : kImageNetReference);
  ctx.seed = detail::mix_seed(seed, name);

  cv::Mat input = img.isContinuous() ? img : img.clone();
  const bool expand = entry.colour_only && img.channels() == 1;
  if (expand) {
    cv::cvtColor(input, input, cv::COLOR_GRAY2BGR);
  }
  cv::Mat out = entry.apply(input, ctx);
  if (expand) {
    cv::cvtColor(out, out, cv::COLOR_BGR2GRAY);
  }
  return out;
}

}  // namespace advbn::shift
