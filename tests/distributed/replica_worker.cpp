// One rank of the job that DistributedTraining.ParametersIdenticalAcrossRanksAfterEveryStep
// starts: AdvBN fine-tuning steps on this rank's half of random batches, with gradients averaged
// in small buckets (so that several all-reduces overlap each backward pass). After every step it
// compares its parameters and buffers with rank 0's and exits non-zero at the first difference.
//
// usage: advbn_replica_worker STEPS   (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT as torchrun sets them)
#include <torch/torch.h>

#include <cstdlib>
#include <iostream>

#include "advbn/core/adv_batch_norm.h"
#include "advbn/distributed/gradient_sync.h"
#include "advbn/distributed/process_group.h"
#include "advbn/models/network_factory.h"
#include "advbn/train/training_step.h"

int main(int argc, char** argv) try {
  using namespace advbn;
  const int steps = argc > 1 ? std::atoi(argv[1]) : 3;
  torch::set_num_threads(1);
  const auto env = distributed::environment_from_variables();
  if (!env) throw std::runtime_error("WORLD_SIZE is not set");
  distributed::ProcessGroup group(*env, {distributed::Backend::Gloo, std::chrono::seconds(60)});

  // Different initial weights per rank: the job must start from rank 0's.
  torch::manual_seed(100 + group.rank());
  auto network = create_network({"resnet18", 4, "small", 0.125});
  network->set_cut("layer1");
  network->freeze_prefix();
  network->copy_main_to_twins();
  std::vector<torch::Tensor> state = network->buffers();
  for (const auto& p : network->parameters()) state.push_back(p);
  group.broadcast(state, 0);

  torch::optim::SGD optimizer(network->suffix_parameters(), torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(1e-4));
  distributed::GradientSync gradients(network->suffix_parameters(), group, /*bucket_bytes=*/16 << 10);
  const AdvBatchNorm advbn(AdvBNOptions{});
  network->train();
  for (int step = 0; step < steps; ++step) {
    // Each rank's images differ, so its gradients and (per-rank statistics) δ differ too.
    torch::manual_seed(1000 * step + group.rank());
    const auto images = torch::randn({8, 3, 16, 16});
    const auto labels = torch::randint(0, 4, {8});
    std::vector<torch::Tensor> buffers = network->buffers();
    group.broadcast(buffers, 0);
    const auto result = advbn_step(*network, advbn, 1.0, optimizer, images, labels, &gradients);
    if (!result.updated) throw std::runtime_error("non-finite loss");
    for (const auto& item : network->named_parameters()) {
      const auto& name = item.key();
      const auto& tensor = item.value();
      std::vector<torch::Tensor> root{tensor.detach().clone()};
      group.broadcast(root, 0);
      if (!torch::equal(root[0], tensor)) {
        std::cerr << "rank " << group.rank() << ": " << name << " differs from rank 0 after step " << step + 1 << "\n";
        return 1;
      }
    }
  }
  group.barrier();
  std::cout << "rank " << group.rank() << ": parameters identical to rank 0 after each of " << steps
            << " steps (" << gradients.bucket_count() << " gradient buckets)\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "replica worker: " << e.what() << "\n";
  return 1;
}
