#include "advbn/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "advbn/data/dataset.h"
#include "advbn/data/loader.h"
#include "advbn/data/normalization.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/data/segmentation_folder.h"
#include "advbn/data/subset.h"
#include "advbn/distributed/gradient_sync.h"
#include "advbn/distributed/process_group.h"
#include "advbn/error.h"
#include "advbn/eval/evaluate.h"
#include "advbn/eval/meters.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"
#include "advbn/train/checkpoint.h"
#include "advbn/train/precision.h"
#include "advbn/report/progress.h"
#include "advbn/train/training_method.h"

namespace advbn {

namespace {

struct DataSetup {
  data::DatasetPtr train, val;
  int image_size = 0;
  bool small_images = false;
  int64_t num_classes = 0;
};

DataSetup open_data(const TrainConfig& config) {
  const bool segmentation = config.task == Task::Segmentation;
  const auto open = [segmentation](const std::string& path, data::Split split) {
    return segmentation ? data::open_segmentation_folder(path, split) : data::open_dataset(path, split);
  };
  DataSetup d;
  d.train = open(config.data, data::Split::Train);
  d.num_classes = d.train->num_classes();
  if (!config.val_data.empty()) {
    d.val = open(config.val_data, data::Split::Test);
  } else if (config.val_fraction > 0) {
    std::tie(d.train, d.val) = data::split_validation(d.train, config.val_fraction, config.seed);
  }
  if (config.limit > 0 && static_cast<size_t>(config.limit) < d.train->size()) {
    std::vector<size_t> first(config.limit);
    std::iota(first.begin(), first.end(), size_t{0});
    d.train = data::subset(d.train, first);
  }
  const auto probe = d.train->get(0).image;
  const int native = std::max(probe.rows, probe.cols);
  d.small_images = native <= 64;
  const int automatic = segmentation ? (d.small_images ? std::min(probe.rows, probe.cols) : 512)
                                     : (d.small_images ? native : 224);
  d.image_size = config.image_size > 0 ? config.image_size : automatic;
  return d;
}

StagedNetwork build_network(const TrainConfig& config, const DataSetup& data) {
  NetworkSpec spec = config.network;
  // From scratch the data sets the class count; fine-tuning keeps the pretrained head's.
  if (config.from_scratch && spec.num_classes <= 0) spec.num_classes = data.num_classes;
  auto network = config.from_scratch ? create_network(spec)
                                     : load_network(spec, config.weights, /*arch_explicit=*/false);
  if (network->spec().num_classes < data.num_classes) {
    throw Error(config.data + " has " + std::to_string(data.num_classes) + " classes but the network has " +
                std::to_string(network->spec().num_classes) + " outputs");
  }
  network->set_cut(config.from_scratch ? kNoCut : config.cut);
  return network;
}

uint64_t epoch_seed(uint64_t seed, int epoch) { return seed * 1000003ULL + static_cast<uint64_t>(epoch); }
// Distinct for every step of a run, and the same on every rank of a data-parallel job.
uint64_t step_seed(uint64_t seed, int epoch, int64_t step) {
  return epoch_seed(seed, epoch) * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(step);
}

void append_metrics(const std::string& dir, const EpochReport& r) {
  std::ofstream out(std::filesystem::path(dir) / "metrics.jsonl", std::ios::app);
  nlohmann::json line{{"epoch", r.epoch},         {"lr", r.lr},
                      {"train_loss", r.train_loss}, {"train_top1", r.train_top1},
                      {"train_adv_top1", r.train_adv_top1}, {"val_top1", r.val_top1},
                      {"val_loss", r.val_loss},     {"seconds", r.seconds},
                      {"images_per_second", r.images_per_second}};
  if (r.val_miou >= 0) line["val_miou"] = r.val_miou;
  out << line.dump() << "\n";
  if (!out) throw Error("cannot append to " + dir + "/metrics.jsonl");
}

// What a rank of a data-parallel job shares with the others; a single process has no group.
struct Replicas {
  distributed::ProcessGroup* group = nullptr;
  ReplicaSum sum;  // empty without a group

