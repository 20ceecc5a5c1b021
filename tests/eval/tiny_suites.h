#pragma once
// Tiny benchmark trees on disk: a few small PNGs per class folder, so suites run in milliseconds.
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace advbn::test {

// <folder>/<class>/<i>.png for every class, `images` random size × size colour images each.
inline void write_class_folder(const std::filesystem::path& folder,
                               const std::vector<std::string>& classes, int images = 1,
                               int size = 16) {
  for (const auto& name : classes) {
    std::filesystem::create_directories(folder / name);
    for (int i = 0; i < images; ++i) {
      cv::Mat image(size, size, CV_8UC3);
      cv::randu(image, 0, 256);
      const auto path = folder / name / (std::to_string(i) + ".png");
      if (!cv::imwrite(path.string(), image))
        throw std::runtime_error("cannot write " + path.string());
    }
  }
}

// <root>/<corruption>/<severity>/<class>/<i>.png: the ImageNet-C layout.
inline void write_imagenet_c_tree(const std::filesystem::path& root,
                                  const std::vector<std::string>& corruptions,
                                  const std::vector<int>& severities,
                                  const std::vector<std::string>& classes = {"a", "b"}) {
  for (const auto& corruption : corruptions) {
    for (const int severity : severities) {
      write_class_folder(root / corruption / std::to_string(severity), classes);
    }
  }
}

}  // namespace advbn::test
