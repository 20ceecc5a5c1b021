#include <advbn/data/normalization.h>
#include <advbn/data/random.h>
#include <advbn/error.h>

#include <algorithm>
#include <cmath>

namespace advbn::data {

Normalization imagenet_normalization() {
  return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
}

Normalization estimate_normalization(const Dataset& dataset, size_t max_images, uint64_t seed) {
  if (dataset.size() == 0) throw Error("cannot estimate normalisation of empty " + dataset.description());
  if (max_images == 0) throw Error("estimate_normalization needs max_images >= 1");
  auto order = random_permutation(dataset.size(), seed);
  order.resize(std::min(order.size(), max_images));

  // Sums of values and squares per channel, exact in integers for any realistic sample.
  std::array<uint64_t, 3> sum{}, sum_squares{};
  uint64_t pixels = 0;
  for (const size_t index : order) {
    const cv::Mat image = dataset.get(index).image;
    const int channels = image.channels();
    for (int y = 0; y < image.rows; ++y) {
      const uint8_t* row = image.ptr<uint8_t>(y);
      for (int x = 0; x < image.cols; ++x) {
        for (int c = 0; c < 3; ++c) {
          const uint64_t value = row[x * channels + (channels == 1 ? 0 : c)];
          sum[c] += value;
          sum_squares[c] += value * value;
        }
      }
    }
    pixels += static_cast<uint64_t>(image.rows) * image.cols;
  }
  Normalization result{};
  for (int c = 0; c < 3; ++c) {
    const double mean = static_cast<double>(sum[c]) / pixels;
    const double variance = std::max(0.0, static_cast<double>(sum_squares[c]) / pixels - mean * mean);
    if (variance == 0.0) {
      throw Error("channel " + std::to_string(c) + " of " + dataset.description() +
                  " is constant in the sampled images; it cannot be normalised");
    }
    result.mean[c] = static_cast<float>(mean / 255.0);
    result.std[c] = static_cast<float>(std::sqrt(variance) / 255.0);
  }
  return result;
}

}  // namespace advbn::data
