// The GPU path against the CPU: the same weights and inputs give the same logits and the same
// AdvBN perturbation, and data-parallel training runs over NCCL. Skipped where LibTorch sees no
// CUDA device (or, for NCCL, fewer than two); scripts/gpu_check.sh runs them on a GPU machine.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/core/adv_batch_norm.h"
#include "advbn/distributed/process_group.h"
#include "advbn/models/network_factory.h"
#include "distributed/ranks.h"
#include "test_support.h"
#include "train/tiny_dataset.h"

namespace advbn {
namespace {

using std::chrono::seconds;

const torch::Device kGpu(torch::kCUDA, 0);

// The same random weights on both devices (drawn on the CPU from one seed).
StagedNetwork network_on(torch::Device device, torch::Dtype dtype, const NetworkSpec& spec) {
  torch::manual_seed(0);
  auto network = create_network(spec);
  network->to(device, dtype);
  network->eval();
  return network;
}

double largest_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kCPU, torch::kFloat64) - b.to(torch::kCPU, torch::kFloat64)).abs().max().item<double>();
}

TEST(Gpu, LogitsMatchTheCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "LibTorch sees no CUDA device";
  // TF32 would round float32 convolutions to 10-bit mantissas on recent GPUs.
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
  const std::vector<NetworkSpec> specs = {{"resnet18", 10, Stem::Small, 0.25},
                                          {"resnet50", 10, Stem::ImageNet, 1.0},
                                          {"densenet121", 10, Stem::ImageNet, 1.0},
                                          {"efficientnet_b0", 10, Stem::ImageNet, 1.0}};
  for (const auto& spec : specs) {
    const std::string arch = spec.arch;
    for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
      torch::manual_seed(1);
      const auto images = torch::randn({2, 3, 64, 64}, dtype);
      torch::NoGradGuard no_grad;
      const auto cpu = network_on(torch::kCPU, dtype, spec)->forward(images, BNBranch::Clean);
      const auto gpu = network_on(kGpu, dtype, spec)->forward(images.to(kGpu), BNBranch::Clean);
      const double scale = 1 + cpu.abs().max().item<double>();
      const double tolerance = dtype == torch::kFloat64 ? 1e-10 : 1e-4;
      EXPECT_LE(largest_difference(cpu, gpu), tolerance * scale) << arch << " " << dtype;
      std::cout << arch << " " << dtype << ": largest logit difference " << largest_difference(cpu, gpu)
                << " (logits up to " << scale - 1 << ")\n";
    }
  }
}

// In float64 the sign of every δ gradient is the same on both devices, so PGD takes the same steps.
TEST(Gpu, AttackFindsTheSameDeltaAsTheCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "LibTorch sees no CUDA device";
  const auto attack_on = [](torch::Device device) {
    auto network = network_on(device, torch::kFloat64, {"resnet18", 10, Stem::Small, 0.25});
    network->set_cut("layer1");
    network->freeze_prefix();
    torch::manual_seed(2);
    const auto images = torch::randn({8, 3, 16, 16}, torch::kFloat64).to(device);
    const auto labels = torch::randint(0, 10, {8}, torch::kLong).to(device);
    torch::Tensor features;
    {
      torch::NoGradGuard no_grad;
      features = network->prefix(images);
    }
    const FeatureLoss loss = [network, labels](const torch::Tensor& f) {
      return torch::cross_entropy_loss(network->suffix(f, BNBranch::Adv), labels);
    };
    AdvBNOptions options;
    options.random_start = false;
    return AdvBatchNorm(options).attack(features, loss);
  };
  const AdvBNResult cpu = attack_on(torch::kCPU);
  const AdvBNResult gpu = attack_on(kGpu);
  EXPECT_LE(largest_difference(cpu.delta_mu, gpu.delta_mu), 1e-9);
  EXPECT_LE(largest_difference(cpu.delta_sigma, gpu.delta_sigma), 1e-9);
  ASSERT_EQ(cpu.losses.size(), gpu.losses.size());
  for (size_t i = 0; i < cpu.losses.size(); ++i) EXPECT_NEAR(cpu.losses[i], gpu.losses[i], 1e-9) << "step " << i;
  EXPECT_GT(cpu.losses.back(), cpu.losses.front()) << "the attack should raise the loss";
  std::cout << "attack: loss " << cpu.losses.front() << " -> " << cpu.losses.back() << "; largest δ difference "
            << std::max(largest_difference(cpu.delta_mu, gpu.delta_mu),
                        largest_difference(cpu.delta_sigma, gpu.delta_sigma))
            << "\n";
}

// Gradient buckets, the agreement on finite losses and the metric sums all reduce GPU tensors.
TEST(Gpu, TwoRanksOverNcclTrainLikeOneProcess) {
  if (!torch::cuda::is_available() || torch::cuda::device_count() < 2) {
    GTEST_SKIP() << "NCCL needs two CUDA devices";
  }
  if (!distributed::backend_available(distributed::Backend::Nccl)) {
    GTEST_SKIP() << "this build has no NCCL (configure with -DADVBN_WITH_NCCL=ON)";
  }
  const auto dir = test::temp_dir("gpu_nccl");
  const std::string worker = test::env_or_throw("ADVBN_REPLICA_WORKER");
  {
    test::LocalJob job(worker, {"identical", "4", "cuda"}, 2, dir);
    const auto outcomes = job.wait(seconds(300));
    for (const auto& o : outcomes) EXPECT_EQ(o.exit_code, 0) << o.log;
  }
  {
    test::LocalJob job(worker, {"equivalent", "5", "cuda"}, 2, dir);
    const auto outcomes = job.wait(seconds(300));
    for (const auto& o : outcomes) EXPECT_EQ(o.exit_code, 0) << o.log;
    std::cout << outcomes[0].log;
  }
  test::write_quadrant_idx(dir / "data", 128, 32);
  const std::vector<std::string> train = {
      "train", "--from-scratch", "--arch", "resnet18",
      "--stem", "small", "--width", "0.125", "--data", (dir / "data").string(), "--val-data",
      (dir / "data").string(), "--out", (dir / "run").string(), "--epochs", "1", "--batch", "16",
      "--device", "cuda", "--backend", "nccl", "--threads", "1"};
  test::LocalJob job(test::env_or_throw("ADVBN_TOOL"), train, 2, dir);
  const auto outcomes = job.wait(seconds(300));
  for (const auto& o : outcomes) EXPECT_EQ(o.exit_code, 0) << o.log;
  EXPECT_NE(outcomes[0].log.find("2 ranks"), std::string::npos) << outcomes[0].log;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace advbn
