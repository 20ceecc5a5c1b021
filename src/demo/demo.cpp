#include "advbn/demo/demo.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>

#include "advbn/data/dataset.h"
#include "advbn/data/normalization.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/data/subset.h"
#include "advbn/demo/autoencoder_demo.h"
#include "advbn/demo/finished_runs.h"
#include "advbn/demo/segmentation_demo.h"
#include "advbn/error.h"
#include "advbn/eval/feature_divergence.h"
#include "advbn/eval/shift_suite.h"
#include "advbn/models/weights.h"
#include "advbn/report/divergence_plot.h"
#include "advbn/report/html_report.h"
#include "advbn/report/method_comparison.h"
#include "advbn/shift/corruptions.h"
#include "advbn/shift/filters.h"
#include "advbn/train/train_config.h"

namespace advbn {

namespace {

namespace fs = std::filesystem;

// The budget of one demo run. The defaults were chosen on the validation split (see README).
struct DemoPlan {
  std::string arch = "resnet18";
  double width = 0.25;
  int64_t pretrain_limit = 0;
  int pretrain_epochs = 0;
  int64_t finetune_limit = 0;
  int finetune_epochs = 0;
  int64_t batch = 128;
  std::string cut = "layer1";
  double epsilon = 1.1;
  int64_t test_images = 0;
  int decoder_epochs = 0;
  int64_t decoder_limit = 0;
};

DemoPlan plan_for(const DemoOptions& options) {
  DemoPlan plan;
  if (options.quick) {
    plan.pretrain_limit = 6000;
    plan.pretrain_epochs = 2;
    plan.finetune_limit = 3000;
    plan.finetune_epochs = 1;
    plan.test_images = 500;
    plan.decoder_epochs = 1;
    plan.decoder_limit = 6000;
  } else {
    plan.decoder_epochs = 3;
    plan.pretrain_epochs = 5;  // limits stay 0: the whole training set
    plan.finetune_epochs = 2;
    plan.test_images = 2000;
  }
  if (options.test_images > 0) plan.test_images = options.test_images;
  if (!options.cut.empty()) plan.cut = options.cut;
  if (options.epsilon >= 0) plan.epsilon = options.epsilon;
  return plan;
}

TrainConfig pretrain_config(const DemoOptions& options, const DemoPlan& plan) {
  TrainConfig c;
  c.network = {plan.arch, 10, Stem::Small, plan.width};
  c.data = options.data;
  c.out = (fs::path(options.out) / "cache" / "pretrain").string();
  c.from_scratch = true;
  c.method = TrainMethod::Standard;
  c.limit = plan.pretrain_limit;
  c.epochs = plan.pretrain_epochs;
  c.batch = plan.batch;
  c.lr = 0.05;
  c.lr_step = std::max(1, plan.pretrain_epochs / 2);
  c.weight_decay = 5e-4;
  c.val_fraction = 0.1;
  c.seed = options.seed;
  return c;
}

TrainConfig finetune_config(const DemoOptions& options, const DemoPlan& plan, TrainMethod method,
                            const std::string& pretrained) {
  TrainConfig c = pretrain_config(options, plan);
  c.out = (fs::path(options.out) / to_string(method)).string();
  c.from_scratch = false;
  c.weights = pretrained;
  c.method = method;
  c.cut = plan.cut;
  c.limit = plan.finetune_limit;
  c.epochs = plan.finetune_epochs;
  c.lr = 0.01;
  c.lr_step = plan.finetune_epochs;
  c.advbn.epsilon = plan.epsilon;
  c.advbn.steps = static_cast<int>(std::floor(plan.epsilon / c.advbn.step_size + 1e-9)) + 1;
  return c;
}

// AdvBN's cheaper settings, compared as methods of their own.
struct AdvBNVariant {
  const char* name;
  int attack_every;
  bool warm_start;
  bool attack_bf16;
};
constexpr AdvBNVariant kAdvBNVariants[] = {{"advbn_cheap", 3, true, false}, {"advbn_bf16", 1, false, true}};

const AdvBNVariant* advbn_variant(const std::string& name) {
  for (const auto& variant : kAdvBNVariants) {
    if (name == variant.name) return &variant;
  }
  return nullptr;
}

// A compared method at one seed. Standard and AdvBN at the demo's seed are the demo's own runs.
TrainConfig comparison_config(const DemoOptions& options, const DemoPlan& plan, const std::string& name,
                              const std::string& pretrained, uint64_t seed) {
  const AdvBNVariant* variant = advbn_variant(name);
  const TrainMethod method = variant ? TrainMethod::AdvBN : parse_train_method(name);
  TrainConfig c = finetune_config(options, plan, method, pretrained);
  if (variant) {
    c.attack_every = variant->attack_every;
    c.warm_start = variant->warm_start;
    c.attack_bf16 = variant->attack_bf16;
  }
  c.seed = seed;
  const bool demo_run =
      !variant && seed == options.seed && (method == TrainMethod::Standard || method == TrainMethod::AdvBN);
  if (!demo_run) c.out = (fs::path(options.out) / "compare" / (name + "-seed" + std::to_string(seed))).string();
  return c;
}

double seconds_per_epoch(const nlohmann::json& history) {
  double total = 0;
  for (const auto& epoch : history) total += epoch.at("seconds").get<double>();
  return history.empty() ? 0.0 : total / static_cast<double>(history.size());
}

nlohmann::json model_report(const std::vector<Shift>& shifts, const std::vector<double>& top1,
                            const nlohmann::json& history) {
  nlohmann::json m;
  double corruption_error = 0, filter_top1 = 0;
  int corruptions = 0, filters = 0;
  for (size_t s = 0; s < shifts.size(); ++s) {
    if (shifts[s].name == "clean") {
      m["clean_top1"] = top1[s];
    } else if (shifts[s].severity > 0) {
      m["corruptions"][shifts[s].name][std::to_string(shifts[s].severity)] = 100.0 - top1[s];
      corruption_error += 100.0 - top1[s];
      ++corruptions;
    } else {
      m["filters"][shifts[s].name] = top1[s];
      filter_top1 += top1[s];
      ++filters;
    }
  }
  m["corruption_error"] = corruptions ? corruption_error / corruptions : 0.0;
  m["filters_top1"] = filters ? filter_top1 / filters : 0.0;
  if (!history.is_null()) m["history"] = history;
  return m;
}

// One test image under every shift, enlarged for viewing.
nlohmann::json write_examples(const data::DatasetPtr& test, const std::vector<Shift>& shifts,
                              const fs::path& out) {
  fs::create_directories(out / "examples");
  const cv::Mat image = test->get(0).image;
  nlohmann::json examples = nlohmann::json::array();
  for (const auto& shift : shifts) {
    if (shift.severity != 0 && shift.severity != 1 && shift.severity != 3 && shift.severity != 5) continue;
    cv::Mat shown = shift.apply(image, 0), large, bgr;
    cv::resize(shown, large, {}, 4, 4, cv::INTER_NEAREST);
    if (large.channels() == 3) cv::cvtColor(large, large, cv::COLOR_RGB2BGR);
    const std::string file = "examples/" + shift.name +
                             (shift.severity ? "_" + std::to_string(shift.severity) : "") + ".png";
    if (!cv::imwrite((out / file).string(), large)) throw Error("cannot write " + (out / file).string());
    examples.push_back({{"shift", shift.name}, {"severity", shift.severity}, {"file", file}});
  }
  return examples;
}

// The shifts whose feature divergence from the clean test set the demo reports: the corruption
// AdvBN helps most at this scale and the filter the paper uses (§5.4, "Toaster").
constexpr const char* kDivergenceShifts[] = {"corruption:gaussian_noise:3", "filter:toaster"};

// Clean ↔ each shift, for every model, at the cut and every later block (paper Fig. 4).
nlohmann::json divergence_report(const std::vector<ModelUnderTest>& models, const std::vector<std::string>& blocks,
                                 const FeatureSource& clean, size_t batch, const DemoOptions& options,
                                 std::ostream& log) {
  const auto clean_moments = measure_block_moments(models, blocks, clean, batch, options.device);
  nlohmann::json comparisons = nlohmann::json::array();
  for (const char* spec : kDivergenceShifts) {
    const auto shifted = shifted_source(clean, parse_shift(spec, options.seed));
    const auto divergence =
        block_divergences(clean_moments, measure_block_moments(models, blocks, shifted, batch, options.device));
    report::DivergenceComparison comparison{clean.name, shifted.name, static_cast<int64_t>(clean.dataset->size()),
                                            static_cast<int64_t>(clean.dataset->size()), blocks, {}};
    log << "  divergence clean vs " << shifted.name << " at " << blocks.back() << ":";
    for (size_t m = 0; m < models.size(); ++m) {
      comparison.models.push_back({models[m].name, models[m].branch == BNBranch::Adv ? "adv" : "clean", divergence[m]});
      log << " " << models[m].name << " " << std::setprecision(3) << divergence[m].back();
    }
    log << "\n";
    comparisons.push_back(report::to_json(comparison));
  }
  return comparisons;
}

void print_table(const nlohmann::json& report, std::ostream& log) {
  log << "\n" << std::left << std::setw(18) << "model" << std::right << std::setw(12) << "clean top-1"
      << std::setw(18) << "corruption error" << std::setw(15) << "filter top-1" << "\n";
  for (const auto& [name, m] : report.at("models").items()) {
    log << std::left << std::setw(18) << name << std::right << std::fixed << std::setprecision(2)
        << std::setw(11) << m.at("clean_top1").get<double>() << "%" << std::setw(17)
        << m.at("corruption_error").get<double>() << "%" << std::setw(14)
        << m.at("filters_top1").get<double>() << "%\n";
  }
  if (!report.contains("comparison")) return;
  log << "\n" << std::left << std::setw(14) << "method" << std::right << std::setw(18) << "clean top-1"
      << std::setw(20) << "corruption error" << std::setw(18) << "filter top-1" << std::setw(12) << "s/epoch"
      << "   (mean ± std over seeds)\n";
  for (const auto& m : report::read_method_comparison(report.at("comparison"))) {
    log << std::left << std::setw(14) << m.method << std::right << std::fixed << std::setprecision(2);
    for (const auto figure : {&report::MethodRun::clean_top1, &report::MethodRun::corruption_error,
                              &report::MethodRun::filters_top1, &report::MethodRun::seconds_per_epoch}) {
      const auto s = report::spread_of(m.runs, figure);
      char text[48];
      std::snprintf(text, sizeof text, "%.2f ± %.2f", s.mean, s.std);
      // "±" takes two bytes and one column: one more byte than the width.
      log << " " << std::setw(figure == &report::MethodRun::seconds_per_epoch ? 15 : 18) << text;
    }
    log << "\n";
  }
}

}  // namespace

std::vector<std::string> default_comparison_methods() {
  std::vector<std::string> names;
  for (const auto& name : train_method_names()) {
    names.push_back(name);
    if (name != "advbn") continue;
    for (const auto& variant : kAdvBNVariants) names.push_back(variant.name);
  }
  return names;
}

nlohmann::json run_demo(const DemoOptions& requested, std::ostream& log) {
  const auto start = std::chrono::steady_clock::now();
  // One spelling of the output folder, whatever the command line said: the paths in every run's
  // stored configuration derive from it, and a finished run is reused only when they match.
  DemoOptions options = requested;
  options.out = fs::absolute(options.out).lexically_normal().string();
  const DemoPlan plan = plan_for(options);
  // Names are checked before anything trains.
  if (options.seeds < 1) throw Error("--seeds must be >= 1, got " + std::to_string(options.seeds));
  for (const auto& name : options.compare) {
    if (!advbn_variant(name)) parse_train_method(name);
  }
  fs::create_directories(options.out);

  log << "[1/4] pretraining " << plan.arch << " (width " << plan.width << ") from scratch\n";
  const auto pretrain = pretrain_config(options, plan);
  const auto pretrain_history = ensure_trained(pretrain, options, log);
  const std::string pretrained = (fs::path(pretrain.out) / "best.safetensors").string();

  log << "[2/4] fine-tuning after " << plan.cut << " without AdvBN\n";
  const auto standard = finetune_config(options, plan, TrainMethod::Standard, pretrained);
  const auto standard_history = ensure_trained(standard, options, log);
  log << "[3/4] fine-tuning after " << plan.cut << " with AdvBN\n";
  const auto advbn = finetune_config(options, plan, TrainMethod::AdvBN, pretrained);
  const auto advbn_history = ensure_trained(advbn, options, log);

  // Every compared method at every seed, trained before anything is tested.
  struct ComparedRun {
    std::string method;
    TrainConfig config;
    nlohmann::json history;
  };
  std::vector<ComparedRun> compared;
  if (!options.compare.empty()) {
    for (int k = 0; k < options.seeds; ++k) {
      const uint64_t seed = options.seed + static_cast<uint64_t>(k);
      for (const auto& name : options.compare) {
        log << "[compare] " << name << ", seed " << seed << "\n";
        const auto config = comparison_config(options, plan, name, pretrained, seed);
        compared.push_back({name, config, ensure_trained(config, options, log)});
      }
    }
  }

  log << "[4/4] testing on the clean test set, 15 corruptions × 5 severities and "
      << shift::filter_names().size() << " filters; feature divergence\n";
  // The validation part is the one every training run above held out (same fraction and seed).
  const auto test_all =
      options.on_validation
          ? data::split_validation(data::open_dataset(options.data, data::Split::Train),
                                   pretrain.val_fraction, pretrain.seed)
                .second
          : data::open_dataset(options.data, data::Split::Test);
  const auto test = data::random_subset(test_all, static_cast<size_t>(plan.test_images), options.seed);
  auto load = [&](const TrainConfig& c) {
    auto network = load_network(c.network, (fs::path(c.out) / "best.safetensors").string(), false);
    network->to(options.device);
    return network;
  };
  auto pretrained_net = load(pretrain), standard_net = load(standard), advbn_net = load(advbn);
  const std::vector<ModelUnderTest> models{{"pretrained", pretrained_net.get(), BNBranch::Clean},
                                           {"standard", standard_net.get(), BNBranch::Clean},
                                           {"advbn", advbn_net.get(), BNBranch::Clean},
                                           {"advbn_adv_branch", advbn_net.get(), BNBranch::Adv}};
  // The compared models see the same shifted batches as the demo's own, in the same pass.
  std::vector<StagedNetwork> compared_nets;
  std::vector<ModelUnderTest> tested = models;
  for (const auto& run : compared) {
    compared_nets.push_back(load(run.config));
    tested.push_back({run.method, compared_nets.back().get(), BNBranch::Clean});
  }
  std::vector<Shift> shifts{clean_shift()};
  for (auto& s : corruption_shifts(shift::common_corruptions(), {1, 2, 3, 4, 5}, options.seed)) shifts.push_back(s);
  for (auto& s : filter_shifts(shift::filter_names())) shifts.push_back(s);
  const auto probe = test->get(0).image;
  const int size = std::max(probe.rows, probe.cols);
  // Every model of the demo is fine-tuned from one pretrained network, so they share its normalisation.
  const auto pipeline = data::eval_pipeline(size, true, pretrained_net->spec().normalization);
  const auto top1 = evaluate_shifts(
      tested, test, pipeline, shifts,
      static_cast<size_t>(plan.batch), options.device, [&](size_t done) {
        if ((done + 1) % 10 == 0 || done + 1 == shifts.size()) {
          log << "  " << done + 1 << "/" << shifts.size() << " test sets\n" << std::flush;
        }
      });

  auto autoencoder_sets = make_autoencoder_test_sets(
      options, {plan.arch, pretrained, plan.cut, plan.decoder_epochs, plan.decoder_limit}, test, log);
  const auto autoencoder_top1 = evaluate_shifts(models, test, pipeline, autoencoder_sets.shifts,
                                                static_cast<size_t>(plan.batch), options.device);
  for (size_t m = 0; m < models.size(); ++m) {
    for (size_t s = 0; s < autoencoder_sets.shifts.size(); ++s) {
      autoencoder_sets.section["models"][models[m].name][autoencoder_sets.shifts[s].name] = autoencoder_top1[m][s];
    }
  }

  const auto divergence =
      divergence_report(models, default_divergence_blocks(*pretrained_net, plan.cut), {"clean", test, pipeline},
                        static_cast<size_t>(plan.batch), options, log);

  nlohmann::json report;
  report["dataset"] = "fashion-mnist";
  report["date"] = timestamp();
  report["test_images"] = test->size();
  report["test_split"] = options.on_validation ? "validation" : "test";
  const std::vector<nlohmann::json> histories{pretrain_history, standard_history, advbn_history, nullptr};
  for (size_t m = 0; m < models.size(); ++m) {
    report["models"][models[m].name] = model_report(shifts, top1[m], histories[m]);
  }
  report["config"] = {{"quick", options.quick},
                      {"seed", options.seed},
                      {"arch", plan.arch},
                      {"width", plan.width},
                      {"stem", "small"},
                      {"cut", plan.cut},
                      {"eps", plan.epsilon},
                      {"pretrain", pretrain.to_json()},
                      {"standard", standard.to_json()},
                      {"advbn", advbn.to_json()},
                      {"compare", options.compare},
                      {"seeds", options.seeds}};
  if (!compared.empty()) {
    std::vector<report::MethodResults> comparison;
    for (size_t r = 0; r < compared.size(); ++r) {
      const auto figures = model_report(shifts, top1[models.size() + r], nullptr);
      auto entry = std::find_if(comparison.begin(), comparison.end(),
                                [&](const report::MethodResults& m) { return m.method == compared[r].method; });
      if (entry == comparison.end()) entry = comparison.insert(comparison.end(), {compared[r].method, {}});
      entry->runs.push_back({compared[r].config.seed, figures.at("clean_top1").get<double>(),
                             figures.at("corruption_error").get<double>(), figures.at("filters_top1").get<double>(),
                             seconds_per_epoch(compared[r].history)});
    }
    report["comparison"] = report::to_json(comparison);
  }
  report["divergence"] = divergence;
  report["autoencoder"] = autoencoder_sets.section;
  if (options.segmentation) report["segmentation"] = run_segmentation_demo(options, log);
  report["examples"] = write_examples(test, shifts, options.out);
  report["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto json_path = fs::path(options.out) / "report.json";
  std::ofstream json_file(json_path);
  json_file << report.dump(2) << "\n";
  if (!json_file) throw Error("cannot write " + json_path.string());
  report::write_html_report(report, options.out);
  print_table(report, log);
  print_autoencoder_table(report["autoencoder"], log);
  if (options.segmentation) print_segmentation_table(report["segmentation"], log);
  log << "\nreport: " << (fs::path(options.out) / "report.html").string() << " ("
      << std::setprecision(0) << report["seconds"].get<double>() << " s)\n";
  return report;
}

}  // namespace advbn
