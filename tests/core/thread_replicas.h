#pragma once
// R replicas of a data-parallel job as R threads of one process: each thread's ReplicaSum waits
// for the others and returns the sum of all R tensors, as an all-reduce over processes would.
// Lets the replica-summing code (SyncBN, global AdvBN statistics) be tested against one process
// on the global batch without starting processes.
#include <torch/torch.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "advbn/core/replica_sum.h"

namespace advbn::test {

class ThreadReplicas {
 public:
  explicit ThreadReplicas(int count) : slots_(static_cast<size_t>(count)) {}

  ReplicaSum sum_for(int replica) {
    return [this, replica](torch::Tensor& t) { exchange(replica, t); };
  }

  // Runs body(replica) on one thread per replica and waits for all.
  void run(const std::function<void(int)>& body) {
    std::vector<std::thread> threads;
    for (int r = 0; r < static_cast<int>(slots_.size()); ++r) threads.emplace_back(body, r);
    for (auto& t : threads) t.join();
  }

 private:
  void exchange(int replica, torch::Tensor& t) {
    std::unique_lock<std::mutex> lock(mutex_);
    slots_[static_cast<size_t>(replica)] = t.detach().clone();
    if (++arrived_ == slots_.size()) {
      total_ = slots_[0].clone();
      for (size_t r = 1; r < slots_.size(); ++r) total_ += slots_[r];
      arrived_ = 0;
      ++round_;
      all_arrived_.notify_all();
    } else {
      const uint64_t round = round_;
      all_arrived_.wait(lock, [&] { return round_ != round; });
    }
    t.copy_(total_);
  }

  std::mutex mutex_;
  std::condition_variable all_arrived_;
  std::vector<torch::Tensor> slots_;
  torch::Tensor total_;
  size_t arrived_ = 0;
  uint64_t round_ = 0;
};

}  // namespace advbn::test
