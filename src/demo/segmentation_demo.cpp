#include "advbn/demo/segmentation_demo.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>

#include "advbn/data/loader.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/data/segmentation_folder.h"
#include "advbn/demo/finished_runs.h"
#include "advbn/demo/segmentation_scenes.h"
#include "advbn/error.h"
#include "advbn/eval/evaluate.h"
#include "advbn/eval/shift_suite.h"
#include "advbn/models/weights.h"
#include "advbn/train/train_config.h"

namespace advbn {

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kFashionMnistClasses{"T-shirt/top", "trouser", "pullover", "dress", "coat",
                                                    "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};

// The budget of the segmentation demo; the paper's segmentation attack (τ 0.15, ε 0.4, m 4).
struct SegmentationPlan {
  std::string arch = "fcn_resnet18";
  double width = 0.5;
  int scene_size = 64;
  size_t train_scenes = 0;
  size_t test_scenes = 0;
  int pretrain_epochs = 0;
  int finetune_epochs = 0;
  int64_t batch = 32;
  std::string cut = "layer1";
  AdvBNOptions attack{0.4, 0.15, 4};
};

SegmentationPlan segmentation_plan(const DemoOptions& options) {
  SegmentationPlan plan;
  if (options.quick) {
    plan.train_scenes = 1500;
    plan.test_scenes = 150;
    plan.pretrain_epochs = 4;
    plan.finetune_epochs = 1;
  } else {
    plan.train_scenes = 8000;
    plan.test_scenes = 500;
    plan.pretrain_epochs = 10;
    plan.finetune_epochs = 2;
  }
  if (options.test_images > 0) plan.test_scenes = static_cast<size_t>(options.test_images);
  return plan;
}

// Writes the scenes of one domain unless the folder already holds exactly them (same count; the
// folder name carries the seed and domain, so a different plan writes a different folder).
std::string ensure_scenes(const data::Dataset& items, demo::SceneDomain domain, size_t count, uint64_t seed,
                          const std::string& folder, int size) {
  const fs::path root(folder);
  size_t present = 0;
  if (fs::exists(root / "images") && fs::exists(root / "classes.txt")) {
    present = static_cast<size_t>(std::distance(fs::directory_iterator(root / "images"), fs::directory_iterator()));
  }
  if (present != count) {
    fs::remove_all(root);
    demo::write_scene_folder(items, kFashionMnistClasses, count, {domain, size, 2, seed}, folder);
  }
  return folder;
}

TrainConfig segmentation_config(const DemoOptions& options, const SegmentationPlan& plan, const std::string& data,
                                const std::string& out) {
  TrainConfig c;
  c.task = Task::Segmentation;
  c.network = {plan.arch, static_cast<int64_t>(kFashionMnistClasses.size() + 1), Stem::ImageNet, plan.width};
  c.data = data;
  c.out = out;
  c.from_scratch = true;
  c.method = TrainMethod::Standard;
  c.epochs = plan.pretrain_epochs;
  c.batch = plan.batch;
  c.lr = 0.05;
  c.lr_step = std::max(1, plan.pretrain_epochs * 2 / 3);
  c.weight_decay = 1e-4;
  c.val_fraction = 0.1;
  c.image_size = plan.scene_size;
  c.seed = options.seed;
  return c;
}

TrainConfig finetune(TrainConfig c, const SegmentationPlan& plan, TrainMethod method, const std::string& pretrained,
                     const std::string& out) {
  c.from_scratch = false;
  c.weights = pretrained;
  c.method = method;
  c.cut = plan.cut;
  c.epochs = plan.finetune_epochs;
  c.lr = 0.01;
  c.lr_step = plan.finetune_epochs;
  c.advbn = plan.attack;
  c.out = out;
  return c;
}

struct TestSet {
  std::string name;
  std::string folder;
  std::optional<data::Pipeline::ImageOp> shift;
};

}  // namespace

nlohmann::json run_segmentation_demo(const DemoOptions& options, std::ostream& log) {
  const SegmentationPlan plan = segmentation_plan(options);
  const fs::path root = fs::path(options.out) / "segmentation";
  const fs::path scenes = root / "scenes";
  const std::string tag = "-seed" + std::to_string(options.seed) + "-" + std::to_string(plan.scene_size) + "px";

  log << "[segmentation 1/4] scenes of Fashion-MNIST items: " << plan.train_scenes << " to train on (flat), "
      << plan.test_scenes << " per test domain\n";
  const auto train_items = data::open_dataset(options.data, data::Split::Train);
  const auto test_items = data::open_dataset(options.data, data::Split::Test);
  const auto train_folder = ensure_scenes(*train_items, demo::SceneDomain::Flat, plan.train_scenes, options.seed,
                                          (scenes / ("train-flat" + tag)).string(), plan.scene_size);
  std::vector<TestSet> test_sets;
  for (const auto& name : demo::scene_domain_names()) {
    const auto folder = ensure_scenes(*test_items, demo::parse_scene_domain(name), plan.test_scenes,
                                      options.seed + 1, (scenes / ("test-" + name + tag)).string(), plan.scene_size);
    test_sets.push_back({name, folder, std::nullopt});
  }
  const std::string flat_test = test_sets.front().folder;
  for (const auto& shift : corruption_shifts({"gaussian_noise", "fog", "contrast"}, {3}, options.seed)) {
    test_sets.push_back({"flat+" + shift.name + "-3", flat_test, shift.apply});
  }
  for (const auto& shift : filter_shifts({"toaster", "nashville"})) {
    test_sets.push_back({"flat+" + shift.name, flat_test, shift.apply});
  }

  log << "[segmentation 2/4] training " << plan.arch << " (width " << plan.width << ") from scratch on flat scenes\n";
  const auto pretrain = segmentation_config(options, plan, train_folder, (root / "pretrain").string());
  const auto pretrain_history = ensure_trained(pretrain, options, log);
  const std::string pretrained = (fs::path(pretrain.out) / "best.safetensors").string();
  log << "[segmentation 3/4] fine-tuning after " << plan.cut << " without and with AdvBN\n";
  const auto standard = finetune(pretrain, plan, TrainMethod::Standard, pretrained, (root / "standard").string());
  const auto standard_history = ensure_trained(standard, options, log);
  const auto advbn = finetune(pretrain, plan, TrainMethod::AdvBN, pretrained, (root / "advbn").string());
  const auto advbn_history = ensure_trained(advbn, options, log);

  log << "[segmentation 4/4] scoring on " << test_sets.size() << " test sets\n";
  auto load = [&](const TrainConfig& c) {
    auto network = load_network(c.network, (fs::path(c.out) / "best.safetensors").string(), false);
    network->to(options.device);
    return network;
  };
  const auto pretrained_net = load(pretrain), standard_net = load(standard), advbn_net = load(advbn);
  struct Model {
    std::string name;
    StagedNetworkImpl* network;
    BNBranch branch;
    nlohmann::json history;
  };
  const std::vector<Model> models{{"pretrained", pretrained_net.get(), BNBranch::Clean, pretrain_history},
                                  {"standard", standard_net.get(), BNBranch::Clean, standard_history},
                                  {"advbn", advbn_net.get(), BNBranch::Clean, advbn_history},
                                  {"advbn_adv_branch", advbn_net.get(), BNBranch::Adv, nullptr}};
  const int64_t classes = pretrain.network.num_classes;
  const auto normalization = pretrained_net->spec().normalization;
  nlohmann::json section;
  for (const auto& model : models) section["models"][model.name]["history"] = model.history;
  std::vector<std::string> names;
  for (const auto& set : test_sets) {
    names.push_back(set.name);
    auto pipeline = data::segmentation_eval_pipeline(normalization);
    if (set.shift) pipeline = data::with_image_op(pipeline, *set.shift);
    data::Loader loader(data::open_segmentation_folder(set.folder, data::Split::Test), pipeline,
                        {static_cast<size_t>(plan.batch), false, false, std::max(1, torch::get_num_threads())});
    for (const auto& model : models) {
      const auto result = evaluate_segmentation(*model.network, loader, classes, model.branch, options.device);
      section["models"][model.name]["test_sets"][set.name] = {{"miou", result.scores.mean_iou},
                                                               {"pixel_accuracy", result.scores.pixel_accuracy}};
    }
    log << "  " << set.name << "\n" << std::flush;
  }
  for (const auto& model : models) {
    auto& entry = section["models"][model.name];
    double shifted = 0;
    for (size_t s = 1; s < names.size(); ++s) shifted += entry["test_sets"][names[s]]["miou"].get<double>();
    entry["shifted_miou"] = shifted / static_cast<double>(names.size() - 1);
  }
  section["test_sets"] = names;
  section["classes"] = demo::scene_class_names(kFashionMnistClasses);
  section["test_scenes"] = plan.test_scenes;
  section["config"] = {{"pretrain", pretrain.to_json()}, {"standard", standard.to_json()}, {"advbn", advbn.to_json()}};
  return section;
}

void print_segmentation_table(const nlohmann::json& section, std::ostream& log) {
  const auto names = section.at("test_sets").get<std::vector<std::string>>();
  log << "\nsegmentation mIoU (%) by test set (" << section.at("test_scenes") << " scenes each; trained on flat)\n"
      << std::left << std::setw(26) << "test set" << std::right;
  for (const auto& [model, entry] : section.at("models").items()) log << std::setw(18) << model;
  log << "\n";
  for (const auto& name : names) {
    log << std::left << std::setw(26) << name << std::right << std::fixed << std::setprecision(2);
    for (const auto& [model, entry] : section.at("models").items()) {
      log << std::setw(18) << entry.at("test_sets").at(name).at("miou").get<double>();
    }
    log << "\n";
  }
  log << std::left << std::setw(26) << "mean of shifted sets" << std::right;
  for (const auto& [model, entry] : section.at("models").items()) {
    log << std::setw(18) << entry.at("shifted_miou").get<double>();
  }
  log << "\n";
}

}  // namespace advbn
