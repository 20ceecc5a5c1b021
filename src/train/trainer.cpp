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
#include "advbn/train/progress.h"
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
  DataSetup d;
  d.train = data::open_dataset(config.data, data::Split::Train);
  d.num_classes = d.train->num_classes();
  if (!config.val_data.empty()) {
    d.val = data::open_dataset(config.val_data, data::Split::Test);
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
  d.image_size = config.image_size > 0 ? config.image_size : (d.small_images ? native : 224);
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
  out << nlohmann::json{{"epoch", r.epoch},         {"lr", r.lr},
                        {"train_loss", r.train_loss}, {"train_top1", r.train_top1},
                        {"train_adv_top1", r.train_adv_top1}, {"val_top1", r.val_top1},
                        {"val_loss", r.val_loss},     {"seconds", r.seconds},
                        {"images_per_second", r.images_per_second}}
             .dump()
      << "\n";
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

}  // namespace

std::vector<EpochReport> train(const TrainConfig& config, const TrainRunOptions& options,
                               std::ostream& log) {
  config.validate();
  const Replicas replicas(options.group);
  if (config.batch % replicas.count() != 0) {
    throw Error("the global batch (" + std::to_string(config.batch) + ") must be a multiple of the " +
                std::to_string(replicas.count()) + " ranks");
  }
  const auto batch_per_rank = static_cast<size_t>(config.batch / replicas.count());
  std::ostream discarded(nullptr);  // no buffer: everything written to it is dropped
  std::ostream& log_out = replicas.writes() ? log : discarded;
  if (replicas.writes()) std::filesystem::create_directories(config.out);
  torch::manual_seed(config.seed);

  const DataSetup data = open_data(config);
  for (const auto& warning : data.train->warnings()) log_out << "warning: " << warning << "\n";
  auto network = build_network(config, data);
  network->freeze_prefix();
  const Precision precision = parse_precision(config.precision);
  const auto dtype = weight_dtype(precision);
  network->to(options.device, dtype);
  if (config.sync_bn) network->synchronise_batch_norms(replicas.sum);

  const auto normalization = data::imagenet_normalization();
  const auto method = make_training_method(config, *network, normalization, replicas.sum);
  const bool adversarial = method->has_adversarial_half();
  const int workers = config.workers > 0 ? config.workers : std::max(1, torch::get_num_threads());
  data::Loader train_loader(
      data.train, data::train_pipeline(config.augment, data.image_size, data.small_images, normalization),
      {batch_per_rank, /*shuffle=*/true, /*drop_last=*/true, workers, 4, config.seed, replicas.rank(),
       replicas.count()});
  if (train_loader.batches_per_epoch() == 0) {
    throw Error(config.data + ": fewer training images (" + std::to_string(data.train->size()) +
                ") than one global batch (" + std::to_string(config.batch) + ")");
  }
  std::unique_ptr<data::Loader> val_loader;
  if (data.val) {
    val_loader = std::make_unique<data::Loader>(
        data.val, data::eval_pipeline(data.image_size, data.small_images, normalization),
        data::LoaderOptions{batch_per_rank, false, false, workers, 4, config.seed, replicas.rank(),
                            replicas.count()});
  }

  torch::optim::SGD optimizer(network->suffix_parameters(),
                              torch::optim::SGDOptions(config.lr)
                                  .momentum(config.momentum)
                                  .weight_decay(config.weight_decay));
  std::unique_ptr<distributed::GradientSync> gradient_sync;
  if (replicas.group) {
    gradient_sync = std::make_unique<distributed::GradientSync>(network->suffix_parameters(), *replicas.group);
  }
  TrainingProgress progress;
  if (options.resume) {
    progress = read_checkpoint_header(config.out).second;
    restore_checkpoint(config.out, *network, optimizer);
    log_out << "resuming " << config.out << " at epoch " << progress.next_epoch + 1 << "\n";
  } else if (!config.from_scratch) {
    network->copy_main_to_twins();  // twins start from the pretrained BN
  }
  replicas.take_rank0(network_state(*network, /*with_parameters=*/true));

  log_out << to_string(config.method) << (config.from_scratch ? " (from scratch)" : "") << ": "
      << network->arch() << " cut " << network->cut() << ", " << data.train->description()
      << ", image size " << data.image_size << ", " << train_loader.batches_per_epoch()
      << " steps/epoch";
  if (replicas.group) {
    log_out << " on each of " << replicas.count() << " ranks (" << batch_per_rank << " images per rank and step)";
  }
  log_out << "\n";
  ProgressReporter reporter(log_out, options.interactive && replicas.writes());
  std::vector<EpochReport> reports;
  for (int epoch = progress.next_epoch; epoch < config.epochs; ++epoch) {
    EpochReport report;
    report.epoch = epoch + 1;
    report.lr = config.lr * std::pow(config.lr_factor, epoch / config.lr_step);
    for (auto& group : optimizer.param_groups()) {
      static_cast<torch::optim::SGDOptions&>(group.options()).lr(report.lr);
    }
    torch::manual_seed(epoch_seed(config.seed, epoch));
    train_loader.start_epoch(epoch);
    network->train();
    ClassificationMeter clean_meter, adv_meter;
    const auto start = std::chrono::steady_clock::now();
    reporter.begin("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config.epochs),
                   static_cast<int64_t>(train_loader.batches_per_epoch()), config.batch);
    int64_t step = 0;
    while (auto batch = train_loader.next()) {
      const auto images = batch->images.to(options.device, dtype);
      const auto labels = batch->labels.to(options.device);
      const int64_t n = labels.size(0);
      // Without SyncBN each rank's batch moves its own running statistics; like
      // DistributedDataParallel, every step starts from rank 0's (the attack runs on them).
      if (!config.sync_bn) replicas.take_rank0(network_state(*network, /*with_parameters=*/false));
      const AutocastScope autocast(precision, options.device);
      const StepResult result = method->step(*network, optimizer, images, labels,
                                             step_seed(config.seed, epoch, step), gradient_sync.get());
      if (!result.updated) {
        throw Error("training loss became " + std::to_string(result.loss) + " at epoch " +
                    std::to_string(epoch + 1) + ", step " + std::to_string(step + 1) +
                    "; the last good checkpoint is in " + config.out + " (lower --lr?)");
      }
      clean_meter.add(result.clean_logits, labels, result.clean_loss * n);
      if (adversarial) adv_meter.add(result.adv_logits, labels, result.adv_loss * n);
      ++step;
      reporter.step(step, {result.loss, clean_meter.top1(), adversarial ? adv_meter.top1() : -1});
    }
    if (!config.sync_bn) replicas.take_rank0(network_state(*network, /*with_parameters=*/false));
    clean_meter.merge_replicas(replicas.sum, options.device);
    if (adversarial) adv_meter.merge_replicas(replicas.sum, options.device);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.images_per_second = step * config.batch / std::max(report.seconds, 1e-9);
    report.train_loss = clean_meter.mean_loss() + (adversarial ? config.gamma * adv_meter.mean_loss() : 0);
    report.train_top1 = clean_meter.top1();
    report.train_adv_top1 = adversarial ? adv_meter.top1() : -1;
    if (val_loader) {
      const auto val = evaluate(*network, *val_loader, BNBranch::Clean, options.device, nullptr, replicas.sum);
      report.val_top1 = val.top1;
      report.val_loss = val.loss;
    }
    std::ostringstream summary;
    summary << std::fixed << std::setprecision(1) << "done in " << report.seconds << "s ("
            << std::setprecision(0) << report.images_per_second << " img/s), loss "
            << std::setprecision(4) << report.train_loss << std::setprecision(2) << ", train acc "
            << report.train_top1 << "%";
    if (adversarial) summary << ", adv acc " << report.train_adv_top1 << "%";
    if (val_loader) summary << ", val acc " << report.val_top1 << "%";
    reporter.end(summary.str());

    if (config.from_scratch) network->copy_main_to_twins();  // twins are unused; keep them valid
    progress.next_epoch = epoch + 1;
    const bool best = report.val_top1 > progress.best_val_top1 || !val_loader;
    if (best) {
      progress.best_val_top1 = report.val_top1;
      progress.best_epoch = epoch + 1;
    }
    if (replicas.writes()) {
      const std::filesystem::path dir(config.out);
      save_network(*network, (dir / "last.safetensors").string());
      if (best) save_network(*network, (dir / "best.safetensors").string());
      save_checkpoint(config.out, *network, optimizer, config, progress);
      append_metrics(config.out, report);
    }
    reports.push_back(report);
    if (epoch + 1 == options.stop_after_epoch) break;
  }
  // No rank returns before rank 0's checkpoint of the last epoch is on disk.
  if (replicas.group) replicas.group->barrier();
  return reports;
}

}  // namespace advbn
