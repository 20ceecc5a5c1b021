#pragma once
// Segmentation data sets on disk, told apart by their folders:
//  - Cityscapes: ROOT/leftImg8bit/<split>/<city>/X_leftImg8bit.png with
//    ROOT/gtFine/<split>/<city>/X_gtFine_labelIds.png; Split::Train reads "train", Split::Test "val".
//  - SYNTHIA-RAND-CITYSCAPES: ROOT/RGB/X.png with ROOT/GT/LABELS/X.png (16-bit, its own ids).
//  - GTA5: ROOT/images/X.png with ROOT/labels/X.png (Cityscapes ids).
//  - Train-id folders: the GTA5 layout plus ROOT/classes.txt (one class name per line); labels
//    are train ids already (255: ignored). advbn's embedded scenes are written so.
// The last three have no splits: the folder is the data set. Images and labels are paired by
// name; every sample carries its label map as train ids (Sample::label_map).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "advbn/data/dataset.h"
#include "advbn/data/segmentation_labels.h"
#include "advbn/shift/image_file.h"

namespace advbn::data {

class SegmentationFolder final : public Dataset {
 public:
  struct Pair {
    std::string image, label;
  };
  // `table`: the stored ids' table; none for labels that are train ids of `classes` already.
  SegmentationFolder(std::string description, std::vector<Pair> pairs, std::optional<LabelTable> table,
                     std::vector<std::string> classes, const shift::ImageLimits& limits);

  size_t size() const override { return pairs_.size(); }
  int64_t num_classes() const override { return static_cast<int64_t>(classes_.size()); }
  std::string description() const override;
  // Throws advbn::Error naming the files when the label's size differs from the image's or it
  // holds an id outside the label table.
  Sample get(size_t index) const override;
  // The train classes' names, by train id.
  const std::vector<std::string>& classes() const { return classes_; }

 private:
  std::string description_;
  std::vector<Pair> pairs_;
  std::optional<LabelTable> table_;
  std::vector<std::string> classes_;
  shift::ImageLimits limits_;
};

// Throws advbn::Error for a folder in none of these layouts, an image without its label file
// (naming both), or a folder without images.
std::shared_ptr<const SegmentationFolder> open_segmentation_folder(const std::string& root, Split split, const shift::ImageLimits& limits = {});

}  // namespace advbn::data
