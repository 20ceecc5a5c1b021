// SyncBN and global AdvBN statistics on R replicas (threads) against one process on the
// concatenated batch.
#include "advbn/core/sync_batch_norm.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/core/adv_batch_norm.h"
#include "advbn/core/dual_batch_norm.h"
#include "advbn/models/network_factory.h"
#include "advbn/distributed/process_group.h"
#include "core/thread_replicas.h"
#include "distributed/ranks.h"

namespace advbn {
namespace {

constexpr int kReplicas = 2;

struct Reference {
  torch::Tensor out, grad_x, grad_weight, grad_bias, running_mean, running_var;
};

// torch::batch_norm on the whole batch, with a loss that weights every output differently.
Reference single_process(const torch::Tensor& x, const torch::Tensor& loss_weights) {
  auto xg = x.clone().requires_grad_(true);
  auto weight = torch::linspace(0.5, 1.5, x.size(1), x.options()).requires_grad_(true);
  auto bias = torch::linspace(-1, 1, x.size(1), x.options()).requires_grad_(true);
  auto running_mean = torch::zeros({x.size(1)}, x.options());
  auto running_var = torch::ones({x.size(1)}, x.options());
  auto out = torch::batch_norm(xg, weight, bias, running_mean, running_var, true, 0.1, 1e-5, false);
  (out * loss_weights).sum().backward();
  return {out.detach(), xg.grad(), weight.grad(), bias.grad(), running_mean, running_var};
}

TEST(SyncBatchNorm, ReplicasMatchOneProcessOnTheWholeBatch) {
  torch::manual_seed(3);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const auto x = torch::randn({6, 3, 4, 5}, options) * 2 + 1;
  const auto loss_weights = torch::randn({6, 3, 4, 5}, options);
  const Reference expected = single_process(x, loss_weights);

  test::ThreadReplicas replicas(kReplicas);
  std::vector<Reference> got(kReplicas);
  replicas.run([&](int r) {
    const auto rows = torch::indexing::Slice(r * 3, (r + 1) * 3);
    auto xr = x.index({rows}).clone().requires_grad_(true);
    auto weight = torch::linspace(0.5, 1.5, 3, options).requires_grad_(true);
    auto bias = torch::linspace(-1, 1, 3, options).requires_grad_(true);
    BatchNormState bn{weight, bias, torch::zeros({3}, options), torch::ones({3}, options), 0.1, 1e-5};
    const ReplicaSum sum = replicas.sum_for(r);
    auto out = sync_batch_norm(xr, bn, sum);
    (out * loss_weights.index({rows})).sum().backward();
    got[r] = {out.detach(), xr.grad(), weight.grad(), bias.grad(), bn.running_mean, bn.running_var};
  });

  const auto out = torch::cat({got[0].out, got[1].out});
  const auto grad_x = torch::cat({got[0].grad_x, got[1].grad_x});
  EXPECT_TRUE(torch::allclose(out, expected.out, 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(grad_x, expected.grad_x, 1e-10, 1e-12));
  // Each replica holds its share of the parameter gradients; data parallelism sums them.
  EXPECT_TRUE(torch::allclose(got[0].grad_weight + got[1].grad_weight, expected.grad_weight, 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(got[0].grad_bias + got[1].grad_bias, expected.grad_bias, 1e-10, 1e-12));
  for (const auto& replica : got) {
    EXPECT_TRUE(torch::allclose(replica.running_mean, expected.running_mean, 1e-10, 1e-12));
    EXPECT_TRUE(torch::allclose(replica.running_var, expected.running_var, 1e-10, 1e-12));
  }
}

TEST(SyncBatchNorm, DualBatchNormSynchronisesBothBranchesOnlyInTraining) {
  torch::manual_seed(4);
  const auto x = torch::randn({4, 2, 3, 3}) * 3 + 2;
  DualBatchNorm2d reference(2);
  reference->train();
  const auto expected_clean = reference->forward(x, BNBranch::Clean);
  const auto expected_adv = reference->forward(x * 2, BNBranch::Adv);

  test::ThreadReplicas replicas(kReplicas);
  std::vector<DualBatchNorm2d> bns{DualBatchNorm2d(2), DualBatchNorm2d(2)};
  std::vector<torch::Tensor> clean(kReplicas), adv(kReplicas);
  replicas.run([&](int r) {
    bns[r]->synchronise(replicas.sum_for(r));
    bns[r]->train();
    const auto rows = torch::indexing::Slice(r * 2, (r + 1) * 2);
    clean[r] = bns[r]->forward(x.index({rows}), BNBranch::Clean);
    adv[r] = bns[r]->forward(x.index({rows}) * 2, BNBranch::Adv);
  });
  EXPECT_TRUE(torch::allclose(torch::cat(clean), expected_clean, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(torch::cat(adv), expected_adv, 1e-5, 1e-5));
  for (const auto& bn : bns) {
    EXPECT_TRUE(torch::allclose(bn->running_mean, reference->running_mean, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(bn->twin->running_var, reference->twin->running_var, 1e-5, 1e-6));
    EXPECT_EQ(bn->twin->num_batches_tracked.item<int64_t>(), 1);
  }
  // Eval mode needs no other replica: a lone call must not wait for one.
  bns[0]->eval();
  reference->eval();
  EXPECT_TRUE(torch::allclose(bns[0]->forward(x, BNBranch::Clean), reference->forward(x, BNBranch::Clean), 1e-5, 1e-5));
}

TEST(SyncBatchNorm, OneReplicaTrainsANetworkAsBatchNormDoes) {
  std::vector<StagedNetwork> networks;
  for (int i = 0; i < 3; ++i) {
    torch::manual_seed(6);
    networks.push_back(create_network({"resnet18", 4, Stem::Small, 0.125}));
    networks.back()->set_cut("layer1");
    networks.back()->freeze_prefix();
    networks.back()->train();
  }
  const ReplicaSum alone = [](torch::Tensor&) {};
  networks[1]->synchronise_batch_norms(alone);
  distributed::ProcessGroup group({0, 1, 0, "127.0.0.1", static_cast<uint16_t>(test::free_port())}, {});
  networks[2]->synchronise_batch_norms([&](torch::Tensor& t) { group.all_reduce_sum(t); });
  torch::manual_seed(7);
  const auto images = torch::randn({6, 3, 16, 16}).contiguous(torch::MemoryFormat::ChannelsLast);
  const auto labels = torch::randint(0, 4, {6});
  std::vector<torch::Tensor> losses;
  for (auto& network : networks) {
    const auto features = [&] {
      torch::NoGradGuard no_grad;
      return network->prefix(images);
    }();
    auto loss = torch::nn::functional::cross_entropy(network->suffix(features, BNBranch::Clean), labels);
    loss.backward();
    losses.push_back(loss.detach());
  }
  EXPECT_TRUE(torch::allclose(losses[0], losses[1], 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(losses[0], losses[2], 1e-6, 1e-6));
  const auto expected = networks[0]->named_parameters();
  for (const auto& item : networks[2]->named_parameters()) {
    if (!item.value().grad().defined()) continue;
    EXPECT_TRUE(torch::allclose(item.value().grad(), expected[item.key()].grad(), 1e-4, 1e-6)) << item.key();
  }
  const auto expected_buffers = networks[0]->named_buffers();
  for (const auto& item : networks[2]->named_buffers()) {
    EXPECT_TRUE(torch::allclose(item.value(), expected_buffers[item.key()], 1e-5, 1e-6)) << item.key();
  }
}

TEST(SyncBatchNorm, GlobalAdvBNStatisticsGiveTheDeltaOfTheWholeBatch) {
  torch::manual_seed(5);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const auto features = torch::relu(torch::randn({8, 4, 3, 3}, options) + 0.5);
  const auto readout = torch::randn({4, 3, 3}, options);
  // A loss that, like cross-entropy, is a mean over the replica's own batch.
  auto loss_of = [&](const torch::Tensor& f) { return (torch::tanh(f * readout)).sum({1, 2, 3}).square().mean(); };
  AdvBNOptions advbn_options;
  const auto expected = AdvBatchNorm(advbn_options).attack(features, loss_of);
  const auto expected_stats = feature_stats(features);

  test::ThreadReplicas replicas(kReplicas);
  std::vector<AdvBNResult> got(kReplicas);
  std::vector<FeatureStats> stats(kReplicas);
  replicas.run([&](int r) {
    const auto mine = features.index({torch::indexing::Slice(r * 4, (r + 1) * 4)});
    stats[r] = feature_stats(mine, replicas.sum_for(r));
    got[r] = AdvBatchNorm(advbn_options, replicas.sum_for(r)).attack(mine, loss_of, false);
  });
  for (int r = 0; r < kReplicas; ++r) {
    EXPECT_TRUE(torch::allclose(stats[r].mean, expected_stats.mean, 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(stats[r].std, expected_stats.std, 1e-12, 1e-12));
    EXPECT_TRUE(torch::equal(got[r].delta_mu, expected.delta_mu));
    EXPECT_TRUE(torch::equal(got[r].delta_sigma, expected.delta_sigma));
  }
  // The attack moved δ away from the identity, so the comparison above is not trivial.
  EXPECT_GT((expected.delta_sigma - 1).abs().max().item<double>(), 0.5);
}

}  // namespace
}  // namespace advbn
