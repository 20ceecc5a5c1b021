#include "image_checks.h"

#include "advbn/error.h"

namespace advbn::shift::detail {

void check_image(const cv::Mat& img, const std::string& what) {
  if (img.empty()) {
    throw Error(what + ": the image is empty");
  }
  if (img.type() != CV_8UC1 && img.type() != CV_8UC3) {
    throw Error(what + ": unsupported image type " + cv::typeToString(img.type()) +
                "; valid types: CV_8UC1 (grayscale), CV_8UC3 (BGR)");
  }
  if (img.rows < kMinImageSide || img.cols < kMinImageSide) {
    throw Error(what + ": image of " + std::to_string(img.cols) + "x" + std::to_string(img.rows) +
                " px is too small; both sides must be at least " + std::to_string(kMinImageSide) +
                " px");
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) {
      out += ", ";
    }
    out += item;
  }
  return out;
}

}  // namespace advbn::shift::detail
