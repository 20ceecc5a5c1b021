#include "advbn/train/train_config.h"

#include <cmath>

#include "advbn/core/pixel_attack.h"
#include "advbn/error.h"
#include "advbn/train/precision.h"

namespace advbn {

namespace {

// In the order of TrainMethod.
constexpr TrainMethod kMethods[] = {TrainMethod::Standard, TrainMethod::AdvBN,     TrainMethod::MixStyle,
                                    TrainMethod::DSU,      TrainMethod::PAdaIN,    TrainMethod::CrossNorm,
                                    TrainMethod::AdvProp};

}  // namespace

const std::vector<std::string>& train_method_names() {
  static const std::vector<std::string> names = {"standard", "advbn",     "mixstyle", "dsu",
                                                 "padain",   "crossnorm", "advprop"};
  return names;
}

TrainMethod parse_train_method(const std::string& name) {
  const auto& names = train_method_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return kMethods[i];
  }
  std::string valid;
  for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown method '" + name + "' (expected one of " + valid + ")");
}

std::string to_string(TrainMethod method) {
  return train_method_names().at(static_cast<size_t>(method));
}

Task parse_task(const std::string& name) {
  if (name == "classification") return Task::Classification;
  if (name == "segmentation") return Task::Segmentation;
  throw Error("unknown task '" + name + "' (expected classification or segmentation)");
}

std::string to_string(Task task) { return task == Task::Segmentation ? "segmentation" : "classification"; }

void TrainConfig::validate() const {
  auto require = [](bool ok, const std::string& message) {
    if (!ok) throw Error(message);
  };
  require(!data.empty(), "no training data given (--data)");
  require(!out.empty(), "no output folder given (--out)");
  require(from_scratch || !weights.empty(),
          "fine-tuning needs pretrained --weights (or train with --from-scratch)");
  require(epochs >= 1, "epochs must be >= 1, got " + std::to_string(epochs));
  require(batch >= 2, "batch must be >= 2, got " + std::to_string(batch));
  require(std::isfinite(lr) && lr > 0, "lr must be > 0, got " + std::to_string(lr));
  require(lr_step >= 1, "lr-step must be >= 1, got " + std::to_string(lr_step));
  require(lr_factor > 0 && lr_factor <= 1, "lr-factor must be in (0, 1], got " + std::to_string(lr_factor));
  require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + std::to_string(momentum));
  require(weight_decay >= 0, "weight-decay must be >= 0, got " + std::to_string(weight_decay));
  require(gamma >= 0, "gamma must be >= 0, got " + std::to_string(gamma));
  require(val_fraction >= 0 && val_fraction < 1,
          "val-fraction must be in [0, 1), got " + std::to_string(val_fraction));
  require(limit >= 0, "limit must be >= 0");
  require(image_size >= 0 && (image_size == 0 || image_size >= 8),
          "image-size must be 0 (auto) or >= 8, got " + std::to_string(image_size));
  require(task != Task::Segmentation || augment != data::Augmentation::AutoAugment,
          "AutoAugment does not apply to segmentation (its operations would move labels); use basic or none");
  validate_normalization(network.normalization);
  advbn.validate();
  require(!attack_bf16 || precision == Precision::FP32,
          "attack-bf16 needs precision fp32 (bf16 already runs the attack in bfloat16), got " + to_string(precision));
  require(attack_every >= 1, "attack-every must be >= 1, got " + std::to_string(attack_every));
  require(peer_p < 0 || peer_p <= 1, "peer-p must be in [0, 1] (or < 0 for the method's default), got " +
                                          std::to_string(peer_p));
  require(mixstyle_alpha > 0, "mixstyle-alpha must be > 0, got " + std::to_string(mixstyle_alpha));
  PixelAttackOptions{advprop_eps, advprop_step_size, advprop_steps}.validate();
}

// JSON for the enums a configuration holds, by their command-line names.
void to_json(nlohmann::json& j, TrainMethod method) { j = to_string(method); }
void from_json(const nlohmann::json& j, TrainMethod& method) { method = parse_train_method(j.get<std::string>()); }
void to_json(nlohmann::json& j, Stem stem) { j = to_string(stem); }
void from_json(const nlohmann::json& j, Stem& stem) { stem = parse_stem(j.get<std::string>()); }
void to_json(nlohmann::json& j, Precision precision) { j = to_string(precision); }
void from_json(const nlohmann::json& j, Precision& precision) { precision = parse_precision(j.get<std::string>()); }
namespace data {
void to_json(nlohmann::json& j, Augmentation augmentation) { j = to_string(augmentation); }
void from_json(const nlohmann::json& j, Augmentation& augmentation) {
  augmentation = parse_augmentation(j.get<std::string>());
}
}  // namespace data
void to_json(nlohmann::json& j, Task task) { j = to_string(task); }
void from_json(const nlohmann::json& j, Task& task) { task = parse_task(j.get<std::string>()); }
void to_json(nlohmann::json& j, PerturbationKind kind) { j = to_string(kind); }
void from_json(const nlohmann::json& j, PerturbationKind& kind) { kind = parse_perturbation_kind(j.get<std::string>()); }

