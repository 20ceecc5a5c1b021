#pragma once
// The style images of a stylisation: every image file under a folder (any depth, no class
// layout needed), e.g. paintings, or the textures of a desktop-backgrounds package.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace advbn {

struct StyleImage {
  std::string path;
  cv::Mat rgb;  // CV_8UC3, shorter side resized to the requested size, centre crop to a square
};

// Every readable image under `folder`, sorted by path (so a seed picks the same style on every
// machine), as size × size RGB squares. Throws advbn::Error when the folder does not exist or
// holds no image (naming it and the extensions looked for), and for a file that does not decode.
std::vector<StyleImage> load_style_images(const std::string& folder, int size);

}  // namespace advbn
