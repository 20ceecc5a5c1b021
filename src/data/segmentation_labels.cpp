#include "advbn/data/segmentation_labels.h"

#include <algorithm>

#include "advbn/error.h"

namespace advbn::data {

namespace {

constexpr uint8_t X = kIgnoreLabel;

const std::vector<std::string>& cityscapes_classes() {
  static const std::vector<std::string> names{
      "road",   "sidewalk",   "building", "wall",  "fence", "pole",  "traffic light",
      "traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car",
      "truck",  "bus",        "train",    "motorcycle", "bicycle"};
  return names;
}

}  // namespace

const LabelTable& cityscapes_labels() {
  // Ids 0–6 (unlabeled, ego vehicle, rectification border, out of roi, static, dynamic, ground),
  // 9 parking, 10 rail track, 14 guard rail, 15 bridge, 16 tunnel, 18 polegroup, 29 caravan and
  // 30 trailer have no train id.
  static const LabelTable table{"Cityscapes",
                                {X, X, X, X, X, X, X, 0, 1, X, X, 2,  3,  4,  X,  X,  X,
                                 5, X, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, X, X, 16, 17, 18},
                                cityscapes_classes()};
  return table;
}

const LabelTable& synthia_labels() {
  static const LabelTable table = [] {
    LabelTable t{"SYNTHIA", std::vector<uint8_t>(23, X), cityscapes_classes()};
    // SYNTHIA id → Cityscapes train id, as the public conversions map them (DAFormer, FDA, DACS);
    // 0 void, 13 parking-slot, 14 road-work and 22 lanemarking have none. Terrain (16), truck (18)
    // and train (20) are in the published map though SYNTHIA-RAND-CITYSCAPES never uses them.
    const std::pair<int, uint8_t> shared[] = {{3, 0},  {4, 1},   {2, 2},   {21, 3},  {5, 4},   {7, 5},
                                              {15, 6}, {9, 7},   {6, 8},   {16, 9},  {1, 10},  {10, 11},
                                              {17, 12}, {8, 13}, {18, 14}, {19, 15}, {20, 16}, {12, 17},
                                              {11, 18}};
    for (const auto& [id, train_id] : shared) t.train_ids[id] = train_id;
    return t;
  }();
  return table;
}

cv::Mat map_labels(const cv::Mat& stored, const LabelTable& table, const std::string& file) {
  if (stored.channels() != 1 || (stored.depth() != CV_8U && stored.depth() != CV_16U)) {
    throw Error(file + ": a label map must have one 8- or 16-bit channel");
  }
  cv::Mat ids;
  stored.convertTo(ids, CV_32S);
  cv::Mat out(stored.size(), CV_8UC1);
  for (int r = 0; r < ids.rows; ++r) {
    const int32_t* in = ids.ptr<int32_t>(r);
    uint8_t* mapped = out.ptr<uint8_t>(r);
    for (int c = 0; c < ids.cols; ++c) {
      if (static_cast<size_t>(in[c]) >= table.train_ids.size()) {
        throw Error(file + ": label id " + std::to_string(in[c]) + " at (" + std::to_string(c) + ", " +
                    std::to_string(r) + ") is not in the " + table.name + " table (ids 0–" +
                    std::to_string(table.train_ids.size() - 1) + ")");
      }
      mapped[c] = table.train_ids[static_cast<size_t>(in[c])];
    }
  }
  return out;
}

void check_train_ids(const cv::Mat& labels, int64_t classes, const std::string& file) {
  for (int r = 0; r < labels.rows; ++r) {
    const uint8_t* row = labels.ptr<uint8_t>(r);
    const auto bad = std::find_if(row, row + labels.cols, [&](uint8_t id) { return id >= classes && id != kIgnoreLabel; });
    if (bad != row + labels.cols) {
      throw Error(file + ": label " + std::to_string(*bad) + " at (" + std::to_string(bad - row) + ", " +
                  std::to_string(r) + ") is neither a class (0–" + std::to_string(classes - 1) + ") nor " +
                  std::to_string(kIgnoreLabel) + " (ignored)");
    }
  }
}

}  // namespace advbn::data