  explicit Replicas(distributed::ProcessGroup* g) : group(g) {
    if (group) sum = [g](torch::Tensor& t) { g->all_reduce_sum(t); };
  }
  int rank() const { return group ? group->rank() : 0; }
  int count() const { return group ? group->world_size() : 1; }
  bool writes() const { return rank() == 0; }

  // Every rank takes rank 0's values, as DistributedDataParallel does when it starts.
  void take_rank0(std::vector<torch::Tensor> tensors) const {
    if (group) group->broadcast(tensors, 0);
  }
};

std::vector<torch::Tensor> network_state(StagedNetworkImpl& network, bool with_parameters) {
  std::vector<torch::Tensor> state = network.buffers();
  if (with_parameters) {
    for (const auto& p : network.parameters()) state.push_back(p);
  }
  return state;
}

// One training run, in the phases a reader follows: set-up (the constructor), then for each epoch
// run_epoch() → train_step() per batch → validate() → save_epoch().
class TrainingRun {
 public:
  TrainingRun(const TrainConfig& config, const TrainRunOptions& options, std::ostream& log);
  std::vector<EpochReport> run();

 private:
  void log_description();
  EpochReport run_epoch(int epoch);
  StepResult train_step(const data::Batch& batch, int epoch, int64_t step);
  void validate(EpochReport& report);
  void save_epoch(const EpochReport& report);

