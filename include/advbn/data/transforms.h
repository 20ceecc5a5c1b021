#pragma once
// Geometric and format transforms on uint8 images (CV_8UC1 or CV_8UC3), following torchvision's
// definitions. Random transforms take the generator explicitly; their draws come from random.h,
// so results are fixed by the seed on every platform.
//
// Resizing is bilinear when enlarging and area-averaging when shrinking: PIL's bilinear filter,
// which torchvision uses, widens its support when shrinking (antialiasing), and OpenCV's
// INTER_LINEAR does not, so INTER_AREA is the closer match there.
#include <advbn/data/normalization.h>

#include <opencv2/core.hpp>
#include <torch/types.h>

#include <random>

namespace advbn::data {

struct CropBox {
  int top;
  int left;
  int height;
  int width;
};

// torchvision's RandomResizedCrop.get_params: up to 10 tries of an area fraction in `scale` and a
// log-uniform aspect ratio in `ratio` that fit the image, then a centre crop of the whole image
// clamped to the ratio range.
CropBox random_resized_crop_box(int height, int width, std::mt19937_64& rng,
                                double min_scale = 0.08, double max_scale = 1.0,
                                double min_ratio = 3.0 / 4.0, double max_ratio = 4.0 / 3.0);

// A random_resized_crop_box crop resized to size × size.
cv::Mat random_resized_crop(const cv::Mat& image, int size, std::mt19937_64& rng);

// Mirrors left-right with probability 0.5.
cv::Mat random_horizontal_flip(const cv::Mat& image, std::mt19937_64& rng);

// Resizes so the shorter side is `size`, keeping the aspect ratio (longer side truncated, as
// torchvision's Resize(int) does).
cv::Mat resize_shorter_side(const cv::Mat& image, int size);

// The central size × size region (offsets rounded as torchvision does); an image smaller than
// that is first padded with black on both sides.
cv::Mat center_crop(const cv::Mat& image, int size);

// torchvision's RandomCrop(size, padding): pads every side with `padding` black pixels, then
// takes a size × size window at a uniformly random position. Throws advbn::Error when the padded
// image is smaller than the window.
cv::Mat random_crop(const cv::Mat& image, int size, int padding, std::mt19937_64& rng);

// Repeats a single channel three times; a three-channel image is returned unchanged.
cv::Mat grayscale_to_rgb(const cv::Mat& image);

// Writes (pixel / 255 - mean) / std of a CV_8UC3 RGB image into `chw` (3 × rows × cols floats,
// channel-major), the layout of one image in a batch tensor.
void write_normalized(const cv::Mat& rgb, const Normalization& normalization, float* chw);

// The same as a float32 tensor of shape 3 × H × W. Throws advbn::Error unless rgb is CV_8UC3.
torch::Tensor to_tensor(const cv::Mat& rgb, const Normalization& normalization);

}  // namespace advbn::data
