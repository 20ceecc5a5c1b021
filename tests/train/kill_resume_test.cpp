// A training run killed with SIGKILL at random instants and resumed each time ends with the same
// weights as an uninterrupted run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "advbn/io/safetensors.h"
#include "test_support.h"
#include "train/tiny_dataset.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;

// Starts the tool with `args`; returns its pid.
pid_t spawn_tool(const std::vector<std::string>& args) {
  const std::string tool = test::env_or_throw("ADVBN_TOOL");
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(tool.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stderr);
    execv(tool.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Runs to completion unless killed after `kill_after`; returns true when the run finished.
bool run_until(const std::vector<std::string>& args, std::chrono::milliseconds kill_after) {
  const pid_t pid = spawn_tool(args);
  const auto deadline = std::chrono::steady_clock::now() + kill_after;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return false;
}

std::map<std::string, torch::Tensor> weights_of(const fs::path& path) {
  std::map<std::string, torch::Tensor> out;
  for (auto& [k, v] : io::read_safetensors(path.string())) out[k] = v;
  return out;
}

TEST(KillAndResume, SigkillAtRandomInstantsLosesNothing) {
  const auto dir = test::temp_dir("kill_resume");
  test::write_quadrant_idx(dir / "data", 320, 16);
  auto args_for = [&](const std::string& out) {
    return std::vector<std::string>{"train", "--from-scratch", "--arch", "resnet18", "--stem", "small",
                                    "--width", "0.125", "--data", (dir / "data").string(), "--out",
                                    (dir / out).string(), "--epochs", "6", "--batch", "32",
                                    "--lr", "0.05", "--seed", "4", "--threads", "1"};
  };
  ASSERT_TRUE(run_until(args_for("whole"), std::chrono::minutes(5)));

  std::mt19937 rng(7);
  int kills = 0;
  bool finished = false;
  for (int attempt = 0; attempt < 40 && !finished; ++attempt) {
    const bool resumable = fs::exists(dir / "killed" / "checkpoint.safetensors");
    const auto args = resumable ? std::vector<std::string>{"train", "--resume", (dir / "killed").string(),
                                                           "--threads", "1"}
                                : args_for("killed");
    // The first attempts are killed at random instants; later ones may run to the end.
    const auto budget = attempt < 5 ? std::chrono::milliseconds(200 + rng() % 1500)
                                    : std::chrono::milliseconds(60000);
    finished = run_until(args, budget);
    if (!finished) ++kills;
  }
  ASSERT_TRUE(finished);
  EXPECT_GE(kills, 3);
  const auto a = weights_of(dir / "whole" / "last.safetensors");
  const auto b = weights_of(dir / "killed" / "last.safetensors");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [key, tensor] : a) EXPECT_TRUE(torch::equal(tensor, b.at(key))) << key;
}

}  // namespace
}  // namespace advbn
