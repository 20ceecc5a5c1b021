#include "advbn/data/segmentation_folder.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <functional>
#include <filesystem>
#include <fstream>
#include <optional>

#include "advbn/data/image_folder.h"
#include "advbn/data/label_image.h"
#include "advbn/data/segmentation_labels.h"
#include "advbn/error.h"

namespace advbn::data {

namespace fs = std::filesystem;

namespace {

using Pair = SegmentationFolder::Pair;

// How one layout names an image's label file, relative to the labels folder.
using LabelName = std::function<std::string(const fs::path& image_relative)>;

// The image files below `images` (recursively, sorted), each paired with its label file below
// `labels`. Throws naming the first image whose label file is missing.
std::vector<Pair> pair_files(const fs::path& images, const fs::path& labels, const LabelName& label_name) {
  std::vector<fs::path> found;
  for (auto it = fs::recursive_directory_iterator(images, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_directory() && has_image_extension(it->path().filename().string())) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  std::vector<Pair> pairs;
  for (const auto& image : found) {
    const fs::path label = labels / label_name(image.lexically_relative(images));
    if (!fs::exists(label)) {
      throw Error("no label file " + label.string() + " for image " + image.string());
    }
    pairs.push_back({image.string(), label.string()});
  }
  if (pairs.empty()) throw Error("segmentation folder '" + images.string() + "' has no images");
  return pairs;
}

std::string replace_suffix(const fs::path& relative, const std::string& suffix, const std::string& replacement) {
  std::string name = relative.generic_string();
  if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    name.replace(name.size() - suffix.size(), suffix.size(), replacement);
  }
  return name;
}

std::vector<std::string> read_class_names(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  if (names.empty() || names.size() >= kIgnoreLabel) {
    throw Error(file.string() + ": expected 1–" + std::to_string(kIgnoreLabel - 1) + " class names, one per line");
  }
  return names;
}

}  // namespace

SegmentationFolder::SegmentationFolder(std::string description, std::vector<Pair> pairs,
                                       std::optional<LabelTable> table, std::vector<std::string> classes,
                                       const shift::ImageLimits& limits)
    : description_(std::move(description)),
      pairs_(std::move(pairs)),
      table_(std::move(table)),
      classes_(std::move(classes)),
      limits_(limits) {}

std::string SegmentationFolder::description() const {
  return description_ + " (" + std::to_string(pairs_.size()) + " images, " + std::to_string(classes_.size()) +
         " classes)";
}

Sample SegmentationFolder::get(size_t index) const {
  if (index >= pairs_.size()) throw Error("index " + std::to_string(index) + " is out of range for " + description());
  const auto& [image_file, label_file] = pairs_[index];
  cv::Mat rgb;
  cv::cvtColor(shift::decode_image_file(image_file, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION, limits_), rgb,
               cv::COLOR_BGR2RGB);
  const cv::Mat stored = read_label_image(label_file, limits_);
  if (stored.size() != rgb.size()) {
    throw Error(label_file + " is " + std::to_string(stored.cols) + "x" + std::to_string(stored.rows) +
                " but its image " + image_file + " is " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows));
  }
  if (table_) return {rgb, 0, map_labels(stored, *table_, label_file)};
  if (stored.depth() != CV_8U) throw Error(label_file + ": train-id labels must be 8-bit");
  check_train_ids(stored, num_classes(), label_file);
  return {rgb, 0, stored};
}

std::shared_ptr<const SegmentationFolder> open_segmentation_folder(const std::string& root_text, Split split, const shift::ImageLimits& limits) {
  const fs::path root(root_text);
  if (!fs::is_directory(root)) throw Error("segmentation folder '" + root_text + "' does not exist");
  const auto same_name = [](const fs::path& relative) { return relative.generic_string(); };
  try {
    if (fs::is_directory(root / "leftImg8bit") && fs::is_directory(root / "gtFine")) {
      const std::string part = split == Split::Train ? "train" : "val";
      const auto& table = cityscapes_labels();
      return std::make_shared<SegmentationFolder>(
          "Cityscapes " + part + " '" + root_text + "'",
          pair_files(root / "leftImg8bit" / part, root / "gtFine" / part,
                     [](const fs::path& relative) {
                       return replace_suffix(relative, "_leftImg8bit.png", "_gtFine_labelIds.png");
                     }),
          table, table.classes, limits);
    }
    if (fs::is_directory(root / "RGB") && fs::is_directory(root / "GT" / "LABELS")) {
      const auto& table = synthia_labels();
      return std::make_shared<SegmentationFolder>("SYNTHIA '" + root_text + "'",
                                                  pair_files(root / "RGB", root / "GT" / "LABELS", same_name), table,
                                                  table.classes, limits);
    }
    if (fs::is_directory(root / "images") && fs::is_directory(root / "labels")) {
      auto pairs = pair_files(root / "images", root / "labels", same_name);
      if (fs::exists(root / "classes.txt")) {
        return std::make_shared<SegmentationFolder>("segmentation folder '" + root_text + "'", std::move(pairs),
                                                    std::nullopt, read_class_names(root / "classes.txt"), limits);
      }
      const auto& table = cityscapes_labels();
      return std::make_shared<SegmentationFolder>("GTA5 '" + root_text + "'", std::move(pairs), table,
                                                  table.classes, limits);
    }
  } catch (const fs::filesystem_error& e) {
    throw Error("cannot list segmentation folder '" + root_text + "': " + e.what());
  }
  throw Error("'" + root_text +
              "' is not a segmentation folder: expected leftImg8bit/ + gtFine/ (Cityscapes), RGB/ + GT/LABELS/ "
              "(SYNTHIA), or images/ + labels/ (GTA5; with classes.txt, labels are train ids)");
}

}  // namespace advbn::data
