#include <advbn/data/image_ops.h>
#include <advbn/error.h>

#include <opencv2/core.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace advbn::data {

namespace {

using Lut = std::array<uint8_t, 256>;

void check_image(const cv::Mat& image, const char* operation) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw Error(std::string(operation) + " needs a non-empty CV_8UC1 or CV_8UC3 image");
  }
}

// One look-up table per channel (a single table is used for every channel when only one is given).
cv::Mat apply_luts(const cv::Mat& image, const std::vector<Lut>& luts) {
  cv::Mat out(image.size(), image.type());
  const int channels = image.channels();
  for (int y = 0; y < image.rows; ++y) {
    const uint8_t* in = image.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int i = 0; i < image.cols * channels; ++i) {
      o[i] = luts[luts.size() == 1 ? 0 : i % channels][in[i]];
    }
  }
  return out;
}

// PIL's Image.blend(degenerate, image, factor): single-precision interpolation or extrapolation,
// clipped to [0, 255] and truncated.
cv::Mat blend(const cv::Mat& degenerate, const cv::Mat& image, double factor) {
  const float alpha = static_cast<float>(factor);
  cv::Mat out(image.size(), image.type());
  const int width = image.cols * image.channels();
  for (int y = 0; y < image.rows; ++y) {
    const uint8_t* a = degenerate.ptr<uint8_t>(y);
    const uint8_t* b = image.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int i = 0; i < width; ++i) {
      const float value = static_cast<float>(a[i]) + alpha * static_cast<float>(int{b[i]} - int{a[i]});
      o[i] = value <= 0.0f ? 0 : value >= 255.0f ? 255 : static_cast<uint8_t>(value);
    }
  }
  return out;
}

// PIL's convert("L"): ITU-R 601-2 luma in 16-bit fixed point, rounded.
cv::Mat luma(const cv::Mat& image) {
  if (image.channels() == 1) return image;
  cv::Mat out(image.size(), CV_8UC1);
  for (int y = 0; y < image.rows; ++y) {
    const uint8_t* in = image.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < image.cols; ++x) {
      const uint32_t r = in[3 * x], g = in[3 * x + 1], b = in[3 * x + 2];
      o[x] = static_cast<uint8_t>((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
    }
  }
  return out;
}

cv::Mat with_channels(const cv::Mat& gray, int channels) {
  if (channels == 1) return gray;
  cv::Mat out;
  cv::merge(std::vector<cv::Mat>{gray, gray, gray}, out);
  return out;
}

// Nearest-neighbour sampling through the inverse affine map `m` (output → input, in pixel-corner
// coordinates) evaluated at output pixel centres, with PIL's 16.16 fixed-point arithmetic so that
// positions falling exactly between pixels resolve as PIL resolves them.
cv::Mat affine_nearest(const cv::Mat& image, const std::array<double, 6>& m) {
  const auto fix = [](double v) { return static_cast<int64_t>(std::floor(v * 65536.0 + 0.5)); };
  const int64_t a0 = fix(m[0]), a1 = fix(m[1]), a3 = fix(m[3]), a4 = fix(m[4]);
  const int64_t a2 = fix(m[2] + m[0] * 0.5 + m[1] * 0.5);
  const int64_t a5 = fix(m[5] + m[3] * 0.5 + m[4] * 0.5);
  const int channels = image.channels();
  cv::Mat out = cv::Mat::zeros(image.size(), image.type());
  for (int y = 0; y < out.rows; ++y) {
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < out.cols; ++x) {
      // Arithmetic shift: floor division by 2^16, also for negative positions.
      const int64_t xin = (a2 + a1 * y + a0 * x) >> 16;
      const int64_t yin = (a5 + a4 * y + a3 * x) >> 16;
      if (xin < 0 || xin >= image.cols || yin < 0 || yin >= image.rows) continue;
      const uint8_t* in = image.ptr<uint8_t>(static_cast<int>(yin)) + xin * channels;
      std::copy(in, in + channels, o + x * channels);
    }
  }
  return out;
}

}  // namespace

cv::Mat shear_x(const cv::Mat& image, double factor) {
  check_image(image, "shear_x");
  return affine_nearest(image, {1.0, factor, 0.0, 0.0, 1.0, 0.0});
}

cv::Mat shear_y(const cv::Mat& image, double factor) {
  check_image(image, "shear_y");
  return affine_nearest(image, {1.0, 0.0, 0.0, factor, 1.0, 0.0});
}

cv::Mat translate_x(const cv::Mat& image, int pixels) {
  check_image(image, "translate_x");
  return affine_nearest(image, {1.0, 0.0, -static_cast<double>(pixels), 0.0, 1.0, 0.0});
}

cv::Mat translate_y(const cv::Mat& image, int pixels) {
  check_image(image, "translate_y");
  return affine_nearest(image, {1.0, 0.0, 0.0, 0.0, 1.0, -static_cast<double>(pixels)});
}

