// One rank of the jobs that the DistributedWorker tests start, running AdvBN fine-tuning steps
// with gradients averaged in small buckets (so that several all-reduces overlap each backward
// pass). Exits non-zero when a check fails.
//
//   advbn_replica_worker identical STEPS    ranks see different images, per-rank statistics; after
//                                           every step each rank's parameters must equal rank 0's
//   advbn_replica_worker equivalent STEPS   SyncBN and global AdvBN statistics, float64; after the
//                                           steps the job's weights must equal those of one
//                                           process (run by rank 0 beside it) on the global batch
//
//   a third argument `cuda` runs either on GPU LOCAL_RANK over NCCL (default: CPU over Gloo)
//
// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT as torchrun sets them.
#include <torch/torch.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "advbn/core/adv_batch_norm.h"
#include "advbn/distributed/gradient_sync.h"
#include "advbn/distributed/process_group.h"
#include "advbn/models/network_factory.h"
#include "advbn/train/training_step.h"

namespace {

using namespace advbn;

constexpr int64_t kGlobalBatch = 16;

struct Trainee {
  StagedNetwork network;
  std::unique_ptr<torch::optim::SGD> optimizer;
};

// Where this rank computes: the CPU, or its GPU (set once in main).
torch::Device device = torch::kCPU;

Trainee make_trainee(uint64_t seed, torch::Dtype dtype) {
  torch::manual_seed(seed);
  Trainee t;
  t.network = create_network({"resnet18", 4, Stem::Small, 0.125});
  t.network->to(device, dtype);
  t.network->set_cut("layer1");
  t.network->freeze_prefix();
  t.network->copy_main_to_twins();
  t.network->train();
  t.optimizer = std::make_unique<torch::optim::SGD>(
      t.network->suffix_parameters(), torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(1e-4));
  return t;
}

std::vector<torch::Tensor> state_of(StagedNetworkImpl& network) {
  std::vector<torch::Tensor> state = network.buffers();
  for (const auto& p : network.parameters()) state.push_back(p);
  return state;
}

// The global batch of a step: the same on every rank.
std::pair<torch::Tensor, torch::Tensor> global_batch(int step, torch::Dtype dtype) {
  torch::manual_seed(1000 + step);
  return {torch::randn({kGlobalBatch, 3, 16, 16}).to(device, dtype),
          torch::randint(0, 4, {kGlobalBatch}).to(device)};
}

int identical(distributed::ProcessGroup& group, int steps) {
  // Different initial weights per rank: the job must start from rank 0's.
  Trainee t = make_trainee(100 + group.rank(), torch::kFloat32);
  auto state = state_of(*t.network);
  group.broadcast(state, 0);
  distributed::GradientSync gradients(t.network->suffix_parameters(), group, /*bucket_bytes=*/16 << 10);
  const AdvBatchNorm advbn(AdvBNOptions{});
  for (int step = 0; step < steps; ++step) {
    // Each rank's images differ, so its gradients and its δ differ too.
    torch::manual_seed(1000 * step + group.rank());
    const auto images = torch::randn({8, 3, 16, 16}).to(device);
    const auto labels = torch::randint(0, 4, {8}).to(device);
    auto buffers = t.network->buffers();
    group.broadcast(buffers, 0);
    if (!advbn_step(*t.network, advbn, 1.0, *t.optimizer, images, labels, &gradients).updated) {
      throw std::runtime_error("non-finite loss");
    }
    for (const auto& item : t.network->named_parameters()) {
      std::vector<torch::Tensor> root{item.value().detach().clone()};
      group.broadcast(root, 0);
      if (!torch::equal(root[0], item.value())) {
        std::cerr << "rank " << group.rank() << ": " << item.key() << " differs from rank 0 after step " << step + 1 << "\n";
        return 1;
      }
    }
  }
  std::cout << "rank " << group.rank() << ": parameters identical to rank 0 after each of " << steps
            << " steps (" << gradients.bucket_count() << " gradient buckets)\n";
  return 0;
}

int equivalent(distributed::ProcessGroup& group, int steps) {
  const ReplicaSum sum = [&](torch::Tensor& t) { group.all_reduce_sum(t); };
  Trainee job = make_trainee(11, torch::kFloat64);
  job.network->synchronise_batch_norms(sum);
  distributed::GradientSync gradients(job.network->suffix_parameters(), group, /*bucket_bytes=*/16 << 10);
  const AdvBatchNorm job_advbn(AdvBNOptions{}, sum);
  // Rank 0 also trains the single-process reference on the whole batch.
  Trainee single = make_trainee(11, torch::kFloat64);
  const AdvBatchNorm single_advbn(AdvBNOptions{});
  const int64_t share = kGlobalBatch / group.world_size();
  for (int step = 0; step < steps; ++step) {
    const auto [images, labels] = global_batch(step, torch::kFloat64);
    if (group.rank() == 0) advbn_step(*single.network, single_advbn, 1.0, *single.optimizer, images, labels);
    const auto mine = torch::indexing::Slice(group.rank() * share, (group.rank() + 1) * share);
    advbn_step(*job.network, job_advbn, 1.0, *job.optimizer, images.index({mine}), labels.index({mine}), &gradients);
  }
  if (group.rank() != 0) return 0;
  double largest = 0, moved = 0;
  const auto start = make_trainee(11, torch::kFloat64).network->named_parameters();
  const auto expected = single.network->named_parameters();
  for (const auto& item : job.network->named_parameters()) {
    largest = std::max(largest, (item.value() - expected[item.key()]).abs().max().item<double>());
    moved = std::max(moved, (expected[item.key()] - start[item.key()]).abs().max().item<double>());
  }
  const auto expected_buffers = single.network->named_buffers();
  for (const auto& item : job.network->named_buffers()) {
    largest = std::max(largest, (item.value().to(torch::kFloat64) - expected_buffers[item.key()].to(torch::kFloat64))
                                    .abs().max().item<double>());
  }
  std::cout << "after " << steps << " steps on " << group.world_size() << " ranks: largest difference from one process "
            << largest << " (weights moved up to " << moved << ")\n";
  return largest <= 1e-5 && moved > 1e-2 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string mode = argc > 1 ? argv[1] : "";
  const int steps = argc > 2 ? std::atoi(argv[2]) : 3;
  torch::set_num_threads(1);
  const auto env = distributed::environment_from_variables();
  if (!env) throw std::runtime_error("WORLD_SIZE is not set");
  const bool on_gpu = argc > 3 && std::string(argv[3]) == "cuda";
  if (on_gpu) device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(env->local_rank));
  distributed::ProcessGroup group(
      *env, {on_gpu ? distributed::Backend::Nccl : distributed::Backend::Gloo, std::chrono::seconds(60)});
  int status = 2;
  if (mode == "identical") status = identical(group, steps);
  if (mode == "equivalent") status = equivalent(group, steps);
  group.barrier();
  return status;
} catch (const std::exception& e) {
  std::cerr << "replica worker: " << e.what() << "\n";
  return 1;
}
