#pragma once
// Writing the images the autoencoder commands make: RGB images, and output folders that mirror
// an input class folder with lossless PNG files.
#include <opencv2/core.hpp>

#include <filesystem>
#include <string>

namespace advbn {

// out/<file's path relative to in, extension .png>.
std::filesystem::path png_in_mirror(const std::string& in, const std::string& file, const std::string& out);

// Writes a CV_8UC3 RGB image (OpenCV's writers take BGR), creating parent folders; throws
// advbn::Error naming the file on failure.
void write_rgb_image(const std::filesystem::path& path, const cv::Mat& rgb);

}  // namespace advbn
