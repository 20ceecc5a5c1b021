#include "advbn/autoencoder/autoencoder_training.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "advbn/autoencoder/adain.h"
#include "advbn/autoencoder/image_tensors.h"
#include "advbn/autoencoder/style_images.h"
#include "advbn/core/feature_perturbation.h"
#include "advbn/data/loader.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/data/random.h"
#include "advbn/data/subset.h"
#include "advbn/error.h"
#include "advbn/io/safetensors.h"
#include "advbn/models/weights.h"
#include "advbn/report/progress.h"

namespace advbn {

namespace fs = std::filesystem;

AutoencoderLoss parse_autoencoder_loss(const std::string& name) {
  if (name == "pixel") return AutoencoderLoss::Pixel;
  if (name == "adain") return AutoencoderLoss::AdaIN;
  throw Error("unknown autoencoder loss '" + name + "' (choose pixel or adain)");
}

std::string to_string(AutoencoderLoss loss) { return loss == AutoencoderLoss::Pixel ? "pixel" : "adain"; }

nlohmann::json AutoencoderTrainConfig::to_json() const {
  return {{"encoder", encoder.name}, {"encoder_weights", encoder.weights}, {"cut", encoder.cut},
          {"data", data},           {"styles", styles},                   {"loss", to_string(loss)},
          {"style_weight", style_weight}, {"tv_weight", tv_weight},       {"epochs", epochs},
          {"batch", batch},         {"lr", lr},                           {"lr_decay", lr_decay},
          {"image_size", image_size}, {"limit", limit},                   {"val_images", val_images},
          {"seed", seed}};
}

void AutoencoderTrainConfig::validate() const {
  if (data.empty()) throw Error("--data is required: the images the decoder learns to reconstruct");
  if (loss == AutoencoderLoss::AdaIN && styles.empty()) throw Error("the adain loss needs --styles, a folder of style images");
  if (epochs < 1) throw Error("--epochs must be >= 1, got " + std::to_string(epochs));
  if (batch < 1) throw Error("--batch must be >= 1, got " + std::to_string(batch));
  if (!(lr > 0)) throw Error("--lr must be > 0");
  if (lr_decay < 0 || style_weight < 0 || tv_weight < 0) throw Error("--lr-decay, --style-weight and --tv-weight must be >= 0");
  if (image_size < 0 || limit < 0 || val_images < 1) throw Error("--image-size and --limit must be >= 0, --val-images >= 1");
}

double psnr(const torch::Tensor& decoded, const torch::Tensor& target) {
  const auto mse = (decoded.clamp(0, 1) - target).pow(2).flatten(1).mean(1).clamp_min(1e-12);
  return (-10.0 * mse.log10()).mean().item<double>();
}

nlohmann::json to_json(const std::vector<AutoencoderEpoch>& history) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& e : history) {
    json.push_back({{"epoch", e.epoch}, {"loss", e.loss}, {"val_psnr", e.val_psnr}, {"seconds", e.seconds}});
  }
  return json;
}

namespace {

constexpr const char* kDecoderPrefix = "decoder.";
constexpr const char* kAdamPrefix = "adam.";

std::string checkpoint_file(const AutoencoderTrainConfig& c) { return (fs::path(c.out) / "checkpoint.safetensors").string(); }

// Anisotropic total variation: summed absolute differences of neighbours, averaged over the batch.
torch::Tensor total_variation(const torch::Tensor& images) {
  const auto dy = (images.narrow(2, 1, images.size(2) - 1) - images.narrow(2, 0, images.size(2) - 1)).abs().sum();
  const auto dx = (images.narrow(3, 1, images.size(3) - 1) - images.narrow(3, 0, images.size(3) - 1)).abs().sum();
  return (dx + dy) / images.size(0);
}

torch::Tensor style_loss(const std::vector<torch::Tensor>& decoded, const std::vector<torch::Tensor>& style) {
  auto total = torch::zeros({}, decoded.front().options());
  for (size_t level = 0; level < decoded.size(); ++level) {
    const auto d = instance_stats(decoded[level], kAdaINEpsilon), s = instance_stats(style[level], kAdaINEpsilon);
    total = total + torch::mse_loss(d.mean, s.mean) + torch::mse_loss(d.std, s.std);
  }
  return total;
}

struct Run {
  Autoencoder model;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::vector<AutoencoderEpoch> history;
};

void save_run(const AutoencoderTrainConfig& config, Run& run) {
  io::StateDict tensors;
  for (const auto& [name, tensor] : full_state_dict(*run.model.decoder)) tensors.emplace_back(kDecoderPrefix + name, tensor);
  const auto params = run.model.decoder->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const auto key = c10::guts::to_string(params[i].unsafeGetTensorImpl());
    if (!run.optimizer->state().count(key)) continue;
    auto& state = static_cast<torch::optim::AdamParamState&>(*run.optimizer->state().at(key));
    const std::string prefix = kAdamPrefix + std::to_string(i) + ".";
    tensors.emplace_back(prefix + "exp_avg", state.exp_avg().to(torch::kCPU));
    tensors.emplace_back(prefix + "exp_avg_sq", state.exp_avg_sq().to(torch::kCPU));
    tensors.emplace_back(prefix + "step", torch::tensor(state.step()));
  }
  io::write_safetensors(checkpoint_file(config), tensors,
                        {{"config", config.to_json().dump()}, {"history", to_json(run.history).dump()}});
  save_decoder((fs::path(config.out) / "decoder.safetensors").string(), *run.model.decoder, *run.model.encoder,
               {{"config", config.to_json().dump()}});
  std::ofstream metrics(fs::path(config.out) / "metrics.jsonl");
  for (const auto& line : to_json(run.history)) metrics << line.dump() << "\n";
  if (!metrics) throw Error("cannot write " + (fs::path(config.out) / "metrics.jsonl").string());
}

