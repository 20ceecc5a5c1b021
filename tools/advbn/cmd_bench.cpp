// advbn bench: speed and memory benchmarks that print figures (never pass/fail).
//
//   advbn bench step   seconds per training step of `standard` and `advbn`, and peak memory
//   advbn bench data   images/s of the training loader (bench_data.cpp)
//   advbn bench corrupt
#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "advbn/bench_data.h"
#include "advbn/core/phase_times.h"
#include "advbn/commands.h"
#include "advbn/error.h"
#include "advbn/report/json_file.h"
#include "advbn/forked_measurement.h"
#include "advbn/models/network_factory.h"
#include "advbn/runtime_options.h"
#include "advbn/train/precision.h"
#include "advbn/data/normalization.h"
#include "advbn/train/training_method.h"
#include "advbn/train/training_step.h"

namespace advbn::cli {

namespace {

using nlohmann::json;

struct StepBenchParams {
  std::string arch = "resnet50";
  std::string cut = "conv2_3";
  int resolution = 64;
  int64_t batch = 32;
  AdvBNOptions advbn;  // m and τ from the command line, the paper's ε
  int attack_every = 1;
  bool warm_start = false;
  bool attack_bf16 = false;
  int repeats = 5;
  int warmup = 2;
  uint64_t seed = 0;
  std::string precision = "fp32";
  std::string json_path;
  RuntimeOptions runtime;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

double mean(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// CPU time of all threads of this process. On a shared machine it varies less than wall time
// with one thread; with more, waiting threads spin and count too.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// The median time of each phase over the timed steps, in the order of the first step.
json phase_medians(const std::vector<PhaseTimes>& steps) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> seconds;
  for (const auto& step : steps) {
    for (const auto& [phase, s] : step) {
      if (!seconds.count(phase)) order.push_back(phase);
      seconds[phase].push_back(s);
    }
  }
  json phases = json::array();
  for (const auto& phase : order) phases.push_back({{"phase", phase}, {"seconds", median(seconds[phase])}});
  return phases;
}

// The benchmark's network (random weights, prefix frozen, in train mode) and one random batch.
struct StepBenchSetup {
  torch::Device device = torch::kCPU;
  StagedNetwork network{nullptr};
  torch::Tensor images, labels;
};

StepBenchSetup make_setup(const StepBenchParams& params) {
  StepBenchSetup setup;
  setup.device = apply_runtime_options(params.runtime);
  torch::manual_seed(params.seed);
  NetworkSpec spec;
  spec.arch = params.arch;
  setup.network = create_network(spec);
  setup.network->set_cut(params.cut);
  setup.network->freeze_prefix();
  const auto dtype = weight_dtype(parse_precision(params.precision));
  setup.network->to(setup.device, dtype);
  setup.network->train();
  setup.images = torch::randn({params.batch, 3, params.resolution, params.resolution},
                              torch::TensorOptions(setup.device).dtype(dtype));
  setup.labels =
      torch::randint(spec.num_classes, {params.batch}, torch::TensorOptions(setup.device).dtype(torch::kLong));
  return setup;
}

// One method, in the forked child: build the network, the data and the optimizer, then time
// warm-up + repeats steps. Peak memory is the growth of resident memory over the steps, i.e.
// activations, gradients, optimizer state and the allocator's slack, but not the weights.
json measure_method(const StepBenchParams& params, bool adversarial) {
  auto [device, network, images, labels] = make_setup(params);
  TrainConfig config;
  config.method = adversarial ? TrainMethod::AdvBN : TrainMethod::Standard;
  config.gamma = 1.0;
  config.advbn = params.advbn;
  config.attack_every = params.attack_every;
  config.warm_start = params.warm_start;
  config.attack_bf16 = params.attack_bf16;
  const auto method = make_training_method(config, *network, data::imagenet_normalization());
  torch::optim::SGD optimizer(network->suffix_parameters(),
                              torch::optim::SGDOptions(1e-3).momentum(0.9).weight_decay(1e-4));

  reset_peak_resident();
  const double baseline = resident_mib();
  std::vector<double> seconds, cpu_seconds;
  std::vector<PhaseTimes> phases;
  for (int i = 0; i < params.warmup + params.repeats; ++i) {
    const PhaseRecording recording;
    const double cpu_start = process_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const AutocastScope autocast(parse_precision(params.precision), device);
    method->step(*network, optimizer, images, labels, static_cast<uint64_t>(i), nullptr);
    if (i >= params.warmup) {
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      cpu_seconds.push_back(process_cpu_seconds() - cpu_start);
      phases.push_back(recording.times());
    }
  }
  const double peak = peak_resident_mib();
  // With an attack every k-th step the steps differ: their mean is the cost per step.
  const bool uniform_steps = params.attack_every == 1;
  return {{"seconds", uniform_steps ? median(seconds) : mean(seconds)},
          {"cpu_seconds", uniform_steps ? median(cpu_seconds) : mean(cpu_seconds)},
          {"peak_mb", peak - baseline},
          {"peak_total_mb", peak},
          {"phases", phase_medians(phases)},
          {"threads", torch::get_num_threads()}};
}

// How far the bf16 attack's δ is from the fp32 attack's on one batch (in the forked child): the
// fraction of entries of (δμ, δσ) that are equal, and the rise of the fp32 loss each δ causes.
json bf16_attack_agreement(const StepBenchParams& params) {
  auto setup = make_setup(params);
  auto& network = *setup.network;
  const auto fp32 = attack_at_cut(network, params.advbn, setup.images, setup.labels);
  const auto bf16 = [&] {
    const AutocastScope autocast(Precision::BF16, setup.device);
    return attack_at_cut(network, params.advbn, setup.images, setup.labels, /*evaluate_final_loss=*/false);
  }();
  // The fp32 loss at the bf16 attack's δ: its perturbed features are float32.
  const double bf16_loss = [&] {
    torch::NoGradGuard no_grad;
    network.eval();
    return torch::nn::functional::cross_entropy(network.suffix(bf16.features, BNBranch::Adv), setup.labels)
        .item<double>();
  }();
  const auto a = torch::cat({fp32.delta_mu, fp32.delta_sigma});
  const auto b = torch::cat({bf16.delta_mu, bf16.delta_sigma});
  return {{"equal_fraction", a.eq(b).to(torch::kDouble).mean().item<double>()},
          {"entries", a.numel()},
          {"clean_loss", fp32.losses.front()},
          {"fp32_delta_loss", fp32.losses.back()},
          {"bf16_delta_loss", bf16_loss}};
}

// The CPU allocator the step runs on: the block cache, or LibTorch's over whatever malloc this
// process has (glibc's unless LD_PRELOAD names another).
std::string allocator_name(bool block_cache) {
  if (block_cache) return "block cache";
  const char* preload = std::getenv("LD_PRELOAD");
  return preload && *preload ? std::string("malloc of ") + preload : "glibc malloc";
}

json run_step_benchmark(const StepBenchParams& params) {
  // Each method runs alone in a child so its peak memory is its own.
  const json standard = run_in_child([&] { return measure_method(params, false); });
  const json advbn = run_in_child([&] { return measure_method(params, true); });
  const json agreement = params.attack_bf16 ? run_in_child([&] { return bf16_attack_agreement(params); }) : json();
  const double standard_s = standard["seconds"], advbn_s = advbn["seconds"];
  const double standard_peak = standard["peak_mb"], advbn_peak = advbn["peak_mb"];
  return {{"implementation", std::string("advbn ") + ADVBN_VERSION + ", libtorch " + TORCH_VERSION},
          {"arch", params.arch},
          {"cut", params.cut},
          {"resolution", params.resolution},
          {"batch", params.batch},
          {"steps", params.advbn.steps},
          {"step_size", params.advbn.step_size},
          {"attack_every", params.attack_every},
          {"warm_start", params.warm_start},
          {"attack_bf16", params.attack_bf16},
          {"allocator", allocator_name(params.runtime.block_cache)},
          {"precision", params.precision},
          {"threads", advbn["threads"]},
          {"repeats", params.repeats},
          {"warmup", params.warmup},
          {"standard_s", standard_s},
          {"advbn_s", advbn_s},
          {"ratio", advbn_s / standard_s},
          {"standard_cpu_s", standard["cpu_seconds"]},
          {"advbn_cpu_s", advbn["cpu_seconds"]},
          {"standard_peak_mb", standard_peak},
          {"advbn_peak_mb", advbn_peak},
          {"peak_ratio", advbn_peak / standard_peak},
          {"standard_peak_total_mb", standard["peak_total_mb"]},
          {"advbn_peak_total_mb", advbn["peak_total_mb"]},
          {"standard_phases", standard["phases"]},
          {"advbn_phases", advbn["phases"]},
          {"bf16_attack_delta_agreement", agreement}};
}

void print_step_report(const json& r) {
  const int every = r["attack_every"].get<int>();
  std::printf("advbn step  %s %dx%d batch %lld m=%d tau=%g attack every %d%s %s threads %d (%s of %d after %d "
              "warm-up)\n",
              r["arch"].get<std::string>().c_str(), r["resolution"].get<int>(), r["resolution"].get<int>(),
              static_cast<long long>(r["batch"].get<int64_t>()), r["steps"].get<int>(),
              r["step_size"].get<double>(), every,
              (std::string(r["warm_start"].get<bool>() ? " warm-started" : "") +
               (r["attack_bf16"].get<bool>() ? " bf16 attack" : "")).c_str(),
              (r["precision"].get<std::string>() + ", " + r["allocator"].get<std::string>()).c_str(),
              r["threads"].get<int>(), every == 1 ? "median" : "mean",
              r["repeats"].get<int>(), r["warmup"].get<int>());
  std::printf("  standard  %8.3f s/step (CPU %7.3f s)  peak +%7.1f MiB\n", r["standard_s"].get<double>(),
              r["standard_cpu_s"].get<double>(), r["standard_peak_mb"].get<double>());
  std::printf("  advbn     %8.3f s/step (CPU %7.3f s)  peak +%7.1f MiB\n", r["advbn_s"].get<double>(),
              r["advbn_cpu_s"].get<double>(), r["advbn_peak_mb"].get<double>());
  std::printf("  ratio     %8.2f x                     %7.2f x\n", r["ratio"].get<double>(),
              r["peak_ratio"].get<double>());
  if (r["attack_bf16"].get<bool>()) {
    const auto& agreement = r["bf16_attack_delta_agreement"];
    std::printf("  bf16 attack: %.1f%% of %lld δ entries equal to the fp32 attack's; fp32 loss %.4f clean, "
                "%.4f at the fp32 δ, %.4f at the bf16 δ\n",
                100 * agreement["equal_fraction"].get<double>(),
                static_cast<long long>(agreement["entries"].get<int64_t>()), agreement["clean_loss"].get<double>(),
                agreement["fp32_delta_loss"].get<double>(), agreement["bf16_delta_loss"].get<double>());
  }
  for (const char* method : {"standard", "advbn"}) {
    std::printf("  %s step by phase (median s over the steps where it ran):\n", method);
    double total = 0;
    for (const auto& phase : r[std::string(method) + "_phases"]) {
      const double s = phase["seconds"];
      total += s;
      std::printf("    %-22s %8.3f\n", phase["phase"].get<std::string>().c_str(), s);
    }
    std::printf("    %-22s %8.3f\n", "sum of phases", total);
  }
}

void add_step_benchmark(CLI::App& bench) {
  auto params = std::make_shared<StepBenchParams>();
  auto* cmd = bench.add_subcommand(
      "step",
      "Seconds per training step of standard fine-tuning and of AdvBN (random data, random "
      "weights), and the peak memory of each, each method in its own child process");
  cmd->add_option("--arch", params->arch, "Architecture")
      ->capture_default_str()
      ->check(CLI::IsMember(supported_architectures()));
  cmd->add_option("--cut", params->cut, "Block ending the frozen prefix")->capture_default_str();
  cmd->add_option("--resolution", params->resolution, "Image side in pixels")
      ->capture_default_str()
      ->check(CLI::Range(16, 4096));
  cmd->add_option("--batch", params->batch, "Clean images per step (AdvBN adds as many adversarial)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{2}, int64_t{1} << 20));
  cmd->add_option("--steps,--pgd-steps", params->advbn.steps, "m: PGD steps of the attack")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--step-size", params->advbn.step_size, "τ: PGD step of the attack")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--attack-every", params->attack_every,
                  "Cheaper AdvBN: attack every k-th step, reuse the last δ between (the mean step is reported; "
                  "make --repeats a multiple of k)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--warm-start", params->warm_start, "Cheaper AdvBN: start each attack from the last δ");
  cmd->add_flag("--attack-bf16", params->attack_bf16,
                "Cheaper AdvBN: the attack's passes in bfloat16 autocast, the update in fp32 (with --precision fp32); "
                "also reports how many of δ's entries agree with the fp32 attack's");
  cmd->add_option("--repeats", params->repeats, "Timed steps per method (the median is reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--warmup", params->warmup, "Untimed steps before timing")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--seed", params->seed, "Seed of the random weights and data")->capture_default_str();
  cmd->add_option("--precision", params->precision, "fp32, fp64 or bf16 (autocast)")
      ->capture_default_str()->check(CLI::IsMember({"fp32", "fp64", "bf16"}));
  cmd->add_option("--json", params->json_path, "Also write the figures to this JSON file");
  add_runtime_options(*cmd, params->runtime);
  cmd->add_flag("--system-allocator{false}", params->runtime.block_cache,
                "LibTorch's own CPU allocator over malloc instead of the block cache (compare allocators by "
                "preloading jemalloc or mimalloc: bench/compare_allocators.sh)");
  cmd->callback([params] {
    const json report = run_step_benchmark(*params);
    print_step_report(report);
    if (!params->json_path.empty()) report::write_json_file(params->json_path, report);
  });
}

// The other benchmarks are programs of their own; these entries point to them.
void add_pointer(CLI::App& bench, const std::string& name, const std::string& description,
                 const std::string& where) {
  auto* cmd = bench.add_subcommand(name, description);
  cmd->allow_extras();
  cmd->callback([where] { std::cout << "see " << where << "\n"; });
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Speed and memory benchmarks (figures, not tests)");
  bench->require_subcommand(1);
  add_step_benchmark(*bench);
  add_data_benchmark(*bench);
  add_pointer(*bench, "corrupt", "Images/s per corruption",
              "advbn_bench_corrupt [--json OUT] [--repeats N] (bench/shift_bench.cpp)");
}

}  // namespace advbn::cli
