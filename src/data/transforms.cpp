#include <advbn/data/random.h>
#include <advbn/data/transforms.h>
#include <advbn/error.h>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <cmath>

namespace advbn::data {

namespace {

void check_uint8(const cv::Mat& image, const char* operation) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw Error(std::string(operation) + " needs a non-empty CV_8UC1 or CV_8UC3 image");
  }
}

void check_size(int size, const char* operation) {
  if (size < 1) {
    throw Error(std::string(operation) + ": output size must be at least 1, got " +
                std::to_string(size));
  }
}

// Python's round(): halves go to the even neighbour.
int round_half_even(double value) { return static_cast<int>(std::nearbyint(value)); }

cv::Mat resize_exact(const cv::Mat& image, int width, int height) {
  if (image.cols == width && image.rows == height) return image.clone();
  const bool shrinking = width <= image.cols && height <= image.rows;
  cv::Mat out;
  cv::resize(image, out, cv::Size(width, height), 0, 0,
             shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

}  // namespace

CropBox random_resized_crop_box(int height, int width, std::mt19937_64& rng, double min_scale,
                                double max_scale, double min_ratio, double max_ratio) {
  const double area = static_cast<double>(height) * width;
  const double log_min_ratio = std::log(min_ratio);
  const double log_max_ratio = std::log(max_ratio);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * uniform_real(rng, min_scale, max_scale);
    const double aspect_ratio = std::exp(uniform_real(rng, log_min_ratio, log_max_ratio));
    const int w = round_half_even(std::sqrt(target_area * aspect_ratio));
    const int h = round_half_even(std::sqrt(target_area / aspect_ratio));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const int top = static_cast<int>(uniform_index(rng, static_cast<uint64_t>(height - h + 1)));
      const int left = static_cast<int>(uniform_index(rng, static_cast<uint64_t>(width - w + 1)));
      return {top, left, h, w};
    }
  }
  const double in_ratio = static_cast<double>(width) / height;
  int w = width;
  int h = height;
  if (in_ratio < min_ratio) {
    h = round_half_even(w / min_ratio);
  } else if (in_ratio > max_ratio) {
    w = round_half_even(h * max_ratio);
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

cv::Mat random_resized_crop(const cv::Mat& image, int size, std::mt19937_64& rng) {
  check_uint8(image, "random_resized_crop");
  check_size(size, "random_resized_crop");
  const auto box = random_resized_crop_box(image.rows, image.cols, rng);
  return resize_exact(image(cv::Rect(box.left, box.top, box.width, box.height)), size, size);
}

cv::Mat random_horizontal_flip(const cv::Mat& image, std::mt19937_64& rng) {
  check_uint8(image, "random_horizontal_flip");
  if (uniform01(rng) >= 0.5) return image.clone();
  cv::Mat out;
  cv::flip(image, out, 1);
  return out;
}

cv::Mat resize_shorter_side(const cv::Mat& image, int size) {
  check_uint8(image, "resize_shorter_side");
  check_size(size, "resize_shorter_side");
  const int shorter = std::min(image.rows, image.cols);
  const int longer = std::max(image.rows, image.cols);
  const int new_longer = static_cast<int>(static_cast<int64_t>(size) * longer / shorter);
  return image.cols <= image.rows ? resize_exact(image, size, new_longer)
                                  : resize_exact(image, new_longer, size);
}

cv::Mat center_crop(const cv::Mat& image, int size) {
  check_uint8(image, "center_crop");
  check_size(size, "center_crop");
  cv::Mat source = image;
  if (image.rows < size || image.cols < size) {
    const int pad_x = std::max(0, size - image.cols);
    const int pad_y = std::max(0, size - image.rows);
    cv::copyMakeBorder(image, source, pad_y / 2, (pad_y + 1) / 2, pad_x / 2, (pad_x + 1) / 2,
                       cv::BORDER_CONSTANT, cv::Scalar::all(0));
  }
  const int top = round_half_even((source.rows - size) / 2.0);
  const int left = round_half_even((source.cols - size) / 2.0);
  return source(cv::Rect(left, top, size, size)).clone();
}

cv::Mat random_crop(const cv::Mat& image, int size, int padding, std::mt19937_64& rng) {
  check_uint8(image, "random_crop");
  check_size(size, "random_crop");
  if (padding < 0) throw Error("random_crop: padding must be >= 0, got " + std::to_string(padding));
  cv::Mat padded = image;
  if (padding > 0) {
    cv::copyMakeBorder(image, padded, padding, padding, padding, padding, cv::BORDER_CONSTANT,
                       cv::Scalar::all(0));
  }
  if (padded.rows < size || padded.cols < size) {
    throw Error("random_crop: a " + std::to_string(size) + " px window does not fit a " +
                std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                " image padded by " + std::to_string(padding));
  }
  if (padded.rows == size && padded.cols == size) return padded.clone();
  const int top = static_cast<int>(uniform_index(rng, static_cast<uint64_t>(padded.rows - size + 1)));
  const int left = static_cast<int>(uniform_index(rng, static_cast<uint64_t>(padded.cols - size + 1)));
  return padded(cv::Rect(left, top, size, size)).clone();
}

cv::Mat grayscale_to_rgb(const cv::Mat& image) {
  check_uint8(image, "grayscale_to_rgb");
  if (image.channels() == 3) return image;
  cv::Mat out;
  cv::cvtColor(image, out, cv::COLOR_GRAY2RGB);
  return out;
}

void write_normalized(const cv::Mat& rgb, const Normalization& normalization, float* chw) {
  if (rgb.empty() || rgb.type() != CV_8UC3) {
    throw Error("to_tensor needs a non-empty CV_8UC3 RGB image");
  }
  // A table per channel computes the normalisation once per value instead of once per pixel.
  std::array<std::array<float, 256>, 3> table{};
  for (int c = 0; c < 3; ++c) {
    for (int v = 0; v < 256; ++v) {
      table[c][v] = (static_cast<float>(v) / 255.0f - normalization.mean[c]) / normalization.std[c];
    }
  }
  const size_t plane = static_cast<size_t>(rgb.rows) * rgb.cols;
  for (int y = 0; y < rgb.rows; ++y) {
    const uint8_t* row = rgb.ptr<uint8_t>(y);
    const size_t offset = static_cast<size_t>(y) * rgb.cols;
    for (int x = 0; x < rgb.cols; ++x) {
      for (int c = 0; c < 3; ++c) chw[c * plane + offset + x] = table[c][row[3 * x + c]];
    }
  }
}

torch::Tensor to_tensor(const cv::Mat& rgb, const Normalization& normalization) {
  auto tensor = torch::empty({3, rgb.rows, rgb.cols}, torch::kFloat32);
  write_normalized(rgb, normalization, tensor.data_ptr<float>());
  return tensor;
}

}  // namespace advbn::data
