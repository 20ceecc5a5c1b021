// Decoder training (and resuming), stylised and AdvBN-perturbed copies of a class folder, the
// perturbation's effect on a classifier, and the errors bad input gets.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "advbn/autoencoder/autoencoder_training.h"
#include "advbn/autoencoder/bottleneck_attack.h"
#include "advbn/autoencoder/image_tensors.h"
#include "advbn/autoencoder/stylize.h"
#include "advbn/error.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"
#include "scratch_dir.h"
#include "test_support.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;

// Smooth two-colour gradients, 16 × 16: structure a small decoder learns within a few epochs.
void write_class_folder(const fs::path& root, int classes, int per_class, int size = 16) {
  cv::RNG rng(7);
  for (int c = 0; c < classes; ++c) {
    fs::create_directories(root / ("class" + std::to_string(c)));
    for (int i = 0; i < per_class; ++i) {
      cv::Mat image(size, size, CV_8UC3);
      const cv::Vec3b a(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
      const cv::Vec3b b(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
      for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
          const double t = (c == 0 ? x : y) / static_cast<double>(size - 1);
          for (int k = 0; k < 3; ++k) image.at<cv::Vec3b>(y, x)[k] = cv::saturate_cast<uchar>(a[k] * (1 - t) + b[k] * t);
        }
      }
      cv::imwrite((root / ("class" + std::to_string(c)) / ("img" + std::to_string(i) + ".png")).string(), image);
    }
  }
}

AutoencoderTrainConfig small_run(const fs::path& dir) {
  AutoencoderTrainConfig config;
  config.encoder = {"resnet18", "", "layer1"};
  config.data = (dir / "images").string();
  config.out = (dir / "run").string();
  config.epochs = 3;
  config.batch = 8;
  config.lr = 2e-3;
  config.val_images = 6;
  config.workers = 0;
  return config;
}

class AutoencoderTools : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir("autoencoder_tools");
    write_class_folder(dir_->path / "images", 2, 20);
    // The run's encoder has random weights: they are drawn once, here, and reused by every test
    // through the saved network, so that the decoder fits its encoder.
    torch::manual_seed(3);
    std::ostringstream log;
    history_ = new std::vector<AutoencoderEpoch>(train_autoencoder(small_run(dir_->path), log));
  }
  static void TearDownTestSuite() {
    delete history_;
    delete dir_;
  }
  static test::ScratchDir* dir_;
  static std::vector<AutoencoderEpoch>* history_;
};
test::ScratchDir* AutoencoderTools::dir_ = nullptr;
std::vector<AutoencoderEpoch>* AutoencoderTools::history_ = nullptr;

TEST_F(AutoencoderTools, TrainingRaisesTheHeldOutPSNRAndWritesMetrics) {
  ASSERT_EQ(history_->size(), 3u);
  EXPECT_GT(history_->back().val_psnr, history_->front().val_psnr + 1.0);
  EXPECT_LT(history_->back().loss, history_->front().loss);
  std::ifstream metrics(dir_->path / "run" / "metrics.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(metrics, line)) {
    EXPECT_TRUE(nlohmann::json::parse(line).contains("val_psnr"));
    ++lines;
  }
  EXPECT_EQ(lines, 3);
  EXPECT_TRUE(fs::exists(dir_->path / "run" / "decoder.safetensors"));
}

TEST_F(AutoencoderTools, ARerunResumesAfterTheLastEpochAndRefusesAnotherConfiguration) {
  test::ScratchDir copy("autoencoder_resume");
  fs::copy(dir_->path / "run", copy.path / "run");
  auto config = small_run(dir_->path);
  config.out = (copy.path / "run").string();
  config.epochs = 4;
  std::ostringstream log;
  torch::manual_seed(3);
  // The same random encoder as the first run (seeded alike).
  const auto history = train_autoencoder(config, log);
  ASSERT_EQ(history.size(), 4u);
  for (size_t e = 0; e < 3; ++e) EXPECT_EQ(history[e].val_psnr, (*history_)[e].val_psnr);
  EXPECT_NE(log.str().find("resuming"), std::string::npos);
  config.lr = 1e-2;
  EXPECT_THROW(train_autoencoder(config, log), Error);
}