cv::Mat rotate(const cv::Mat& image, double degrees) {
  check_image(image, "rotate");
  // PIL rounds the matrix to 15 decimals, which turns cos(90°) into an exact 0.
  const auto round15 = [](double v) { return std::round(v * 1e15) / 1e15; };
  // PIL first reduces the angle to [0, 360), which also fixes the rounding of cos and sin.
  double reduced = std::fmod(degrees, 360.0);
  if (reduced < 0) reduced += 360.0;
  const double radians = -reduced * M_PI / 180.0;
  const double c = round15(std::cos(radians));
  const double s = round15(std::sin(radians));
  const double center_x = image.cols / 2.0;
  const double center_y = image.rows / 2.0;
  return affine_nearest(image, {c, s, c * -center_x + s * -center_y + center_x,
                                -s, c, -s * -center_x + c * -center_y + center_y});
}

cv::Mat adjust_brightness(const cv::Mat& image, double factor) {
  check_image(image, "adjust_brightness");
  return blend(cv::Mat::zeros(image.size(), image.type()), image, factor);
}

cv::Mat adjust_color(const cv::Mat& image, double factor) {
  check_image(image, "adjust_color");
  return blend(with_channels(luma(image), image.channels()), image, factor);
}

cv::Mat adjust_contrast(const cv::Mat& image, double factor) {
  check_image(image, "adjust_contrast");
  const double mean = cv::mean(luma(image))[0];
  const auto level = static_cast<int>(mean + 0.5);
  return blend(cv::Mat(image.size(), image.type(), cv::Scalar::all(level)), image, factor);
}

cv::Mat adjust_sharpness(const cv::Mat& image, double factor) {
  check_image(image, "adjust_sharpness");
  cv::Mat smooth = image.clone();
  const int channels = image.channels();
  for (int y = 1; y + 1 < image.rows; ++y) {
    uint8_t* o = smooth.ptr<uint8_t>(y);
    for (int x = 1; x + 1 < image.cols; ++x) {
      for (int c = 0; c < channels; ++c) {
        int sum = 0;
        for (int dy = -1; dy <= 1; ++dy) {
          const uint8_t* row = image.ptr<uint8_t>(y + dy);
          for (int dx = -1; dx <= 1; ++dx) sum += row[(x + dx) * channels + c];
        }
        sum += 4 * image.ptr<uint8_t>(y)[x * channels + c];  // centre weight 5
        o[x * channels + c] = static_cast<uint8_t>((2 * sum + 13) / 26);  // round(sum / 13)
      }
    }
  }
  return blend(smooth, image, factor);
}

cv::Mat posterize(const cv::Mat& image, int bits) {
  check_image(image, "posterize");
  if (bits < 1 || bits > 8) throw Error("posterize: bits must lie in 1..8, got " + std::to_string(bits));
  const auto mask = static_cast<uint8_t>(~((1u << (8 - bits)) - 1));
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = static_cast<uint8_t>(v & mask);
  return apply_luts(image, {lut});
}

cv::Mat solarize(const cv::Mat& image, double threshold) {
  check_image(image, "solarize");
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = static_cast<uint8_t>(v >= threshold ? 255 - v : v);
  return apply_luts(image, {lut});
}

cv::Mat invert(const cv::Mat& image) {
  check_image(image, "invert");
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = static_cast<uint8_t>(255 - v);
  return apply_luts(image, {lut});
}

namespace {

std::vector<std::array<uint64_t, 256>> histograms(const cv::Mat& image) {
  const int channels = image.channels();
  std::vector<std::array<uint64_t, 256>> hist(channels, std::array<uint64_t, 256>{});
  for (int y = 0; y < image.rows; ++y) {
    const uint8_t* in = image.ptr<uint8_t>(y);
    for (int i = 0; i < image.cols * channels; ++i) ++hist[i % channels][in[i]];
  }
  return hist;
}

Lut identity_lut() {
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = static_cast<uint8_t>(v);
  return lut;
}

}  // namespace

cv::Mat autocontrast(const cv::Mat& image) {
  check_image(image, "autocontrast");
  std::vector<Lut> luts;
  for (const auto& h : histograms(image)) {
    int low = 0, high = 255;
    while (low < 256 && h[low] == 0) ++low;
    while (high >= 0 && h[high] == 0) --high;
    if (high <= low) {
      luts.push_back(identity_lut());
      continue;
    }
    const double scale = 255.0 / (high - low);
    const double offset = -low * scale;
    Lut lut;
    for (int v = 0; v < 256; ++v) {
      const auto mapped = static_cast<int>(v * scale + offset);  // truncation, as int() does
      lut[v] = static_cast<uint8_t>(std::clamp(mapped, 0, 255));
    }
    luts.push_back(lut);
  }
  return apply_luts(image, luts);
}

cv::Mat equalize(const cv::Mat& image) {
  check_image(image, "equalize");
  std::vector<Lut> luts;
  for (const auto& h : histograms(image)) {
    uint64_t total = 0, last = 0;
    int occupied = 0;
    for (int v = 0; v < 256; ++v) {
      if (h[v] == 0) continue;
      total += h[v];
      last = h[v];
      ++occupied;
    }
    const uint64_t step = (total - last) / 255;
    if (occupied <= 1 || step == 0) {
      luts.push_back(identity_lut());
      continue;
    }
    Lut lut;
    uint64_t running = step / 2;
    for (int v = 0; v < 256; ++v) {
      lut[v] = static_cast<uint8_t>(std::min<uint64_t>(running / step, 255));
      running += h[v];
    }
    luts.push_back(lut);
  }
  return apply_luts(image, luts);
}

}  // namespace advbn::data
