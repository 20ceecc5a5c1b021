#pragma once
// Everything that defines a training run; stored in every checkpoint so a run can be resumed
// or reproduced from its output folder alone.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "advbn/core/advbn_options.h"
#include "advbn/data/augmentation.h"
#include "advbn/models/network_spec.h"
#include "advbn/train/precision.h"

namespace advbn {

enum class TrainMethod {
  Standard,   // fine-tune the suffix on clean features (the paper's baseline)
  AdvBN,      // Algorithm 1: clean + γ·adversarial loss, twin BNs for adversarial features
  // Peers, in the same harness (cut, data order, evaluation): random feature-statistics
  // perturbations at the cut during training (core/feature_perturbation.h) …
  MixStyle,
  DSU,
  PAdaIN,
  CrossNorm,
  AdvProp,    // … and pixel-space PGD with twin BNs (core/pixel_attack.h)
};

// "standard", "advbn", "mixstyle", "dsu", "padain", "crossnorm", "advprop".
const std::vector<std::string>& train_method_names();
TrainMethod parse_train_method(const std::string& name);
std::string to_string(TrainMethod method);

// What the network predicts: one class per image, or one per pixel (segmentation folders,
// data/segmentation_folder.h; the loss and scores of eval/prediction_loss.h and ConfusionMatrix).
enum class Task { Classification, Segmentation };

// "classification" or "segmentation"; parse_task throws advbn::Error for another name.
Task parse_task(const std::string& name);
std::string to_string(Task task);

struct TrainConfig {
  Task task = Task::Classification;
  NetworkSpec network;       // num_classes 0: take it from the weights or the data
  std::string weights;       // pretrained starting point; empty with from_scratch
  std::string data;          // dataset path (IDX, CIFAR binary or image folder)
  std::string val_data;      // optional separate validation set
  double val_fraction = 0.05;  // else held out from the training data
  int64_t limit = 0;         // use only the first N training samples (0: all)
  std::string out;
  TrainMethod method = TrainMethod::AdvBN;
  bool from_scratch = false;  // train the whole network (no frozen prefix, no AdvBN)
  int epochs = 20;
  int64_t batch = 256;        // global batch
  double lr = 0.001;
  int lr_step = 10;           // multiply lr by lr_factor every lr_step epochs
  double lr_factor = 0.1;
  double momentum = 0.9;
  double weight_decay = 1e-4;
  std::string cut = "conv2_3";
  double gamma = 1.0;         // weight of the adversarial loss
  AdvBNOptions advbn;
  // Cheaper AdvBN: attack only every k-th step (the others reuse the last δ), and start each
  // attack from the last δ instead of the identity.
  int attack_every = 1;
  bool warm_start = false;
  // Cheaper AdvBN: the attack's passes under bf16 autocast (δ and its update stay float32); the
  // update of the suffix keeps `precision`. Needs precision fp32 (bf16 runs everything so already).
  bool attack_bf16 = false;
  // Peers: the probability of perturbing a batch (< 0: the method's paper default), MixStyle's α.
  double peer_p = -1;
  double mixstyle_alpha = 0.1;
  // AdvProp's pixel attack, on the [0, 1] pixel scale.
  double advprop_eps = 1.0 / 255;
  double advprop_step_size = 1.0 / 255;
  int advprop_steps = 2;
  data::Augmentation augment = data::Augmentation::Basic;  // segmentation: Basic or None
  // 0: 224 for large images, native size for small ones. Segmentation: the training crop
  // (0: 512, or the image's shorter side for images up to 64 px); evaluation sees whole images.
  int image_size = 0;
  uint64_t seed = 0;
  int workers = 0;            // data worker threads (0: as many as compute threads)
  // Data-parallel runs (TrainRunOptions::group): BN statistics over all ranks' batches (SyncBN,
  // main and twin BNs), and AdvBN's μ, σ and ∇δ over all ranks, so every rank uses one δ — with
  // both, R ranks × batch/R train as one process with the global batch.
  bool sync_bn = false;
  bool sync_adv_stats = false;
  Precision precision = Precision::FP32;

  // Throws advbn::Error naming the first impossible value.
  void validate() const;
  nlohmann::json to_json() const;
  static TrainConfig from_json(const nlohmann::json& json);
};

// The configuration a resumed run continues with: `stored`, with `epochs` and `workers` taken from
// `requested` where `given_keys` (keys of to_json() that the user set) name them — the data order
// and every step are the same for any number of workers, and more epochs extend the schedule.
// Any other given key whose value differs from the stored run's throws advbn::Error naming it and
// both values; keys that to_json() does not have (runtime settings such as threads) are ignored.
TrainConfig resumed_config(const TrainConfig& stored, const TrainConfig& requested,
                           const std::vector<std::string>& given_keys);

}  // namespace advbn
