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
  require(augment == "basic" || augment == "autoaugment" || augment == "none",
          "augment must be basic, autoaugment or none, got '" + augment + "'");
  parse_precision(precision);
  advbn.validate();
  require(!attack_bf16 || precision == "fp32",
          "attack-bf16 needs precision fp32 (bf16 already runs the attack in bfloat16), got " + precision);
  require(attack_every >= 1, "attack-every must be >= 1, got " + std::to_string(attack_every));
  require(peer_p < 0 || peer_p <= 1, "peer-p must be in [0, 1] (or < 0 for the method's default), got " +
                                          std::to_string(peer_p));
  require(mixstyle_alpha > 0, "mixstyle-alpha must be > 0, got " + std::to_string(mixstyle_alpha));
  PixelAttackOptions{advprop_eps, advprop_step_size, advprop_steps}.validate();
}

nlohmann::json TrainConfig::to_json() const {
  return {{"arch", network.arch},
          {"num_classes", network.num_classes},
          {"stem", network.stem},
          {"width", network.width},
          {"weights", weights},
          {"data", data},
          {"val_data", val_data},
          {"val_fraction", val_fraction},
          {"limit", limit},
          {"out", out},
          {"method", to_string(method)},
          {"from_scratch", from_scratch},
          {"epochs", epochs},
          {"batch", batch},
          {"lr", lr},
          {"lr_step", lr_step},
          {"lr_factor", lr_factor},
          {"momentum", momentum},
          {"weight_decay", weight_decay},
          {"cut", cut},
          {"gamma", gamma},
          {"eps", advbn.epsilon},
          {"step_size", advbn.step_size},
          {"steps", advbn.steps},
          {"perturbation", advbn::to_string(advbn.kind)},
          {"relu_clamp", advbn.relu_clamp},
          {"random_start", advbn.random_start},
          {"attack_every", attack_every},
          {"warm_start", warm_start},
          {"attack_bf16", attack_bf16},
          {"peer_p", peer_p},
          {"mixstyle_alpha", mixstyle_alpha},
          {"advprop_eps", advprop_eps},
          {"advprop_step_size", advprop_step_size},
          {"advprop_steps", advprop_steps},
          {"augment", augment},
          {"image_size", image_size},
          {"seed", seed},
          {"workers", workers},
          {"sync_bn", sync_bn},
          {"sync_adv_stats", sync_adv_stats},
          {"precision", precision}};
}

TrainConfig TrainConfig::from_json(const nlohmann::json& j) {
  TrainConfig c;
  try {
    c.network = {j.at("arch"), j.at("num_classes"), j.at("stem"), j.at("width")};
    j.at("weights").get_to(c.weights);
    j.at("data").get_to(c.data);
    j.at("val_data").get_to(c.val_data);
    j.at("val_fraction").get_to(c.val_fraction);
    j.at("limit").get_to(c.limit);
    j.at("out").get_to(c.out);
    c.method = parse_train_method(j.at("method"));
    j.at("from_scratch").get_to(c.from_scratch);
    j.at("epochs").get_to(c.epochs);
    j.at("batch").get_to(c.batch);
    j.at("lr").get_to(c.lr);
    j.at("lr_step").get_to(c.lr_step);
    j.at("lr_factor").get_to(c.lr_factor);
    j.at("momentum").get_to(c.momentum);
    j.at("weight_decay").get_to(c.weight_decay);
    j.at("cut").get_to(c.cut);
    j.at("gamma").get_to(c.gamma);
    j.at("eps").get_to(c.advbn.epsilon);
    j.at("step_size").get_to(c.advbn.step_size);
    j.at("steps").get_to(c.advbn.steps);
    c.advbn.kind = parse_perturbation_kind(j.at("perturbation"));
    j.at("relu_clamp").get_to(c.advbn.relu_clamp);
    j.at("random_start").get_to(c.advbn.random_start);
    // Absent from checkpoints written before the cheaper AdvBN variants and the peers existed.
    c.attack_every = j.value("attack_every", c.attack_every);
    c.warm_start = j.value("warm_start", c.warm_start);
    c.attack_bf16 = j.value("attack_bf16", c.attack_bf16);
    c.peer_p = j.value("peer_p", c.peer_p);
    c.mixstyle_alpha = j.value("mixstyle_alpha", c.mixstyle_alpha);
    c.advprop_eps = j.value("advprop_eps", c.advprop_eps);
    c.advprop_step_size = j.value("advprop_step_size", c.advprop_step_size);
    c.advprop_steps = j.value("advprop_steps", c.advprop_steps);
    j.at("augment").get_to(c.augment);
    j.at("image_size").get_to(c.image_size);
    j.at("seed").get_to(c.seed);
    j.at("workers").get_to(c.workers);
    c.sync_bn = j.value("sync_bn", false);  // absent from single-process checkpoints of 0.1
    c.sync_adv_stats = j.value("sync_adv_stats", false);
    c.precision = j.value("precision", "fp32");
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
