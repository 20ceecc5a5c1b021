// Data-parallel training with 2 ranks on localhost (Gloo): rank consistency, equality with one
// process on the global batch, and failure handling.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

#include "advbn/io/safetensors.h"
#include "distributed/ranks.h"
#include "test_support.h"
#include "train/tiny_dataset.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

std::vector<std::string> split_args(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> args;
  for (std::string a; in >> a;) args.push_back(a);
  return args;
}

std::map<std::string, torch::Tensor> weights_of(const fs::path& path) {
  std::map<std::string, torch::Tensor> out;
  for (auto& [k, v] : io::read_safetensors(path.string())) out[k] = v;
  return out;
}

class DistributedTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    test::write_quadrant_idx(dir_ / "data", 256, 16);
    tool_ = test::env_or_throw("ADVBN_TOOL");
  }

  // A briefly pretrained network to fine-tune.
  fs::path pretrained() {
    const auto r = test::run_tool("train --from-scratch --arch resnet18 --stem small --width 0.125 --data " +
                                  (dir_ / "data").string() + " --out " + (dir_ / "pretrain").string() +
                                  " --epochs 1 --batch 32 --lr 0.05 --seed 1 --threads 1");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return dir_ / "pretrain" / "last.safetensors";
  }

  std::string fine_tune_args(const fs::path& weights, const std::string& out, const std::string& extra,
                             int epochs = 2) const {
    return "train --method advbn --weights " + weights.string() + " --cut layer1 --data " + (dir_ / "data").string() +
           " --out " + (dir_ / out).string() + " --epochs " + std::to_string(epochs) +
           " --batch 16 --lr 0.05 --seed 2 --threads 1 " + extra;
  }

  fs::path dir_;
  std::string tool_;
};

TEST(DistributedWorker, ParametersIdenticalAcrossRanksAfterEveryStep) {
  const auto dir = test::temp_dir("replica_worker_identical");
  test::LocalJob job(test::env_or_throw("ADVBN_REPLICA_WORKER"), {"identical", "4"}, 2, dir);
  const auto outcomes = job.wait(seconds(120));
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(outcomes[r].exit_code, 0) << outcomes[r].log;
    EXPECT_NE(outcomes[r].log.find("identical to rank 0 after each of 4 steps"), std::string::npos) << outcomes[r].log;
  }
}

// In float64, where rounding cannot flip the sign of a δ gradient or the side of a ReLU, so the
// comparison sees the mathematics alone (see the next test for float32).
TEST(DistributedWorker, TwoRanksWithSyncedStatisticsEqualOneProcessAfterSeveralSteps) {
  const auto dir = test::temp_dir("replica_worker_equivalent");
  test::LocalJob job(test::env_or_throw("ADVBN_REPLICA_WORKER"), {"equivalent", "5"}, 2, dir);
  const auto outcomes = job.wait(seconds(120));
  for (int r = 0; r < 2; ++r) EXPECT_EQ(outcomes[r].exit_code, 0) << outcomes[r].log;
  EXPECT_NE(outcomes[0].log.find("after 5 steps on 2 ranks"), std::string::npos) << outcomes[0].log;
}