void restore_run(const AutoencoderTrainConfig& config, Run& run) {
  const auto path = checkpoint_file(config);
  const auto metadata = io::read_safetensors_metadata(path);
  auto stored = nlohmann::json::parse(metadata.at("config"));
  auto wanted = config.to_json();
  stored.erase("epochs");  // a finished run may be extended by more epochs
  wanted.erase("epochs");
  if (stored != wanted) {
    throw Error(config.out + " holds an autoencoder run with another configuration (" + stored.dump() +
                "); choose another --out or delete it");
  }
  for (const auto& e : nlohmann::json::parse(metadata.at("history"))) {
    run.history.push_back({e.at("epoch").get<int>(), e.at("loss").get<double>(), e.at("val_psnr").get<double>(),
                           e.at("seconds").get<double>()});
  }
  io::StateDict decoder_weights;
  std::map<size_t, std::map<std::string, torch::Tensor>> adam;
  const std::string decoder_prefix = kDecoderPrefix, adam_prefix = kAdamPrefix;
  for (const auto& [name, tensor] : io::read_safetensors(path)) {
    if (name.rfind(decoder_prefix, 0) == 0) {
      decoder_weights.emplace_back(name.substr(decoder_prefix.size()), tensor);
    } else if (name.rfind(adam_prefix, 0) == 0) {
      const auto rest = name.substr(adam_prefix.size());
      const auto dot = rest.find('.');
      adam[std::stoul(rest.substr(0, dot))][rest.substr(dot + 1)] = tensor;
    }
  }
  import_state_dict(*run.model.decoder, decoder_weights, path);
  const auto params = run.model.decoder->parameters();
  for (auto& [index, entries] : adam) {
    if (index >= params.size()) throw Error(path + ": optimizer state does not fit the decoder");
    auto state = std::make_unique<torch::optim::AdamParamState>();
    state->step(entries.at("step").item<int64_t>());
    state->exp_avg(entries.at("exp_avg").to(params[index].options()).clone());
    state->exp_avg_sq(entries.at("exp_avg_sq").to(params[index].options()).clone());
    run.optimizer->state()[c10::guts::to_string(params[index].unsafeGetTensorImpl())] = std::move(state);
  }
}

}  // namespace

Autoencoder load_trained_autoencoder(const AutoencoderTrainConfig& config) {
  auto encoder = make_encoder(config.encoder);
  auto decoder = load_decoder((fs::path(config.out) / "decoder.safetensors").string(), *encoder);
  return {encoder, decoder};
}

