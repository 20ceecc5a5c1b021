// advbn stylize: a Stylized-X test set (AdaIN, one style per image) from a class folder.
#include <iostream>

#include "advbn/autoencoder/stylize.h"
#include "advbn/autoencoder_options.h"
#include "advbn/commands.h"
#include "advbn/runtime_options.h"

namespace advbn::cli {

namespace {
struct StylizeParams {
  AutoencoderOptions autoencoder;
  std::string content, styles, out;
  double alpha = 1;
  int style_size = 256;
  uint64_t seed = 0;
  RuntimeOptions runtime;
};
}  // namespace

void add_stylize_command(CLI::App& app) {
  auto params = std::make_shared<StylizeParams>();
  auto* cmd = app.add_subcommand(
      "stylize",
      "Stylise every image of a class folder with AdaIN and a style image chosen per image by --seed "
      "(Stylized-ImageNet's recipe); writes the same layout as PNG");
  add_autoencoder_options(*cmd, params->autoencoder);
  cmd->add_option("--content", params->content, "Class folder to stylise (<class>/<image>)")->required();
  cmd->add_option("--styles", params->styles, "Folder of style images (any layout)")->required();
  cmd->add_option("--out", params->out, "Output folder")->required();
  cmd->add_option("--alpha", params->alpha, "Style strength in [0, 1]")->capture_default_str();
  cmd->add_option("--style-size", params->style_size, "Style images are resized and cropped to this square")
      ->capture_default_str();
  cmd->add_option("--seed", params->seed, "Seed of the style choice")->capture_default_str();
  add_runtime_options(*cmd, params->runtime);
  cmd->callback([params] {
    const auto device = apply_runtime_options(params->runtime);
    const Stylizer stylizer(load_autoencoder(params->autoencoder, device),
                            load_style_images(params->styles, params->style_size), params->alpha, params->seed);
    const auto summary = stylize_folder(stylizer, params->content, params->out, [](size_t done, size_t total) {
      if (done % 100 == 0 || done == total) std::cerr << "  " << done << "/" << total << " images\n";
    });
    std::cerr << "stylised " << summary.images << " images of " << summary.classes << " classes with "
              << stylizer.style_count() << " styles into " << params->out << "\n";
  });
}

}  // namespace advbn::cli
