// advbn bench data: the loader's images per second on an image folder — decode, augmentation,
// normalisation and batching on worker threads, exactly as `advbn train` feeds a network.
// bench/reference_loader.py measures torchvision's DataLoader on the same folder beside it.
#include "advbn/bench_data.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "advbn/data/loader.h"
#include "advbn/data/normalization.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/report/json_file.h"
#include "advbn/runtime_options.h"

namespace advbn::cli {

namespace {

struct DataBenchParams {
  std::string data;
  std::string augment = "basic";
  int image_size = 224;
  size_t batch = 64;
  int workers = 0;  // 0: as many as --threads
  int epochs = 2;   // the first is a warm-up (page cache, allocator)
  std::string json_path;
  RuntimeOptions runtime;
};

nlohmann::json run_data_benchmark(const DataBenchParams& params) {
  apply_runtime_options(params.runtime);
  // Decoding happens on the loader's threads; LibTorch and OpenCV get none of their own.
  const int workers = params.workers > 0 ? params.workers : std::max(1, torch::get_num_threads());
  torch::set_num_threads(1);
  const auto dataset = data::open_dataset(params.data, data::Split::Train);
  const auto pipeline = data::train_pipeline(data::parse_augmentation(params.augment), params.image_size,
                                             /*small_images=*/false,
                                             data::imagenet_normalization());
  data::Loader loader(dataset, pipeline, {params.batch, /*shuffle=*/true, /*drop_last=*/true, workers, 2, 0});
  double seconds = 0;
  size_t images = 0;
  for (int epoch = 0; epoch < params.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    size_t count = 0;
    loader.start_epoch(epoch);
    while (auto batch = loader.next()) count += batch->labels.size(0);
    if (epoch == 0 && params.epochs > 1) continue;
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    images += count;
  }
  return {{"implementation", std::string("advbn ") + ADVBN_VERSION},
          {"data", params.data},
          {"images", images},
          {"seconds", seconds},
          {"images_per_second", static_cast<double>(images) / seconds},
          {"workers", workers},
          {"batch", params.batch},
          {"image_size", params.image_size},
          {"augment", params.augment}};
}

}  // namespace

void add_data_benchmark(CLI::App& bench) {
  auto params = std::make_shared<DataBenchParams>();
  auto* cmd = bench.add_subcommand(
      "data",
      "Images/s of the training loader (decode + augment + normalise + batch) on an image folder; "
      "compare with bench/reference_loader.py (torchvision) through bench/compare_data.sh");
  cmd->add_option("--data", params->data, "Image folder in the ImageNet layout (class = sub-folder)")->required();
  cmd->add_option("--augment", params->augment, "basic (RandomResizedCrop + flip) or autoaugment")
      ->capture_default_str()->check(CLI::IsMember({"basic", "autoaugment"}));
  cmd->add_option("--image-size", params->image_size, "Crop size")->capture_default_str()->check(CLI::Range(8, 4096));
  cmd->add_option("--batch", params->batch, "Images per batch")->capture_default_str()->check(CLI::Range(1, 1 << 16));
  cmd->add_option("--workers", params->workers, "Loader threads (0: as many as --threads)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--epochs", params->epochs, "Passes over the folder; the first is an untimed warm-up")
      ->capture_default_str()->check(CLI::Range(2, 1000));
  cmd->add_option("--json", params->json_path, "Also write the figures to this JSON file");
  add_runtime_options(*cmd, params->runtime, /*with_device=*/false);
  cmd->callback([params] {
    const auto report = run_data_benchmark(*params);
    std::printf("advbn loader  %zu images in %.2f s: %.1f images/s (%d workers, batch %zu, %s %d px)\n",
                report["images"].get<size_t>(), report["seconds"].get<double>(),
                report["images_per_second"].get<double>(), report["workers"].get<int>(), params->batch,
                params->augment.c_str(), params->image_size);
    if (!params->json_path.empty()) report::write_json_file(params->json_path, report);
  });
}

}  // namespace advbn::cli
