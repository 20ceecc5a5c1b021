#pragma once
// Procedural frost, so that the frost corruption needs no photographs.
//
// Method: a dim, cloudy ice haze from a diamond-square plasma fractal, plus crystalline needles.
// Ice grows in hexagonal symmetry, so needles follow three directions 60° apart (a random base
// angle, small jitter each), start at random points, have lengths up to 10% of the image diagonal
// and grow short side branches at ±60°. Needles are brighter where the haze is thick, are
// softened by a sub-pixel blur, and glow through a wider blur. The luminance is tinted pale blue.
// Sizes are relative to the image, so the texture looks alike at every resolution.
#include <opencv2/core.hpp>

namespace advbn::shift::detail {

// A CV_32FC3 (BGR) texture in [0, 1].
cv::Mat frost_texture(cv::Size size, cv::RNG& rng);

}  // namespace advbn::shift::detail
