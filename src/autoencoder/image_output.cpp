#include "advbn/autoencoder/image_output.h"

#include <opencv2/imgproc.hpp>

#include "advbn/shift/folder_suite.h"

namespace advbn {

namespace fs = std::filesystem;

fs::path png_in_mirror(const std::string& in, const std::string& file, const std::string& out) {
  return fs::path(out) / fs::relative(file, in).replace_extension(".png");
}

void write_rgb_image(const fs::path& path, const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  shift::write_image(path, bgr);
}

}  // namespace advbn
