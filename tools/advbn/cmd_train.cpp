// advbn train: fine-tuning with AdvBN (Algorithm 1), the same without AdvBN, or from scratch.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "advbn/attack_options.h"
#include "advbn/commands.h"
#include "advbn/config_file.h"
#include "advbn/enum_option.h"
#include "advbn/distributed/process_group.h"
#include "advbn/error.h"
#include "advbn/network_options.h"
#include "advbn/runtime_options.h"
#include "advbn/train/checkpoint.h"
#include "advbn/report/progress.h"
#include "advbn/train/trainer.h"

namespace advbn::cli {

namespace {
struct TrainParams {
  TrainConfig config;
  NetworkOptions network;
  std::string config_file;
  std::string resume;
  RuntimeOptions runtime;
  bool distributed = false;
  std::string backend = "auto";
  double timeout_seconds = 300;
};

void add_train_options(CLI::App& cmd, TrainParams& p) {
  auto& c = p.config;
  add_network_options(cmd, p.network, /*weights_required=*/false);
  add_enum_option(cmd, "--task", c.task,
                  "classification, or segmentation: --data is a Cityscapes, GTA5, SYNTHIA or train-id folder, "
                  "the loss per pixel, validation by mIoU",
                  {"classification", "segmentation"}, parse_task, [](Task t) { return to_string(t); });
  cmd.add_option("--data", c.data,
                 "Training data: IDX folder, CIFAR binary folder or image folder; with --task segmentation, "
                 "Cityscapes (leftImg8bit/ + gtFine/), SYNTHIA (RGB/ + GT/LABELS/), GTA5 (images/ + labels/) or "
                 "images/ + labels/ + classes.txt (train ids)");
  cmd.add_option("--val-data", c.val_data, "Validation data (default: held out from --data)");
  cmd.add_option("--val-fraction", c.val_fraction, "Share of --data held out for validation")
      ->capture_default_str();
  cmd.add_option("--limit", c.limit, "Use only the first N training images (0: all)")->capture_default_str();
  cmd.add_option("--out", c.out, "Output folder for checkpoints and metrics");
  add_enum_option(cmd, "--method", c.method,
                  "standard, advbn (Algorithm 1), or a peer in the same harness: mixstyle, dsu, padain, "
                  "crossnorm (feature statistics perturbed at the cut), advprop (pixel PGD with twin BNs)",
                  train_method_names(), parse_train_method, [](TrainMethod m) { return to_string(m); });
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
  add_advbn_options(cmd, c.advbn);
  cmd.add_option("--attack-every", c.attack_every,
                 "Cheaper AdvBN: attack every k-th step; the steps between reuse the last δ on their batch "
                 "(a resumed run restarts the count)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd.add_flag("--warm-start", c.warm_start, "Cheaper AdvBN: start each attack from the last δ");
  cmd.add_flag("--attack-bf16", c.attack_bf16,
               "Cheaper AdvBN: the attack's passes in bfloat16 autocast, the update in fp32 (--precision fp32)");
  cmd.add_option("--peer-p", c.peer_p,
                 "mixstyle/dsu/padain/crossnorm: probability of perturbing a batch (< 0: the paper's, "
                 "0.5; pAdaIN 0.01)")
      ->capture_default_str();
  cmd.add_option("--mixstyle-alpha", c.mixstyle_alpha, "MixStyle: λ ~ Beta(α, α)")->capture_default_str();
  cmd.add_option("--advprop-eps", c.advprop_eps, "AdvProp: L∞ bound on the [0, 1] pixel scale")
      ->capture_default_str();
  cmd.add_option("--advprop-step-size", c.advprop_step_size, "AdvProp: PGD step on the pixel scale")
      ->capture_default_str();
  cmd.add_option("--advprop-steps", c.advprop_steps, "AdvProp: PGD steps")->capture_default_str();
  add_enum_option(cmd, "--augment", c.augment, "basic, autoaugment or none (segmentation: basic or none)",
                  {"basic", "autoaugment", "none"}, data::parse_augmentation,
                  [](data::Augmentation a) { return data::to_string(a); });
  cmd.add_option("--image-size", c.image_size,
                 "Training image size (0: 224, or native for ≤ 64 px); segmentation: the crop (0: 512, or the "
                 "shorter side for ≤ 64 px)")
      ->capture_default_str();
  cmd.add_option("--seed", c.seed, "Random seed")->capture_default_str();
  add_enum_option(cmd, "--precision", c.precision,
                  "fp32; fp64 (slower; runs that must agree to rounding); bf16 (autocast: convolutions in "
                  "bfloat16, weights in float32)",
                  {"fp32", "fp64", "bf16"}, parse_precision, [](Precision p) { return to_string(p); });
  cmd.add_option("--workers", c.workers, "Data worker threads (0: as many as --threads)")->capture_default_str();
  cmd.add_option("--config", p.config_file, "YAML or JSON file of options (flags win)");
  cmd.add_option("--resume", p.resume,
                 "Continue the run whose output folder is DIR with its stored configuration; of the other "
                 "options only --epochs, --workers, --threads and --device may differ from it");
  add_runtime_options(cmd, p.runtime);
  auto* group = "Distributed (one process per rank, started by torchrun --no_python, mpirun or a scheduler)";
  cmd.add_flag("--distributed", p.distributed,
               "Data-parallel training over RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT (automatic when "
               "WORLD_SIZE > 1); --batch stays the global batch")
      ->group(group);
  cmd.add_option("--backend", p.backend, "gloo, nccl, or auto (nccl on CUDA devices, else gloo)")
      ->capture_default_str()->check(CLI::IsMember({"auto", "gloo", "nccl"}))->group(group);
  cmd.add_option("--dist-timeout", p.timeout_seconds,
                 "Seconds any rank waits for the others (rendezvous, collectives) before failing")
      ->capture_default_str()->check(CLI::PositiveNumber)->group(group);
  cmd.add_flag("--sync-bn", c.sync_bn, "BN statistics over all ranks' batches (main and twin BNs)")->group(group);
  cmd.add_flag("--sync-adv-stats", c.sync_adv_stats,
               "AdvBN's μ, σ and ∇δ over all ranks (one δ for the global batch; default: per rank, "
               "as the authors' code)")
      ->group(group);
}

// LOCAL_WORLD_SIZE ranks share this machine's cores (torchrun sets it; default 1).
int threads_per_rank() {
  const char* local = std::getenv("LOCAL_WORLD_SIZE");
  const int ranks_here = local ? std::max(1, std::atoi(local)) : 1;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / ranks_here);
}

// Joins the job when --distributed is given or the environment describes more than one rank.
std::unique_ptr<distributed::ProcessGroup> join_job(const TrainParams& p, RuntimeOptions& runtime) {
  const auto env = distributed::environment_from_variables();
  if (!p.distributed && !(env && env->world_size > 1)) return nullptr;
  if (!env) {
    throw Error("--distributed: WORLD_SIZE and RANK are not set (start every rank with torchrun "
                "--no_python, mpirun, or set RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT)");
  }
  if (runtime.threads == 0) runtime.threads = threads_per_rank();
  // One GPU per rank: a bare "cuda" means the GPU of this rank's LOCAL_RANK.
  if (runtime.device == "cuda") runtime.device = "cuda:" + std::to_string(env->local_rank);
  distributed::GroupOptions options;
  const bool on_gpu = runtime.device.rfind("cuda", 0) == 0;
  options.backend = p.backend == "auto" ? (on_gpu && distributed::backend_available(distributed::Backend::Nccl)
                                                ? distributed::Backend::Nccl
                                                : distributed::Backend::Gloo)
                                        : distributed::parse_backend(p.backend);
  options.timeout = std::chrono::milliseconds(static_cast<int64_t>(p.timeout_seconds * 1000));
  return std::make_unique<distributed::ProcessGroup>(*env, options);
}

// The configuration the options describe, as a new run takes it.
TrainConfig requested_config(const TrainParams& p) {
  TrainConfig config = p.config;
  config.network = p.network.spec;
  config.weights = p.network.weights;
  return config;
}

// The configuration keys of the options given on the command line or in --config: an option's
// long name with '_' for '-' ("--lr-step" → "lr_step"), except --no-relu-clamp, which sets relu_clamp.
std::vector<std::string> given_config_keys(const CLI::App& cmd) {
  std::vector<std::string> keys;
  for (const auto* option : cmd.get_options()) {
    if (option->count() == 0 || option->get_lnames().empty()) continue;
    std::string key = option->get_lnames().front();
    std::replace(key.begin(), key.end(), '-', '_');
    keys.push_back(key == "no_relu_clamp" ? "relu_clamp" : key);
  }
  return keys;
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
    RuntimeOptions runtime = params->runtime;
    const auto group = join_job(*params, runtime);
    TrainRunOptions run;
    run.group = group.get();
    run.device = apply_runtime_options(runtime);
    run.interactive = ProgressReporter::stderr_is_terminal();
    TrainConfig config = requested_config(*params);
    if (!params->resume.empty()) {
      TrainConfig stored = read_checkpoint_header(params->resume).first;
      stored.out = params->resume;
      config = resumed_config(stored, config, given_config_keys(*cmd));
      run.resume = true;
    }
    train(config, run, std::cerr);
    if (group && group->rank() != 0) return;
    std::cerr << "checkpoints in " << config.out << " (best.safetensors, last.safetensors)\n";
  });
}

}  // namespace advbn::cli
