#pragma once
// Diamond-square plasma fractal, the height map behind ImageNet-C's fog and our frost haze.
#include <opencv2/core.hpp>

namespace advbn::shift::detail {

// A CV_32F map of at least `rows`×`cols` cut from a toroidal square grid whose side is the next
// power of two, normalised to [0, 1] over the whole grid. Each octave's random amplitude is the
// previous one divided by `decay` (larger decay: smoother map), starting from ImageNet-C's 100².
cv::Mat plasma_fractal(int rows, int cols, double decay, cv::RNG& rng);

}  // namespace advbn::shift::detail
