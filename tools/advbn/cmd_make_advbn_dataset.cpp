// advbn make-advbn-dataset: ImageNet-AdvBN's recipe (paper App. A) for any class folder.
#include <iostream>

#include "advbn/attack_options.h"
#include "advbn/autoencoder/bottleneck_attack.h"
#include "advbn/autoencoder_options.h"
#include "advbn/commands.h"
#include "advbn/runtime_options.h"

namespace advbn::cli {

namespace {
struct MakeAdvBNDatasetParams {
  AutoencoderOptions autoencoder;
  NetworkOptions classifier;
  std::string in, out;
  AdvBNDatasetOptions dataset;
  AdvBNOptions attack = bottleneck_attack_defaults();
  RuntimeOptions runtime;
};
}  // namespace

void add_make_advbn_dataset_command(CLI::App& app) {
  auto params = std::make_shared<MakeAdvBNDatasetParams>();
  auto* cmd = app.add_subcommand(
      "make-advbn-dataset",
      "Perturb a whole class folder with AdvBN at an autoencoder's bottleneck (the classifier's cross-entropy "
      "on the decoded images as the loss), in unshuffled batches; writes the same layout as PNG");
  add_autoencoder_options(*cmd, params->autoencoder);
  add_classifier_options(*cmd, params->classifier);
  cmd->add_option("--in", params->in, "Class folder (<class>/<image>); its sorted class order must be the classifier's")
      ->required();
  cmd->add_option("--out", params->out, "Output folder")->required();
  cmd->add_option("--batch", params->dataset.batch, "Images per batch (they share the attacked statistics)")
      ->capture_default_str();
  cmd->add_option("--resize", params->dataset.resize, "Shorter side resized to this first")->capture_default_str();
  cmd->add_option("--crop", params->dataset.crop, "Centre crop (0, with --resize 0: native sizes)")->capture_default_str();
  add_advbn_options(*cmd, params->attack);
  add_runtime_options(*cmd, params->runtime);
  cmd->callback([params, cmd] {
    const auto device = apply_runtime_options(params->runtime);
    auto classifier = load_network(*cmd, params->classifier);
    classifier->to(device);
    const BottleneckAttack attack(load_autoencoder(params->autoencoder, device), classifier, params->attack);
    const auto summary = make_advbn_dataset(attack, params->in, params->out, params->dataset, [](size_t done, size_t total) {
      std::cerr << "  " << done << "/" << total << " images\n";
    });
    std::cerr << "wrote " << summary.images << " images of " << summary.classes << " classes to " << params->out
              << "; classifier top-1 " << summary.clean_top1 << "% on reconstructions, " << summary.adversarial_top1
              << "% on the written images\n";
  });
}

}  // namespace advbn::cli
