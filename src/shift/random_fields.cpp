#include "random_fields.h"

namespace advbn::shift::detail {

std::uint64_t mix_seed(std::uint64_t seed, const std::string& name) {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a offset basis
  for (const unsigned char c : name) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  // SplitMix64 finaliser: nearby seeds give unrelated states.
  std::uint64_t z = seed ^ hash;
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  // cv::RNG replaces a zero state by a constant, which would merge two seeds.
  return z != 0 ? z : 0x9E3779B97F4A7C15ULL;
}

cv::Mat normal_field(cv::RNG& rng, cv::Size size, int channels, double mean, double stddev) {
  cv::Mat field(size, CV_32FC(channels));
  rng.fill(field, cv::RNG::NORMAL, mean, stddev);
  return field;
}

cv::Mat uniform_field(cv::RNG& rng, cv::Size size, int channels, double low, double high) {
  cv::Mat field(size, CV_32FC(channels));
  rng.fill(field, cv::RNG::UNIFORM, low, high);
  return field;
}

}  // namespace advbn::shift::detail