namespace {

// Every stored field of a TrainConfig with its key, once: to_json and from_json both go through
// this list. Required keys are in every checkpoint since 0.1; the others were added later and take
// their default when a checkpoint lacks them.
constexpr bool kRequired = true, kOptional = false;

template <typename Config, typename Visit>
void for_each_field(Config& c, Visit&& visit) {
  visit("arch", c.network.arch, kRequired);
  visit("num_classes", c.network.num_classes, kRequired);
  visit("stem", c.network.stem, kRequired);
  visit("width", c.network.width, kRequired);
  visit("input_mean", c.network.normalization.mean, kOptional);
  visit("input_std", c.network.normalization.std, kOptional);
  visit("weights", c.weights, kRequired);
  visit("data", c.data, kRequired);
  visit("val_data", c.val_data, kRequired);
  visit("val_fraction", c.val_fraction, kRequired);
  visit("limit", c.limit, kRequired);
  visit("out", c.out, kRequired);
  visit("method", c.method, kRequired);
  visit("from_scratch", c.from_scratch, kRequired);
  visit("epochs", c.epochs, kRequired);
  visit("batch", c.batch, kRequired);
  visit("lr", c.lr, kRequired);
  visit("lr_step", c.lr_step, kRequired);
  visit("lr_factor", c.lr_factor, kRequired);
  visit("momentum", c.momentum, kRequired);
  visit("weight_decay", c.weight_decay, kRequired);
  visit("cut", c.cut, kRequired);
  visit("gamma", c.gamma, kRequired);
  visit("eps", c.advbn.epsilon, kRequired);
  visit("step_size", c.advbn.step_size, kRequired);
  visit("steps", c.advbn.steps, kRequired);
  visit("perturbation", c.advbn.kind, kRequired);
  visit("relu_clamp", c.advbn.relu_clamp, kRequired);
  visit("random_start", c.advbn.random_start, kRequired);
  visit("attack_every", c.attack_every, kOptional);
  visit("warm_start", c.warm_start, kOptional);
  visit("attack_bf16", c.attack_bf16, kOptional);
  visit("peer_p", c.peer_p, kOptional);
  visit("mixstyle_alpha", c.mixstyle_alpha, kOptional);
  visit("advprop_eps", c.advprop_eps, kOptional);
  visit("advprop_step_size", c.advprop_step_size, kOptional);
  visit("advprop_steps", c.advprop_steps, kOptional);
  visit("augment", c.augment, kRequired);
  visit("image_size", c.image_size, kRequired);
  visit("seed", c.seed, kRequired);
  visit("workers", c.workers, kRequired);
  visit("sync_bn", c.sync_bn, kOptional);
  visit("sync_adv_stats", c.sync_adv_stats, kOptional);
  visit("precision", c.precision, kOptional);
  visit("task", c.task, kOptional);
}

}  // namespace

nlohmann::json TrainConfig::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for_each_field(*this, [&](const char* key, const auto& field, bool) { j[key] = field; });
  return j;
}

TrainConfig TrainConfig::from_json(const nlohmann::json& j) {
  TrainConfig c;
  try {
    for_each_field(c, [&](const char* key, auto& field, bool required) {
      if (required || j.contains(key)) j.at(key).get_to(field);
    });
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("malformed training configuration: ") + e.what());
  }
  return c;
}

TrainConfig resumed_config(const TrainConfig& stored, const TrainConfig& requested,
                           const std::vector<std::string>& given_keys) {
  const auto before = stored.to_json();
  const auto asked = requested.to_json();
  TrainConfig resumed = stored;
  for (const auto& key : given_keys) {
    if (!before.contains(key)) continue;
    if (key == "epochs") {
      resumed.epochs = requested.epochs;
    } else if (key == "workers") {
      resumed.workers = requested.workers;
    } else if (asked.at(key) != before.at(key)) {
      throw Error("the resumed run in " + stored.out + " has " + key + " = " + before.at(key).dump() +
                  ", the command line asks for " + asked.at(key).dump() +
                  "; a resumed run keeps its configuration (only the epochs, workers, threads and device "
                  "may change): drop the option or start a new run");
    }
  }
  return resumed;
}

}  // namespace advbn
