// advbn autoencoder train: a decoder for a frozen encoder (AdaIN loss or pixel MSE + TV).
#include <iostream>

#include "advbn/autoencoder/autoencoder_training.h"
#include "advbn/autoencoder_options.h"
#include "advbn/commands.h"
#include "advbn/enum_option.h"
#include "advbn/report/progress.h"
#include "advbn/runtime_options.h"

namespace advbn::cli {

void add_autoencoder_command(CLI::App& app) {
  auto* group = app.add_subcommand("autoencoder", "Autoencoders that show and make feature-statistics shifts");
  group->require_subcommand(1);
  auto config = std::make_shared<AutoencoderTrainConfig>();
  auto runtime = std::make_shared<RuntimeOptions>();
  auto* cmd = group->add_subcommand(
      "train",
      "Train a decoder for a frozen encoder; writes OUT/decoder.safetensors, OUT/metrics.jsonl (held-out PSNR "
      "per epoch) and a checkpoint that a rerun resumes from");
  add_encoder_options(*cmd, config->encoder);
  cmd->add_option("--data", config->data, "Training images: IDX, CIFAR or an image folder")->required();
  cmd->add_option("--styles", config->styles, "Folder of style images (the adain loss)");
  cmd->add_option("--out", config->out, "Output folder")->capture_default_str();
  add_enum_option(*cmd, "--loss", config->loss,
                  "pixel (MSE + total variation, the ImageNet-AdvBN authors' recipe) or adain (content + style)",
                  {"pixel", "adain"}, parse_autoencoder_loss, [](AutoencoderLoss l) { return to_string(l); });
  cmd->add_option("--style-weight", config->style_weight, "Style loss weight (adain)")->capture_default_str();
  cmd->add_option("--tv-weight", config->tv_weight, "Total-variation weight (pixel)")->capture_default_str();
  cmd->add_option("--epochs", config->epochs, "Epochs")->capture_default_str();
  cmd->add_option("--batch", config->batch, "Batch size")->capture_default_str();
  cmd->add_option("--lr", config->lr, "Adam learning rate")->capture_default_str();
  cmd->add_option("--lr-decay", config->lr_decay, "lr / (1 + decay · iteration)")->capture_default_str();
  cmd->add_option("--image-size", config->image_size, "Training crop (0: 256, or the native size up to 64 px)")
      ->capture_default_str();
  cmd->add_option("--limit", config->limit, "Training images per epoch (0: all)")->capture_default_str();
  cmd->add_option("--val-images", config->val_images, "Held-out images for the PSNR")->capture_default_str();
  cmd->add_option("--seed", config->seed, "Random seed")->capture_default_str();
  cmd->add_option("--workers", config->workers, "Data loading threads")->capture_default_str();
  add_runtime_options(*cmd, *runtime);
  cmd->callback([config, runtime] {
    const auto device = apply_runtime_options(*runtime);
    const auto history = train_autoencoder(*config, std::cerr, ProgressReporter::stderr_is_terminal(), device);
    std::cerr << "held-out PSNR " << history.back().val_psnr << " dB after " << history.size() << " epochs; wrote "
              << config->out << "/decoder.safetensors\n";
  });
}

}  // namespace advbn::cli