// The tool end to end. In float32 the two runs part after a few steps, as one process with one
// thread and with two does: rounding flips the sign of some δ gradient or the side of some ReLU.
// fp64 leaves only the mathematics.
TEST_F(DistributedTraining, TwoRanksWithSyncedStatisticsEqualOneProcessWithTheGlobalBatch) {
  const auto weights = pretrained();
  const auto single = test::run_tool(fine_tune_args(weights, "single", "--limit 48 --precision fp64"));
  ASSERT_EQ(single.exit_code, 0) << single.output;
  test::LocalJob job(
      tool_, split_args(fine_tune_args(weights, "ranks", "--limit 48 --precision fp64 --sync-bn --sync-adv-stats")), 2,
      dir_);
  const auto outcomes = job.wait(seconds(300));
  for (const auto& o : outcomes) ASSERT_EQ(o.exit_code, 0) << o.log;
  EXPECT_NE(outcomes[0].log.find("on each of 2 ranks (8 images per rank and step)"), std::string::npos)
      << outcomes[0].log;
  EXPECT_EQ(outcomes[1].log.find("epoch"), std::string::npos) << "only rank 0 logs:\n" << outcomes[1].log;

  const auto start = weights_of(weights);
  const auto a = weights_of(dir_ / "single" / "last.safetensors");
  const auto b = weights_of(dir_ / "ranks" / "last.safetensors");
  ASSERT_EQ(a.size(), b.size());
  double largest_change = 0;
  for (const auto& [key, tensor] : a) {
    if (!tensor.is_floating_point()) {
      EXPECT_TRUE(torch::equal(tensor, b.at(key))) << key;
      continue;
    }
    const double difference = (tensor - b.at(key)).abs().max().item<double>();
    EXPECT_LE(difference, 1e-5) << key;
    if (start.count(key)) largest_change = std::max(largest_change, (tensor - start.at(key)).abs().max().item<double>());
  }
  EXPECT_GT(largest_change, 1e-2) << "fine-tuning should have moved the weights";
}

TEST_F(DistributedTraining, KilledRankMakesTheOtherExitWithinTheTimeout) {
  const auto weights = pretrained();
  test::LocalJob job(tool_, split_args(fine_tune_args(weights, "killed", "--dist-timeout 20", 200)), 2, dir_);
  // Kill rank 1 once training runs.
  const auto begin = std::chrono::steady_clock::now();
  while (job.log(0).find("steps/epoch") == std::string::npos && std::chrono::steady_clock::now() - begin < seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  job.kill_rank(1);
  const auto killed_at = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const auto outcomes = job.wait(seconds(150));
  EXPECT_NE(outcomes[0].exit_code, 0) << outcomes[0].log;
  EXPECT_NE(outcomes[0].exit_code, -1) << "rank 0 did not exit by itself:\n" << outcomes[0].log;
  EXPECT_LT(outcomes[0].seconds - killed_at, 20 + 10) << outcomes[0].log;
  EXPECT_NE(outcomes[0].log.find("rank 0"), std::string::npos) << outcomes[0].log;
}

TEST_F(DistributedTraining, MissingPeerFailsTheRendezvousWithinTheTimeout) {
  const auto weights = pretrained();
  test::LocalJob job(tool_, split_args(fine_tune_args(weights, "alone", "--dist-timeout 3")), 2, dir_,
                     /*started_ranks=*/1);
  const auto outcomes = job.wait(seconds(60));
  EXPECT_EQ(outcomes[0].exit_code, 1) << outcomes[0].log;
  EXPECT_LT(outcomes[0].seconds, 30);
  EXPECT_NE(outcomes[0].log.find("rendezvous"), std::string::npos) << outcomes[0].log;
}

TEST_F(DistributedTraining, GlobalBatchNotDivisibleByTheRanksIsAClearError) {
  test::LocalJob job(tool_, split_args("train --from-scratch --arch resnet18 --stem small --width 0.125 --data " +
                                       (dir_ / "data").string() + " --out " + (dir_ / "odd").string() +
                                       " --batch 15 --threads 1 --dist-timeout 30"),
                     2, dir_);
  const auto outcomes = job.wait(seconds(60));
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.exit_code, 1) << o.log;
    EXPECT_NE(o.log.find("global batch (15) must be a multiple of the 2 ranks"), std::string::npos) << o.log;
  }
}

TEST_F(DistributedTraining, DistributedWithoutAJobIsAClearError) {
  const auto r = test::run_tool("train --distributed --from-scratch --data " + (dir_ / "data").string() +
                                " --out " + (dir_ / "x").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("WORLD_SIZE and RANK are not set"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace advbn
