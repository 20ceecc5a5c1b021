// Image decoding as the image-folder dataset does it (OpenCV's codecs behind the dataset's error
// handling). The dataset is opened once on a valid image; each input then replaces that file's
// contents, since the dataset decodes from disk on every get().
#include <advbn/data/image_folder.h>
#include <advbn/error.h>

#include <opencv2/imgcodecs.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "scratch_dir.h"

namespace {

struct Fixture {
  advbn::fuzz::ScratchDir scratch;
  std::shared_ptr<const advbn::data::ImageFolderDataset> dataset;

  Fixture() {
    std::vector<uint8_t> png;
    if (!cv::imencode(".png", cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)), png)) std::abort();
    scratch.write("images/class/image.png", png.data(), png.size());
    dataset = advbn::data::open_image_folder((scratch.path() / "images").string());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  fixture.scratch.write("images/class/image.png", data, size);
  try {
    const auto sample = fixture.dataset->get(0);
    if (sample.image.empty() || sample.image.channels() != 3) __builtin_trap();
  } catch (const advbn::Error&) {
  }
  return 0;
}