TEST_F(AutoencoderTools, TheAdaINLossTrainsTowardsTheTargetAndTheStyleStatistics) {
  test::ScratchDir work("adain_loss");
  write_class_folder(work.path / "styles", 1, 3, 24);
  auto config = small_run(dir_->path);
  config.out = (work.path / "run").string();
  config.loss = AutoencoderLoss::AdaIN;
  config.styles = (work.path / "styles").string();
  config.style_weight = 1;
  config.epochs = 4;
  std::ostringstream log;
  torch::manual_seed(3);
  const auto history = train_autoencoder(config, log);
  ASSERT_EQ(history.size(), 4u);
  EXPECT_TRUE(std::isfinite(history.back().loss));
  EXPECT_LT(history.back().loss, 0.8 * history.front().loss);
}

Autoencoder trained_autoencoder(const fs::path& dir) {
  torch::manual_seed(3);  // the same random encoder as the training run
  return load_trained_autoencoder(small_run(dir));
}

TEST_F(AutoencoderTools, TheBottleneckAttackRaisesTheClassifiersLossOnDecodedImages) {
  torch::manual_seed(4);
  auto classifier = create_network({"resnet18", 2});
  {
    // Random weights give near-uniform logits that barely move; larger ones make a classifier
    // whose loss depends on its input as a trained one's does.
    torch::NoGradGuard no_grad;
    classifier->named_parameters()["fc.weight"].mul_(50);
  }
  const BottleneckAttack attack(trained_autoencoder(dir_->path), classifier, bottleneck_attack_defaults());
  const auto images = torch::rand({8, 3, 16, 16});
  const auto labels = torch::tensor(std::vector<int64_t>{0, 1, 0, 1, 0, 1, 0, 1});
  const auto result = attack.run(images, labels);
  EXPECT_GT(result.adversarial_loss, result.clean_loss + 0.05);
  EXPECT_EQ(result.adversarial.sizes(), images.sizes());
  EXPECT_FALSE(torch::allclose(result.adversarial, result.reconstructed, 1e-3, 1e-3));
}

TEST_F(AutoencoderTools, AdvBNDatasetKeepsTheLayoutAndSizes) {
  test::ScratchDir out("advbn_dataset");
  torch::manual_seed(4);
  const BottleneckAttack attack(trained_autoencoder(dir_->path), create_network({"resnet18", 2}),
                                bottleneck_attack_defaults());
  AdvBNDatasetOptions options;
  options.batch = 16;  // 40 images: batches of 16, 16 and 8
  options.resize = options.crop = 0;
  const auto summary = make_advbn_dataset(attack, (dir_->path / "images").string(), out.path.string(), options);
  EXPECT_EQ(summary.images, 40u);
  EXPECT_EQ(summary.classes, 2u);
  for (int c = 0; c < 2; ++c) {
    for (int i = 0; i < 20; ++i) {
      const auto file = out.path / ("class" + std::to_string(c)) / ("img" + std::to_string(i) + ".png");
      const cv::Mat image = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
      ASSERT_FALSE(image.empty()) << file;
      EXPECT_EQ(image.size(), cv::Size(16, 16));
      EXPECT_EQ(image.channels(), 3);
    }
  }
  const BottleneckAttack one_class(trained_autoencoder(dir_->path), create_network({"resnet18", 1}),
                                   bottleneck_attack_defaults());
  EXPECT_THROW(make_advbn_dataset(one_class, (dir_->path / "images").string(), out.path.string(), options), Error);
}

