#pragma once
// Geometric transforms of an image together with its per-pixel labels (segmentation): both move
// alike; images are resampled bilinearly, labels by nearest neighbour so that no label is invented
// at class boundaries, and padding gives labels the ignore label.
#include <opencv2/core.hpp>

#include <random>

namespace advbn::data {

struct LabelledImage {
  cv::Mat image;   // CV_8UC3
  cv::Mat labels;  // CV_8UC1, the image's size
};

// Both scaled by one factor drawn uniformly from [min_scale, max_scale].
LabelledImage random_scale(const LabelledImage& in, double min_scale, double max_scale, std::mt19937_64& rng);

// A size × size window at a uniformly random position; a side shorter than `size` is first padded
// at its end (black image, ignored labels).
LabelledImage random_crop(const LabelledImage& in, int size, std::mt19937_64& rng);

// Both mirrored left-right with probability 0.5.
LabelledImage random_horizontal_flip(const LabelledImage& in, std::mt19937_64& rng);

}  // namespace advbn::data