  const TrainConfig& config_;
  const TrainRunOptions& options_;
  const Replicas replicas_;
  size_t batch_per_rank_ = 0;
  std::ostream discarded_{nullptr};  // no buffer: everything written to it is dropped
  std::ostream& log_;                // the caller's log on rank 0, discarded_ elsewhere
  DataSetup data_;
  StagedNetwork network_{nullptr};
  Precision precision_ = Precision::FP32;
  torch::Dtype dtype_ = torch::kFloat32;
  std::unique_ptr<TrainingMethod> method_;
  bool adversarial_ = false;
  std::unique_ptr<data::Loader> train_loader_, val_loader_;
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::unique_ptr<distributed::GradientSync> gradient_sync_;
  TrainingProgress progress_;
  std::unique_ptr<ProgressReporter> reporter_;
};

TrainingRun::TrainingRun(const TrainConfig& config, const TrainRunOptions& options, std::ostream& log)
    : config_(config), options_(options), replicas_(options.group), log_(replicas_.writes() ? log : discarded_) {
  config.validate();
  if (config.batch % replicas_.count() != 0) {
    throw Error("the global batch (" + std::to_string(config.batch) + ") must be a multiple of the " +
                std::to_string(replicas_.count()) + " ranks");
  }
  batch_per_rank_ = static_cast<size_t>(config.batch / replicas_.count());
  if (replicas_.writes()) std::filesystem::create_directories(config.out);
  torch::manual_seed(config.seed);

  data_ = open_data(config);
  for (const auto& warning : data_.train->warnings()) log_ << "warning: " << warning << "\n";
  network_ = build_network(config, data_);
  network_->freeze_prefix();
  precision_ = config.precision;
  dtype_ = weight_dtype(precision_);
  network_->to(options.device, dtype_);
  if (config.sync_bn) network_->synchronise_batch_norms(replicas_.sum);

  const auto normalization = network_->spec().normalization;
  method_ = make_training_method(config, *network_, normalization, replicas_.sum);
  adversarial_ = method_->has_adversarial_half();
  const int workers = config.workers > 0 ? config.workers : std::max(1, torch::get_num_threads());
  const bool segmentation = config.task == Task::Segmentation;
  train_loader_ = std::make_unique<data::Loader>(
      data_.train,
      segmentation ? data::segmentation_train_pipeline(config.augment, data_.image_size, normalization)
                   : data::train_pipeline(config.augment, data_.image_size, data_.small_images, normalization),
      data::LoaderOptions{batch_per_rank_, /*shuffle=*/true, /*drop_last=*/true, workers, 4, config.seed,
                          replicas_.rank(), replicas_.count()});
  if (train_loader_->batches_per_epoch() == 0) {
    throw Error(config.data + ": fewer training images (" + std::to_string(data_.train->size()) +
                ") than one global batch (" + std::to_string(config.batch) + ")");
  }
  if (data_.val) {
    val_loader_ = std::make_unique<data::Loader>(
        data_.val,
        segmentation ? data::segmentation_eval_pipeline(normalization)
                     : data::eval_pipeline(data_.image_size, data_.small_images, normalization),
        data::LoaderOptions{batch_per_rank_, false, false, workers, 4, config.seed, replicas_.rank(),
                            replicas_.count()});
  }

  optimizer_ = std::make_unique<torch::optim::SGD>(
      network_->suffix_parameters(),
      torch::optim::SGDOptions(config.lr).momentum(config.momentum).weight_decay(config.weight_decay));
  if (replicas_.group) {
    gradient_sync_ = std::make_unique<distributed::GradientSync>(network_->suffix_parameters(), *replicas_.group);
  }
  if (options.resume) {
    progress_ = read_checkpoint_header(config.out).second;
    restore_checkpoint(config.out, *network_, *optimizer_);
    log_ << "resuming " << config.out << " at epoch " << progress_.next_epoch + 1 << "\n";
  } else if (!config.from_scratch) {
    network_->copy_main_to_twins();  // twins start from the pretrained BN
  }
  replicas_.take_rank0(network_state(*network_, /*with_parameters=*/true));
  log_description();
  reporter_ = std::make_unique<ProgressReporter>(log_, options.interactive && replicas_.writes());
}

void TrainingRun::log_description() {
  log_ << to_string(config_.method) << (config_.from_scratch ? " (from scratch)" : "") << ": " << network_->arch()
       << " cut " << network_->cut() << ", " << data_.train->description() << ", image size " << data_.image_size
       << ", " << train_loader_->batches_per_epoch() << " steps/epoch";
  if (replicas_.group) {
    log_ << " on each of " << replicas_.count() << " ranks (" << batch_per_rank_ << " images per rank and step)";
  }
  log_ << "\n";
}

std::vector<EpochReport> TrainingRun::run() {
  std::vector<EpochReport> reports;
  for (int epoch = progress_.next_epoch; epoch < config_.epochs; ++epoch) {
    EpochReport report = run_epoch(epoch);
    validate(report);
    save_epoch(report);
    reports.push_back(report);
    if (epoch + 1 == options_.stop_after_epoch) break;
  }
  // No rank returns before rank 0's checkpoint of the last epoch is on disk.
  if (replicas_.group) replicas_.group->barrier();
  return reports;
}

EpochReport TrainingRun::run_epoch(int epoch) {
  EpochReport report;
  report.epoch = epoch + 1;
  report.lr = config_.lr * std::pow(config_.lr_factor, epoch / config_.lr_step);
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::SGDOptions&>(group.options()).lr(report.lr);
  }
  torch::manual_seed(epoch_seed(config_.seed, epoch));
  train_loader_->start_epoch(epoch);
  network_->train();
  ClassificationMeter clean_meter, adv_meter;
  const auto start = std::chrono::steady_clock::now();
  reporter_->begin("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config_.epochs),
                   static_cast<int64_t>(train_loader_->batches_per_epoch()), config_.batch);
  int64_t step = 0;
  while (auto batch = train_loader_->next()) {
    const StepResult result = train_step(*batch, epoch, step);
    const int64_t n = batch->labels.size(0);
    clean_meter.add(result.clean_logits, batch->labels, result.clean_loss * n);
    if (adversarial_) adv_meter.add(result.adv_logits, batch->labels, result.adv_loss * n);
    ++step;
    reporter_->step(step, {result.loss, clean_meter.top1(), adversarial_ ? adv_meter.top1() : -1});
  }
  if (!config_.sync_bn) replicas_.take_rank0(network_state(*network_, /*with_parameters=*/false));
  clean_meter.merge_replicas(replicas_.sum, options_.device);
  if (adversarial_) adv_meter.merge_replicas(replicas_.sum, options_.device);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.images_per_second = step * config_.batch / std::max(report.seconds, 1e-9);
  report.train_loss = clean_meter.mean_loss() + (adversarial_ ? config_.gamma * adv_meter.mean_loss() : 0);
  report.train_top1 = clean_meter.top1();
  report.train_adv_top1 = adversarial_ ? adv_meter.top1() : -1;
  return report;
}

StepResult TrainingRun::train_step(const data::Batch& batch, int epoch, int64_t step) {
  const auto images = batch.images.to(options_.device, dtype_);
  const auto labels = batch.labels.to(options_.device);
  // Without SyncBN each rank's batch moves its own running statistics; like
  // DistributedDataParallel, every step starts from rank 0's (the attack runs on them).
  if (!config_.sync_bn) replicas_.take_rank0(network_state(*network_, /*with_parameters=*/false));
  const AutocastScope autocast(precision_, options_.device);
  const StepResult result = method_->step(*network_, *optimizer_, images, labels,
                                          step_seed(config_.seed, epoch, step), gradient_sync_.get());
  if (!result.updated) {
    throw Error("training loss became " + std::to_string(result.loss) + " at epoch " + std::to_string(epoch + 1) +
                ", step " + std::to_string(step + 1) + "; the last good checkpoint is in " + config_.out +
                " (lower --lr?)");
  }
  return result;
}

void TrainingRun::validate(EpochReport& report) {
  if (val_loader_ && config_.task == Task::Segmentation) {
    const auto val = evaluate_segmentation(*network_, *val_loader_, data_.num_classes, BNBranch::Clean,
                                           options_.device, nullptr, replicas_.sum);
    report.val_top1 = val.scores.pixel_accuracy;
    report.val_miou = val.scores.mean_iou;
    report.val_loss = val.loss;
  } else if (val_loader_) {
    const auto val = evaluate(*network_, *val_loader_, BNBranch::Clean, options_.device, nullptr, replicas_.sum);
    report.val_top1 = val.top1;
    report.val_loss = val.loss;
  }
  std::ostringstream summary;
  summary << std::fixed << std::setprecision(1) << "done in " << report.seconds << "s (" << std::setprecision(0)
          << report.images_per_second << " img/s), loss " << std::setprecision(4) << report.train_loss
          << std::setprecision(2) << ", train acc " << report.train_top1 << "%";
  if (adversarial_) summary << ", adv acc " << report.train_adv_top1 << "%";
  if (val_loader_) summary << ", val acc " << report.val_top1 << "%";
  if (report.val_miou >= 0) summary << ", val mIoU " << report.val_miou << "%";
  reporter_->end(summary.str());
}

void TrainingRun::save_epoch(const EpochReport& report) {
  if (config_.from_scratch) network_->copy_main_to_twins();  // twins are unused; keep them valid
  progress_.next_epoch = report.epoch;
  // Segmentation keeps the epoch of the best mIoU, classification that of the best top-1.
  const double score = config_.task == Task::Segmentation ? report.val_miou : report.val_top1;
  const bool best = score > progress_.best_val_top1 || !val_loader_;
  if (best) {
    progress_.best_val_top1 = score;
    progress_.best_epoch = report.epoch;
  }
  if (!replicas_.writes()) return;
  const std::filesystem::path dir(config_.out);
  save_network(*network_, (dir / "last.safetensors").string());
  if (best) save_network(*network_, (dir / "best.safetensors").string());
  save_checkpoint(config_.out, *network_, *optimizer_, config_, progress_);
  append_metrics(config_.out, report);
}

}  // namespace

std::vector<EpochReport> train(const TrainConfig& config, const TrainRunOptions& options, std::ostream& log) {
  return TrainingRun(config, options, log).run();
}

}  // namespace advbn