TEST_F(AutoencoderTools, StylisationIsDeterministicPerSeedAndKeepsTheLayout) {
  test::ScratchDir work("stylize");
  write_class_folder(work.path / "styles_tree", 1, 3, 24);
  const auto styles = load_style_images((work.path / "styles_tree").string(), 16);
  ASSERT_EQ(styles.size(), 3u);
  const Stylizer stylizer(trained_autoencoder(dir_->path), styles, 1.0, 5);
  const auto input = (dir_->path / "images").string();
  stylize_folder(stylizer, input, (work.path / "a").string());
  stylize_folder(stylizer, input, (work.path / "b").string());
  std::set<size_t> chosen;
  for (int i = 0; i < 20; ++i) {
    const auto name = fs::path("class1") / ("img" + std::to_string(i) + ".png");
    const cv::Mat a = cv::imread((work.path / "a" / name).string()), b = cv::imread((work.path / "b" / name).string());
    ASSERT_FALSE(a.empty()) << name;
    EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0) << name;
    chosen.insert(stylizer.style_for(name.generic_string()));
  }
  EXPECT_GT(chosen.size(), 1u);
  // α = 0 is the reconstruction.
  const auto autoencoder = trained_autoencoder(dir_->path);
  const Stylizer none(autoencoder, styles, 0.0, 5);
  cv::Mat rgb = cv::imread((dir_->path / "images" / "class0" / "img0.png").string());
  cv::cvtColor(rgb, rgb, cv::COLOR_BGR2RGB);
  torch::NoGradGuard no_grad;
  const auto expected = tensor_to_images(autoencoder.reconstruct(images_to_tensor({rgb}))).front();
  EXPECT_LE(cv::norm(none.stylize(rgb, "class0/img0.png"), expected, cv::NORM_INF), 1);
}

TEST_F(AutoencoderTools, TheCommandsWriteAGalleryAndADataset) {
  test::ScratchDir work("autoencoder_commands");
  const auto classifier = (work.path / "classifier.safetensors").string();
  auto network = create_network({"resnet18", 2});
  save_network(*network, classifier);
  const std::string models = " --encoder resnet18 --cut layer1 --decoder " +
                             (dir_->path / "run" / "decoder.safetensors").string() + " --classifier " + classifier;
  auto result = test::run_tool("visualize" + models + " --data " + (dir_->path / "images").string() +
                               " --count 4 --eps 0.5 1.1 --out " + (work.path / "gallery").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const cv::Mat grid = cv::imread((work.path / "gallery" / "gallery.png").string());
  EXPECT_EQ(grid.rows, 4 * (96 + 4) - 4);  // 16 px cells enlarged 6×, 4 px gaps
  EXPECT_EQ(grid.cols, 4 * (96 + 4) - 4);  // original, reconstruction, two ε
  std::ifstream html(work.path / "gallery" / "index.html");
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("eps = 1.1"), std::string::npos);

  result = test::run_tool("make-advbn-dataset" + models + " --in " + (dir_->path / "images").string() + " --out " +
                          (work.path / "advbn").string() + " --resize 0 --crop 0 --batch 32");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("wrote 40 images of 2 classes"), std::string::npos) << result.output;
  EXPECT_TRUE(fs::exists(work.path / "advbn" / "class1" / "img19.png"));
}

TEST_F(AutoencoderTools, BadInputGetsOneClearLine) {
  test::ScratchDir work("autoencoder_bad_input");
  fs::create_directories(work.path / "empty");
  EXPECT_THROW(load_style_images((work.path / "empty").string(), 16), Error);
  EXPECT_THROW(load_style_images((work.path / "missing").string(), 16), Error);
  const auto decoder = (dir_->path / "run" / "decoder.safetensors").string();
  const std::string common = " --encoder resnet18 --decoder " + decoder + " --content " + (dir_->path / "images").string() +
                             " --out " + (work.path / "out").string();
  auto result = test::run_tool("stylize --cut layer1 --styles " + (work.path / "empty").string() + common);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("no style images in"), std::string::npos) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
  result = test::run_tool("stylize --cut layer2 --styles " + (dir_->path / "images").string() + common);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("was trained for the encoder resnet18@layer1.1"), std::string::npos) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
  result = test::run_tool("stylize --cut layer1 --styles " + (dir_->path / "images").string() + " --encoder resnet18 --decoder " +
                          decoder + " --content " + (work.path / "empty").string() + " --out " + (work.path / "out").string());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
  AutoencoderTrainConfig config = small_run(dir_->path);
  config.loss = AutoencoderLoss::AdaIN;
  std::ostringstream log;
  EXPECT_THROW(train_autoencoder(config, log), Error);  // no --styles
}

}  // namespace
}  // namespace advbn
