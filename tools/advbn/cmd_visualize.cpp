// advbn visualize: what AdvBN perturbations look like, through an autoencoder (paper Figs 2–3).
#include <iostream>

#include "advbn/autoencoder/perturbation_gallery.h"
#include "advbn/autoencoder_options.h"
#include "advbn/commands.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/subset.h"
#include "advbn/data/transforms.h"
#include "advbn/runtime_options.h"

namespace advbn::cli {

namespace {
struct VisualizeParams {
  AutoencoderOptions autoencoder;
  NetworkOptions classifier;
  std::string data, out = "advbn-visualize";
  int64_t count = 8;
  int size = 0;
  std::vector<double> epsilons{0.25, 0.5, 0.75, 1.1};
  AdvBNOptions attack = bottleneck_attack_defaults();
  uint64_t seed = 0;
  RuntimeOptions runtime;
};
}  // namespace

void add_visualize_command(CLI::App& app) {
  auto params = std::make_shared<VisualizeParams>();
  auto* cmd = app.add_subcommand(
      "visualize",
      "AdvBN at an autoencoder's bottleneck with a classifier's loss on the decoded images, at several strengths: "
      "writes OUT/gallery.png (originals, reconstructions, perturbed images) and OUT/index.html");
  add_autoencoder_options(*cmd, params->autoencoder);
  add_classifier_options(*cmd, params->classifier);
  cmd->add_option("--data", params->data, "Images and labels: IDX, CIFAR or a class folder (its test split)")->required();
  cmd->add_option("--count", params->count, "Images drawn at random (one batch: they share statistics)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--size", params->size, "Resize the shorter side and centre-crop to this (0: native, equal sizes)")
      ->capture_default_str();
  cmd->add_option("--eps", params->epsilons, "Strengths ε to show")->capture_default_str()->expected(1, -1);
  cmd->add_option("--steps", params->attack.steps, "PGD steps m")->capture_default_str();
  cmd->add_option("--step-size", params->attack.step_size, "PGD step τ")->capture_default_str();
  cmd->add_option("--out", params->out, "Output folder")->capture_default_str();
  cmd->add_option("--seed", params->seed, "Seed of the image draw")->capture_default_str();
  add_runtime_options(*cmd, params->runtime);
  cmd->callback([params, cmd] {
    const auto device = apply_runtime_options(params->runtime);
    const auto autoencoder = load_autoencoder(params->autoencoder, device);
    auto classifier = load_network(*cmd, params->classifier);
    classifier->to(device);
    const auto drawn = data::random_subset(data::open_dataset(params->data, data::Split::Test),
                                           static_cast<size_t>(params->count), params->seed);
    std::vector<cv::Mat> images;
    std::vector<int64_t> labels;
    for (size_t i = 0; i < drawn->size(); ++i) {
      auto sample = drawn->get(i);
      if (params->size > 0) sample.image = data::center_crop(data::resize_shorter_side(sample.image, params->size), params->size);
      images.push_back(sample.image);
      labels.push_back(sample.label);
    }
    const auto gallery = make_perturbation_gallery(autoencoder, classifier, params->attack, params->epsilons, images, labels);
    write_perturbation_gallery(gallery, params->out);
    for (const auto& column : gallery.columns) {
      if (column.title != "original") std::cerr << column.title << ": loss " << column.loss << ", top-1 " << column.top1 << "%\n";
    }
    std::cerr << "wrote " << params->out << "/index.html\n";
  });
}

}  // namespace advbn::cli
