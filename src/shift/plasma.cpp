#include "plasma.h"

#include <algorithm>
#include <vector>

namespace advbn::shift::detail {

cv::Mat plasma_fractal(int rows, int cols, double decay, cv::RNG& rng) {
  int n = 1;
  while (n < std::max(rows, cols)) {
    n *= 2;
  }
  std::vector<double> map(static_cast<std::size_t>(n) * n, 0.0);
  const auto at = [&](int y, int x) -> double& {
    return map[static_cast<std::size_t>(y & (n - 1)) * n + (x & (n - 1))];  // wraps around
  };
  double wibble = 100.0;
  for (int step = n; step >= 2; step /= 2) {
    const int half = step / 2;
    const auto jitter = [&] { return wibble * rng.uniform(-wibble, wibble); };
    // Squares: each cell centre is the mean of its four corners plus noise.
    for (int y = 0; y < n; y += step) {
      for (int x = 0; x < n; x += step) {
        at(y + half, x + half) =
            (at(y, x) + at(y + step, x) + at(y, x + step) + at(y + step, x + step)) / 4.0 +
            jitter();
      }
    }
    // Diamonds: each edge midpoint is the mean of its two corners and two cell centres plus noise.
    for (int y = 0; y < n; y += step) {
      for (int x = 0; x < n; x += step) {
        at(y, x + half) = (at(y, x) + at(y, x + step) + at(y - half, x + half) +
                           at(y + half, x + half)) / 4.0 + jitter();
        at(y + half, x) = (at(y, x) + at(y + step, x) + at(y + half, x - half) +
                           at(y + half, x + half)) / 4.0 + jitter();
      }
    }
    wibble /= decay;
  }
  const auto [lo, hi] = std::minmax_element(map.begin(), map.end());
  const double low = *lo;
  const double range = std::max(*hi - *lo, 1e-12);
  cv::Mat out(rows, cols, CV_32F);
  for (int y = 0; y < rows; ++y) {
    float* dst = out.ptr<float>(y);
    for (int x = 0; x < cols; ++x) {
      dst[x] = static_cast<float>((at(y, x) - low) / range);
    }
  }
  return out;
}

}  // namespace advbn::shift::detail
