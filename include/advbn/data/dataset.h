#pragma once
// The interface every dataset implements: indexed, immutable samples that any number of loader
// threads may read at once. Datasets are shared as std::shared_ptr<const Dataset> so wrappers
// (subsets, validation splits) can keep their base alive without copying it.
#include <opencv2/core.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace advbn::data {

enum class Split { Train, Test };

// "train" or "test", for messages and descriptions.
inline const char* split_name(Split split) { return split == Split::Train ? "train" : "test"; }

struct Sample {
  cv::Mat image;  // CV_8UC1, or CV_8UC3 in RGB order; owned by the caller, free to modify
  int64_t label;  // 0 <= label < num_classes(); 0 for segmentation samples
  // Segmentation: the class of every pixel (CV_8UC1 train ids, the image's size; 255: ignored).
  // Empty for classification.
  cv::Mat label_map = {};
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual size_t size() const = 0;
  // Thread-safe. Throws advbn::Error for an index out of range or an image that cannot be read.
  virtual Sample get(size_t index) const = 0;
  virtual int64_t num_classes() const = 0;
  // One line for logs, e.g. "fashion-mnist train (60000 images, 10 classes)".
  virtual std::string description() const = 0;
  // Problems found while opening that did not stop it (e.g. files skipped in an image folder),
  // one line each, for the caller to show; the library itself never prints.
  virtual std::vector<std::string> warnings() const { return {}; }
};

using DatasetPtr = std::shared_ptr<const Dataset>;

}  // namespace advbn::data