std::vector<AutoencoderEpoch> train_autoencoder(const AutoencoderTrainConfig& config, std::ostream& log,
                                                bool interactive, torch::Device device) {
  config.validate();
  Run run;
  auto encoder = make_encoder(config.encoder);
  run.model = {encoder, Decoder(encoder->mirror())};
  run.model.to(device);
  run.optimizer = std::make_unique<torch::optim::Adam>(run.model.decoder->parameters(),
                                                       torch::optim::AdamOptions(config.lr));
  fs::create_directories(config.out);
  if (fs::exists(checkpoint_file(config))) {
    restore_run(config, run);
    if (static_cast<int>(run.history.size()) >= config.epochs) {
      log << "reusing the finished decoder in " << config.out << "\n";
      return run.history;
    }
    log << "resuming " << config.out << " after epoch " << run.history.size() << "\n";
  }

  const auto all = data::open_dataset(config.data, data::Split::Train);
  const auto [train_all, held_out] = data::split_validation(
      all, std::min(0.5, static_cast<double>(config.val_images) / static_cast<double>(all->size())), config.seed);
  const auto train_set = config.limit > 0 ? data::random_subset(train_all, static_cast<size_t>(config.limit), config.seed)
                                          : train_all;
  const cv::Mat probe = all->get(0).image;
  const bool small = std::max(probe.rows, probe.cols) <= 64;
  const int size = config.image_size > 0 ? config.image_size : (small ? std::max(probe.rows, probe.cols) : 256);
  const auto style_images =
      config.loss == AutoencoderLoss::AdaIN ? load_style_images(config.styles, size) : std::vector<StyleImage>{};

  data::LoaderOptions options;
  options.batch_size = static_cast<size_t>(config.batch);
  options.workers = config.workers;
  options.seed = config.seed;
  options.drop_last = train_set->size() >= static_cast<size_t>(config.batch);
  data::Loader loader(train_set, data::train_pipeline(data::Augmentation::Basic, size, small, unit_scale()), options);
  options.shuffle = false;
  options.drop_last = false;
  data::Loader val_loader(held_out, data::eval_pipeline(size, small, unit_scale()), options);

  ProgressReporter progress(log, interactive);
  for (int epoch = static_cast<int>(run.history.size()); epoch < config.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    run.model.decoder->train();
    loader.start_epoch(epoch);
    progress.begin("decoder epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config.epochs),
                   static_cast<int64_t>(loader.batches_per_epoch()), config.batch);
    double loss_sum = 0;
    int64_t steps = 0;
    std::mt19937_64 style_rng(data::mix_seeds(config.seed, static_cast<uint64_t>(epoch)));
    while (auto batch = loader.next()) {
      const int64_t iteration = static_cast<int64_t>(epoch) * static_cast<int64_t>(loader.batches_per_epoch()) + steps;
      for (auto& group : run.optimizer->param_groups()) {
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(config.lr / (1 + config.lr_decay * static_cast<double>(iteration)));
      }
      const auto images = batch->images.to(device);
      torch::Tensor loss;
      if (config.loss == AutoencoderLoss::Pixel) {
        const auto decoded = run.model.reconstruct(images);
        loss = torch::mse_loss(decoded, images) + config.tv_weight * total_variation(decoded);
      } else {
        std::vector<cv::Mat> chosen;
        for (int64_t i = 0; i < images.size(0); ++i) {
          chosen.push_back(style_images[data::uniform_index(style_rng, style_images.size())].rgb);
        }
        const auto style_levels = encoder->levels(images_to_tensor(chosen).to(device));
        torch::Tensor target;
        {
          torch::NoGradGuard no_grad;
          target = adain(encoder->encode(images), style_levels.back());
        }
        const auto decoded_levels = encoder->levels(run.model.decoder->forward(target));
        loss = torch::mse_loss(decoded_levels.back(), target) + config.style_weight * style_loss(decoded_levels, style_levels);
      }
      run.optimizer->zero_grad();
      loss.backward();
      run.optimizer->step();
      loss_sum += loss.item<double>();
      ++steps;
      progress.step(steps, {loss_sum / static_cast<double>(steps), 0, -1, false});
    }
    run.model.decoder->eval();
    double psnr_sum = 0;
    int64_t psnr_images = 0;
    {
      torch::NoGradGuard no_grad;
      val_loader.start_epoch(0);
      while (auto batch = val_loader.next()) {
        const auto images = batch->images.to(device);
        psnr_sum += psnr(run.model.reconstruct(images), images) * static_cast<double>(images.size(0));
        psnr_images += images.size(0);
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.history.push_back({epoch + 1, loss_sum / static_cast<double>(std::max<int64_t>(steps, 1)),
                           psnr_sum / static_cast<double>(psnr_images), seconds});
    char summary[128];
    std::snprintf(summary, sizeof summary, "loss %.5f, held-out PSNR %.2f dB, %.0f s", run.history.back().loss,
                  run.history.back().val_psnr, seconds);
    progress.end(summary);
    save_run(config, run);
  }
  return run.history;
}

}  // namespace advbn
