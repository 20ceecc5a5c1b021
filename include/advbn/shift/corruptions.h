#pragma once
// ImageNet-C corruptions (Hendrycks & Dietterich, 2019): the 15 common ones and the 4 held-out
// ones, each at severities 1..5, as a fast native re-implementation of the public Python tools.
//
// Parameters. Every corruption follows the public ImageNet-C table (made for 224 px crops) or the
// milder CIFAR-10-C table (made for 32 px images); Preset::Auto picks CIFAR for images whose longer
// side is at most 64 px. Spatial parameters (blur radii and sigmas, glass-blur displacement, motion
// length, elastic amplitudes, snow flake size, spatter sigmas) are given in pixels of the table's
// reference size and are scaled by min(H, W) / reference, so a severity looks alike at any
// resolution and matches the tables exactly at 224 px (ImageNet) and 32 px (CIFAR). The defocus
// disk is resampled rather than rebuilt at the scaled radius, so it stays a blur below 1 px.
//
// Randomness. Every random draw comes from a generator seeded by (seed, corruption name); the
// severity is deliberately not part of the seed, so the five severities of one image share their
// random fields (noise, angles, textures) and differ only in strength. No global state is used.
//
// Colour. Images are CV_8UC3 in OpenCV's BGR order or CV_8UC1. Colour-aware corruptions (snow,
// frost, spatter, saturate) treat a grayscale image as three equal channels and convert the result
// back to one channel; all others work on the channels as given, so noise on a grayscale image
// has the table's strength rather than the weaker strength it would keep after a colour round trip.
//
// Deviations from the Python tools, chosen for speed or because the originals need external data:
//  - frost uses a procedural ice texture instead of six photographs (src/shift/frost_texture.h):
//    diamond-square plasma haze plus crystalline needles along three directions 60° apart;
//  - motion_blur and snow reproduce ImageMagick's one-sided Gaussian line kernel directly;
//  - elastic_transform composes the random affine warp and the displacement field into one remap,
//    and draws very wide (sigma > 8 px) displacement fields at reduced resolution;
//  - glass_blur performs the same sequential local pixel swaps in a tight loop.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace advbn::shift {

enum class Preset {
  Auto,      // Cifar when max(H, W) <= 64, else ImageNet
  ImageNet,  // ImageNet-C tables (224 px reference)
  Cifar,     // CIFAR-10-C tables (32 px reference)
};

// "auto" | "imagenet" | "cifar"; anything else throws advbn::Error.
Preset parse_preset(const std::string& name);

// The 15 common corruptions, in ImageNet-C order (noise, blur, weather, digital).
const std::vector<std::string>& common_corruptions();

// speckle_noise, gaussian_blur, spatter, saturate: ImageNet-C's validation corruptions.
const std::vector<std::string>& held_out_corruptions();

// Common followed by held-out corruptions: every name corrupt() accepts.
const std::vector<std::string>& all_corruptions();

// Applies one corruption. img: CV_8UC1 or CV_8UC3, at least 8×8. Returns an image of the same size
// and type. Throws advbn::Error for an unknown name, a severity outside 1..5, or an unsupported image.
cv::Mat corrupt(const cv::Mat& img, const std::string& name, int severity, std::uint64_t seed,
                Preset preset = Preset::Auto);

}  // namespace advbn::shift
