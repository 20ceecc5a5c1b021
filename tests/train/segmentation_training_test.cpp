// Segmentation end to end on scenes written by the demo's scene writer from a tiny learnable item
// set: training from scratch lowers the per-pixel loss and reports mIoU; AdvBN's attack on label
// maps raises the loss; fine-tuning with AdvBN trains both BN branches.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <sstream>

#include "advbn/data/loader.h"
#include "advbn/data/pipeline.h"
#include "advbn/data/segmentation_folder.h"
#include "advbn/demo/segmentation_scenes.h"
#include "advbn/models/weights.h"
#include "advbn/train/trainer.h"
#include "advbn/train/training_step.h"
#include "test_support.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;

// 28 × 28 grayscale items whose class is their shape: a square, a bar, a column or a cross.
class ShapeItems final : public data::Dataset {
 public:
  size_t size() const override { return 4; }
  int64_t num_classes() const override { return 4; }
  std::string description() const override { return "shapes"; }
  data::Sample get(size_t index) const override {
    cv::Mat item(28, 28, CV_8UC1, cv::Scalar(0));
    const auto fill = [&](int x, int y, int w, int h) { item(cv::Rect(x, y, w, h)).setTo(230); };
    if (index == 0) fill(6, 6, 16, 16);
    if (index == 1 || index == 3) fill(2, 10, 24, 8);
    if (index == 2 || index == 3) fill(10, 2, 8, 24);
    return {item, static_cast<int64_t>(index)};
  }
};

class SegmentationTraining : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = test::temp_dir("segmentation_training");
    demo::write_scene_folder(ShapeItems(), {"square", "bar", "column", "cross"}, 160,
                             {demo::SceneDomain::Flat, 40, 2, 5}, (root_ / "scenes").string());
  }

  static TrainConfig scratch_config() {
    TrainConfig c;
    c.task = Task::Segmentation;
    c.network = {"fcn_resnet18", 5, Stem::ImageNet, 0.25};
    c.data = (root_ / "scenes").string();
    c.out = (root_ / "scratch").string();
    c.from_scratch = true;
    c.method = TrainMethod::Standard;
    c.epochs = 4;
    c.batch = 16;
    c.lr = 0.02;
    c.lr_step = 10;
    c.val_fraction = 0.2;
    c.seed = 2;
    c.workers = 2;
    return c;
  }

  static fs::path root_;
};

fs::path SegmentationTraining::root_;

TEST_F(SegmentationTraining, ScenesAreATrainIdFolderWithItemsAndBackground) {
  const auto scenes = data::open_segmentation_folder((root_ / "scenes").string(), data::Split::Train);
  ASSERT_EQ(scenes->size(), 160u);
  EXPECT_EQ(scenes->classes(), (std::vector<std::string>{"background", "square", "bar", "column", "cross"}));
  const auto sample = scenes->get(7);
  EXPECT_EQ(sample.label_map.size(), cv::Size(40, 40));
  double min = 0, max = 0;
  cv::minMaxLoc(sample.label_map, &min, &max);
  EXPECT_EQ(min, 0);  // background
  EXPECT_GE(max, 1);  // at least one item
  EXPECT_LE(max, 4);
}

TEST_F(SegmentationTraining, FromScratchLowersThePixelLossAndReportsMIoU) {
  std::ostringstream log;
  const auto reports = train(scratch_config(), {}, log);
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_LT(reports.back().train_loss, reports.front().train_loss * 0.8) << log.str();
  EXPECT_GE(reports.back().val_miou, 0.0);
  EXPECT_LE(reports.back().val_miou, 100.0);
  EXPECT_GT(reports.back().val_top1, reports.back().val_miou * 0.5);  // pixel accuracy
  std::ifstream metrics(root_ / "scratch" / "metrics.jsonl");
  std::string line;
  std::getline(metrics, line);
  EXPECT_NE(line.find("\"val_miou\""), std::string::npos) << line;
  EXPECT_NE(log.str().find("val mIoU"), std::string::npos) << log.str();

  // AdvBN's attack on a batch of label maps raises the per-pixel loss at every step.
  auto network = load_network({"fcn_resnet18", 5, Stem::ImageNet, 0.25},
                              (root_ / "scratch" / "best.safetensors").string(), false);
  network->set_cut("layer1");
  network->freeze_prefix();
  network->copy_main_to_twins();
  data::Loader loader(data::open_segmentation_folder((root_ / "scenes").string(), data::Split::Train),
                      data::segmentation_eval_pipeline(network->spec().normalization), {8, false});
  loader.start_epoch(0);
  const auto batch = loader.next();
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->labels.dim(), 3);
  AdvBNOptions options;
  options.epsilon = 0.4;
  options.step_size = 0.15;
  options.steps = 4;
  const auto result = attack_at_cut(*network, options, batch->images, batch->labels);
  ASSERT_EQ(result.losses.size(), 5u);
  EXPECT_GT(result.losses.back(), result.losses.front() * 1.05);

  // Fine-tuning with AdvBN from it: both branches train, the loss stays finite.
  auto advbn = scratch_config();
  advbn.from_scratch = false;
  advbn.weights = (root_ / "scratch" / "best.safetensors").string();
  advbn.method = TrainMethod::AdvBN;
  advbn.cut = "layer1";
  advbn.epochs = 1;
  advbn.lr = 0.01;
  advbn.advbn = options;
  advbn.out = (root_ / "advbn").string();
  const auto tuned = train(advbn, {}, log);
  ASSERT_EQ(tuned.size(), 1u);
  EXPECT_TRUE(std::isfinite(tuned.back().train_loss));
  EXPECT_GE(tuned.back().train_adv_top1, 0.0);
  EXPECT_GE(tuned.back().val_miou, 0.0);
}

}  // namespace
}  // namespace advbn
