#pragma once
// Random images drawn from a caller-owned, seeded generator (never OpenCV's global theRNG()), so
// that corruptions are reproducible and safe to run from several threads at once.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>

namespace advbn::shift::detail {

// Mixes a user seed with a name so that different corruptions (or filters) given the same seed
// draw independent streams. Stable across platforms and releases (FNV-1a + SplitMix64).
std::uint64_t mix_seed(std::uint64_t seed, const std::string& name);

// A CV_32FC(channels) image of independent N(mean, stddev²) samples.
cv::Mat normal_field(cv::RNG& rng, cv::Size size, int channels, double mean, double stddev);

// A CV_32FC(channels) image of independent U[low, high) samples.
cv::Mat uniform_field(cv::RNG& rng, cv::Size size, int channels, double low, double high);

}  // namespace advbn::shift::detail
