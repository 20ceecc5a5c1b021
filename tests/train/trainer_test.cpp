#include "advbn/train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "advbn/error.h"
#include "advbn/io/safetensors.h"
#include "advbn/models/weights.h"
#include "advbn/train/checkpoint.h"
#include "test_support.h"
#include "train/tiny_dataset.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;

class TrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = test::temp_dir("trainer");
    test::write_quadrant_idx(root_ / "data", 256, 64);
    // One pretrained starting point shared by the fine-tuning tests.
    auto config = scratch_config("pretrained");
    config.epochs = 2;
    std::ostringstream log;
    train(config, {}, log);
  }

  static TrainConfig scratch_config(const std::string& name) {
    TrainConfig c;
    c.network = {"resnet18", 4, Stem::Small, 0.125};
    c.data = (root_ / "data").string();
    c.out = (root_ / name).string();
    c.from_scratch = true;
    c.method = TrainMethod::Standard;
    c.epochs = 3;
    c.batch = 32;
    c.lr = 0.05;
    c.lr_step = 10;
    c.val_fraction = 0.125;
    c.seed = 3;
    c.workers = 2;
    return c;
  }

  static TrainConfig finetune_config(const std::string& name, TrainMethod method) {
    TrainConfig c = scratch_config(name);
    c.from_scratch = false;
    c.weights = (root_ / "pretrained" / "best.safetensors").string();
    c.method = method;
    c.cut = "layer2";
    c.epochs = 2;
    c.lr = 0.02;
    c.advbn.steps = 2;
    return c;
  }

  static std::map<std::string, torch::Tensor> weights_of(const std::string& path) {
    std::map<std::string, torch::Tensor> out;
    for (auto& [k, v] : io::read_safetensors(path)) out[k] = v;
    return out;
  }

  static fs::path root_;
};

fs::path TrainerTest::root_;

TEST_F(TrainerTest, FromScratchLowersTheLossAndWritesCheckpoints) {
  std::ostringstream log;
  const auto reports = train(scratch_config("scratch"), {}, log);
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_LT(reports.back().train_loss, reports.front().train_loss * 0.8) << log.str();
  for (const char* file : {"checkpoint.safetensors", "last.safetensors", "best.safetensors", "metrics.jsonl"}) {
    EXPECT_TRUE(fs::exists(root_ / "scratch" / file)) << file;
  }
  EXPECT_GE(reports.back().val_top1, 0.0);
}

// Every method of the harness, and AdvBN's cheaper schedule, on the same data and starting point.
TEST_F(TrainerTest, EveryFineTuningMethodLowersTheLossAndMovesOnlyTheSuffix) {
  const auto pretrained = weights_of((root_ / "pretrained" / "best.safetensors").string());
  for (const auto& method_name : train_method_names()) {
  for (const bool cheaper : {false, true}) {
    const auto method = parse_train_method(method_name);
    if (cheaper && method != TrainMethod::AdvBN) continue;
    const std::string name = "finetune_" + method_name + (cheaper ? "_cheaper" : "");
    auto config = finetune_config(name, method);
    config.epochs = 3;
    if (cheaper) {
      config.attack_every = 2;
      config.warm_start = true;
    }
    const bool adversarial = method == TrainMethod::AdvBN || method == TrainMethod::AdvProp;
    std::ostringstream log;
    const auto reports = train(config, {}, log);
    EXPECT_LT(reports.back().train_loss, reports.front().train_loss) << name << "\n" << log.str();
    const auto tuned = weights_of((root_ / name / "last.safetensors").string());
    bool suffix_moved = false;
    for (const auto& [key, before] : pretrained) {
      const bool in_prefix = key.rfind("conv1.", 0) == 0 || key.rfind("bn1.", 0) == 0 ||
                             key.rfind("layer1.", 0) == 0 || key.rfind("layer2.", 0) == 0;
      const bool twin = key.find(".twin.") != std::string::npos;
      const bool same = torch::equal(tuned.at(key), before);
      if (in_prefix && !twin) EXPECT_TRUE(same) << name << ": frozen " << key << " changed";
      if (!in_prefix && key.find("weight") != std::string::npos && !twin && !same) suffix_moved = true;
      // Twin BN statistics move only when adversarial batches pass through them.
      if (!in_prefix && twin && key.find("running_mean") != std::string::npos) {
        const auto main_key = key.substr(0, key.find(".twin.")) + ".running_mean";
        const bool twin_moved = !torch::equal(tuned.at(key), pretrained.at(main_key));
        EXPECT_EQ(twin_moved, adversarial) << name << ": " << key;
      }
    }
    EXPECT_TRUE(suffix_moved) << name;
    if (adversarial) EXPECT_GE(reports.back().train_adv_top1, 0.0) << name;
  }
  }
}

TEST_F(TrainerTest, ResumedRunEndsWithIdenticalWeights) {
  std::ostringstream log;
  auto whole = finetune_config("uninterrupted", TrainMethod::AdvBN);
  whole.epochs = 3;
  whole.advbn.random_start = true;  // the resumed run must reproduce random draws too
  train(whole, {}, log);

  auto parts = whole;
  parts.out = (root_ / "interrupted").string();
  TrainRunOptions first;
  first.stop_after_epoch = 1;
  ASSERT_EQ(train(parts, first, log).size(), 1u);
  TrainRunOptions resume;
  resume.resume = true;
  ASSERT_EQ(train(parts, resume, log).size(), 2u);

  const auto a = weights_of((root_ / "uninterrupted" / "last.safetensors").string());
  const auto b = weights_of((root_ / "interrupted" / "last.safetensors").string());
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [key, tensor] : a) EXPECT_TRUE(torch::equal(tensor, b.at(key))) << key;
}

TEST_F(TrainerTest, NonFiniteLossStopsAndKeepsTheLastCheckpoint) {
  auto config = finetune_config("diverging", TrainMethod::Standard);
  config.epochs = 1;
  std::ostringstream log;
  train(config, {}, log);
  const auto before = weights_of(checkpoint_path(config.out));
  config.lr = 1e30;
  config.epochs = 2;
  try {
    train(config, {}, log);
    FAIL() << "a diverging run did not stop";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("loss became"), std::string::npos) << e.what();
  }
  const auto after = weights_of(checkpoint_path(config.out));
  for (const auto& [key, tensor] : before) EXPECT_TRUE(torch::equal(tensor, after.at(key))) << key;
}

TEST_F(TrainerTest, BadConfigurationsAreClearErrors) {
  auto expect_error = [](TrainConfig config, const std::string& needle) {
    std::ostringstream log;
    try {
      train(config, {}, log);
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  auto config = finetune_config("bad", TrainMethod::AdvBN);
  config.advbn.epsilon = -1;
  expect_error(config, "epsilon");
  config = finetune_config("bad", TrainMethod::AdvBN);
  config.advbn.steps = -1;
  expect_error(config, "steps");
  config = finetune_config("bad", TrainMethod::AdvBN);
  config.cut = "layer7";
  expect_error(config, "layer7");
  config = finetune_config("bad", TrainMethod::AdvBN);
  config.data = (root_ / "missing").string();
  expect_error(config, "missing");
  fs::create_directories(root_ / "empty");
  config.data = (root_ / "empty").string();
  expect_error(config, "empty");
  // Labels beyond the pretrained network's outputs.
  test::write_quadrant_idx(root_ / "shifted_labels", 64, 16, 4, 1, /*label_offset=*/3);
  config = finetune_config("bad", TrainMethod::Standard);
  config.data = (root_ / "shifted_labels").string();
  expect_error(config, "classes");
}

}  // namespace
}  // namespace advbn
