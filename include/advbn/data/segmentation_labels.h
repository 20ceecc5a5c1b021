#pragma once
// The label tables of the segmentation data sets (paper §5.5): the id a data set stores for each
// pixel → the train id networks predict (0 … classes−1), or kIgnoreLabel for pixels no class
// scores. Cityscapes and GTA5 store Cityscapes label ids (0 … 33) and share the 19 Cityscapes
// train classes; SYNTHIA-RAND-CITYSCAPES stores its own ids and shares 16 of the 19 classes.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace advbn::data {

// The label of pixels that no class scores (as the Cityscapes tools write it).
inline constexpr uint8_t kIgnoreLabel = 255;

struct LabelTable {
  std::string name;                // "Cityscapes", for messages
  std::vector<uint8_t> train_ids;  // indexed by stored id; kIgnoreLabel: ignored
  std::vector<std::string> classes;  // the train classes, by train id
};

// Cityscapes label ids (cityscapesScripts' labels.py) → the 19 train ids; GTA5 uses it too.
const LabelTable& cityscapes_labels();
// SYNTHIA-RAND-CITYSCAPES ids → Cityscapes train ids of its 16 classes (terrain, truck and train
// never occur); the 19 Cityscapes classes, so networks and scores line up with Cityscapes'.
const LabelTable& synthia_labels();

// `stored` (CV_8UC1 or CV_16UC1 ids) through `table`: CV_8UC1 train ids. Throws advbn::Error
// naming `file` and the id for an id the table does not have.
cv::Mat map_labels(const cv::Mat& stored, const LabelTable& table, const std::string& file);

// Checks that every label of a CV_8UC1 train-id map is below `classes` or kIgnoreLabel; throws
// advbn::Error naming `file` and the id otherwise.
void check_train_ids(const cv::Mat& labels, int64_t classes, const std::string& file);

}  // namespace advbn::data
