#include "advbn/autoencoder/style_images.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>

#include "advbn/data/transforms.h"
#include "advbn/error.h"
#include "advbn/shift/folder_suite.h"

namespace advbn {

std::vector<StyleImage> load_style_images(const std::string& folder, int size) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(folder)) throw Error("style folder " + folder + " does not exist or is not a folder");
  std::vector<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(folder, fs::directory_options::follow_directory_symlink)) {
    if (entry.is_regular_file() && shift::has_image_extension(entry.path())) paths.push_back(entry.path().string());
  }
  if (paths.empty()) {
    throw Error("no style images in " + folder + " (looked for bmp, jpeg, jpg, pbm, pgm, png, ppm, tif, tiff, webp files)");
  }
  std::sort(paths.begin(), paths.end());
  std::vector<StyleImage> styles;
  for (const auto& path : paths) {
    cv::Mat image = shift::read_image(path);
    if (image.channels() == 3) cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    styles.push_back({path, data::center_crop(data::resize_shorter_side(data::grayscale_to_rgb(image), size), size)});
  }
  return styles;
}

}  // namespace advbn
