#include "advbn/data/label_image.h"

#include <opencv2/imgcodecs.hpp>

#include <array>
#include <cstring>
#include <fstream>
#include <optional>
#include <unordered_map>
#include <vector>

#include "advbn/error.h"

namespace advbn::data {

namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr int kPaletteColourType = 3;

uint32_t big_endian_u32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// The palette of a palette PNG as packed RGB (r << 16 | g << 8 | b) by index; std::nullopt for
// any other file. Reads the chunks before the image data only.
std::optional<std::vector<uint32_t>> png_palette(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[8 + 8 + 13];
  if (!in.read(reinterpret_cast<char*>(header), sizeof header) ||
      std::memcmp(header, kPngSignature, sizeof kPngSignature) != 0 || std::memcmp(header + 12, "IHDR", 4) != 0 ||
      header[8 + 8 + 9] != kPaletteColourType) {
    return std::nullopt;
  }
  in.ignore(4);  // IHDR's CRC
  unsigned char chunk[8];
  while (in.read(reinterpret_cast<char*>(chunk), sizeof chunk)) {
    const uint32_t length = big_endian_u32(chunk);
    if (std::memcmp(chunk + 4, "IDAT", 4) == 0) break;
    if (std::memcmp(chunk + 4, "PLTE", 4) == 0 && length % 3 == 0 && length <= 256 * 3) {
      std::vector<unsigned char> rgb(length);
      if (!in.read(reinterpret_cast<char*>(rgb.data()), length)) break;
      std::vector<uint32_t> palette;
      for (size_t i = 0; i < length; i += 3) {
        palette.push_back((uint32_t{rgb[i]} << 16) | (uint32_t{rgb[i + 1]} << 8) | rgb[i + 2]);
      }
      return palette;
    }
    in.ignore(static_cast<std::streamsize>(length) + 4);
  }
  throw Error(path + ": a palette PNG without a readable palette");
}

cv::Mat palette_indices(const cv::Mat& bgr, const std::vector<uint32_t>& palette, const std::string& path) {
  std::unordered_map<uint32_t, uint8_t> index_of;
  for (size_t i = palette.size(); i-- > 0;) index_of[palette[i]] = static_cast<uint8_t>(i);  // first index wins
  cv::Mat ids(bgr.size(), CV_8UC1);
  for (int r = 0; r < bgr.rows; ++r) {
    const auto* pixel = bgr.ptr<cv::Vec3b>(r);
    for (int c = 0; c < bgr.cols; ++c) {
      const uint32_t rgb = (uint32_t{pixel[c][2]} << 16) | (uint32_t{pixel[c][1]} << 8) | pixel[c][0];
      const auto found = index_of.find(rgb);
      if (found == index_of.end()) throw Error(path + ": a pixel colour that the palette lacks");
      ids.at<uint8_t>(r, c) = found->second;
    }
  }
  return ids;
}

}  // namespace

cv::Mat read_label_image(const std::string& path, const shift::ImageLimits& limits) {
  if (const auto palette = png_palette(path)) {
    return palette_indices(shift::decode_image_file(path, cv::IMREAD_COLOR, limits), *palette, path);
  }
  const cv::Mat stored = shift::decode_image_file(path, cv::IMREAD_UNCHANGED, limits);
  if (stored.depth() != CV_8U && stored.depth() != CV_16U) {
    throw Error(path + ": label images must have 8- or 16-bit channels");
  }
  if (stored.channels() == 1) return stored;
  // OpenCV orders channels BGR(A): the file's first channel is the third.
  cv::Mat first;
  cv::extractChannel(stored, first, stored.channels() >= 3 ? 2 : 0);
  return first;
}

}  // namespace advbn::data
