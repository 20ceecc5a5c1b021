// advbn train: fine-tuning with AdvBN (Algorithm 1), the same without AdvBN, or from scratch.
#include <torch/torch.h>

#include <iostream>

#include "advbn/commands.h"
#include "advbn/config_file.h"
#include "advbn/error.h"
#include "advbn/network_options.h"
#include "advbn/runtime_options.h"
#include "advbn/train/checkpoint.h"
#include "advbn/train/progress.h"
#include "advbn/train/trainer.h"

namespace advbn::cli {

namespace {
struct TrainParams {
  TrainConfig config;
  NetworkOptions network;
  std::string method = "advbn";
  std::string perturbation = "multiplicative";
  bool no_relu_clamp = false;
  std::string config_file;
  std::string resume;
  RuntimeOptions runtime;
};

void add_train_options(CLI::App& cmd, TrainParams& p) {
  auto& c = p.config;
  add_network_options(cmd, p.network, /*weights_required=*/false);
  cmd.add_option("--data", c.data, "Training data: IDX folder, CIFAR binary folder or image folder");
  cmd.add_option("--val-data", c.val_data, "Validation data (default: held out from --data)");
  cmd.add_option("--val-fraction", c.val_fraction, "Share of --data held out for validation")
      ->capture_default_str();
  cmd.add_option("--limit", c.limit, "Use only the first N training images (0: all)")->capture_default_str();
  cmd.add_option("--out", c.out, "Output folder for checkpoints and metrics");
  cmd.add_option("--method", p.method, "standard or advbn")->capture_default_str()
      ->check(CLI::IsMember({"standard", "advbn"}));
  cmd.add_flag("--from-scratch", c.from_scratch, "Train the whole network from random weights");
  cmd.add_option("--epochs", c.epochs, "Epochs")->capture_default_str();
  cmd.add_option("--batch", c.batch, "Global batch size")->capture_default_str();
  cmd.add_option("--lr", c.lr, "Learning rate")->capture_default_str();
  cmd.add_option("--lr-step", c.lr_step, "Multiply the lr by --lr-factor every this many epochs")
      ->capture_default_str();
  cmd.add_option("--lr-factor", c.lr_factor, "Learning-rate decay factor")->capture_default_str();
  cmd.add_option("--momentum", c.momentum, "SGD momentum")->capture_default_str();
  cmd.add_option("--weight-decay", c.weight_decay, "SGD weight decay")->capture_default_str();
  cmd.add_option("--cut", c.cut, "Last block of the frozen prefix (layer1, conv2_3, …)")->capture_default_str();
  cmd.add_option("--gamma", c.gamma, "γ: weight of the adversarial loss")->capture_default_str();
  cmd.add_option("--eps", c.advbn.epsilon, "ε: AdvBN bound")->capture_default_str();
  cmd.add_option("--step-size", c.advbn.step_size, "τ: AdvBN PGD step")->capture_default_str();
  cmd.add_option("--steps", c.advbn.steps, "m: AdvBN PGD steps")->capture_default_str();
  cmd.add_option("--perturbation", p.perturbation, "multiplicative or additive")->capture_default_str()
      ->check(CLI::IsMember({"multiplicative", "additive"}));
  cmd.add_flag("--no-relu-clamp", p.no_relu_clamp, "Do not clamp perturbed features at 0");
  cmd.add_flag("--random-start", c.advbn.random_start, "Start δ uniformly inside the bound");
  cmd.add_option("--augment", c.augment, "basic, autoaugment or none")->capture_default_str()
      ->check(CLI::IsMember({"basic", "autoaugment", "none"}));
  cmd.add_option("--image-size", c.image_size, "Training image size (0: 224, or native for ≤ 64 px)")
      ->capture_default_str();
  cmd.add_option("--seed", c.seed, "Random seed")->capture_default_str();
  cmd.add_option("--workers", c.workers, "Data worker threads (0: as many as --threads)")->capture_default_str();
  cmd.add_option("--config", p.config_file, "YAML or JSON file of options (flags win)");
  cmd.add_option("--resume", p.resume, "Continue the run whose output folder is DIR");
  add_runtime_options(cmd, p.runtime);
}
}  // namespace

void add_train_command(CLI::App& app) {
  auto params = std::make_shared<TrainParams>();
  auto* cmd = app.add_subcommand(
      "train",
      "Fine-tune a pretrained network with AdvBN (--method advbn, Algorithm 1) or without it "
      "(--method standard), or train one from scratch (--from-scratch)");
  add_train_options(*cmd, *params);
  cmd->callback([params, cmd] {
    if (!params->config_file.empty()) apply_config_file(*cmd, params->config_file);
    TrainRunOptions run;
    run.device = apply_runtime_options(params->runtime);
    run.interactive = ProgressReporter::stderr_is_terminal();
    TrainConfig config = params->config;
    if (!params->resume.empty()) {
      config = read_checkpoint_header(params->resume).first;
      config.out = params->resume;
      if (cmd->count("--epochs")) config.epochs = params->config.epochs;
      run.resume = true;
    } else {
      config.network = params->network.spec;
      config.weights = params->network.weights;
      config.method = parse_train_method(params->method);
      config.advbn.kind = parse_perturbation_kind(params->perturbation);
      config.advbn.relu_clamp = !params->no_relu_clamp;
    }
    config.device = params->runtime.device;
    train(config, run, std::cerr);
    std::cerr << "checkpoints in " << config.out << " (best.safetensors, last.safetensors)\n";
  });
}

}  // namespace advbn::cli
