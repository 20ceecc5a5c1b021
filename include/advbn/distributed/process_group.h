#pragma once
// A group of training processes on PyTorch's distributed engine (c10d): rendezvous through a
// TCPStore, collectives through Gloo (CPU tensors) or NCCL (CUDA builds), configured the way
// torchrun, mpirun and cluster schedulers configure PyTorch jobs.
//
// Failures. Every collective and the rendezvous wait at most `timeout`; a peer that crashed, was
// killed or cannot be reached makes the waiting call throw advbn::Error naming the rank and the
// operation, so no process hangs forever on a dead group.
#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace advbn::distributed {

// Where this process sits in the job, as torchrun exports it (RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT). When torchrun's are absent, RANK, WORLD_SIZE and LOCAL_RANK come
// from mpirun's (OMPI_COMM_WORLD_*, PMI_*). Slurm's are not read: they are set in every shell of
// an allocation, where a lone advbn would wait for peers that never come.
struct Environment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 29500;
};

// Reads the variables; std::nullopt when no world size is set. Throws advbn::Error for values
// that are not numbers or are out of range (RANK ≥ WORLD_SIZE, a port above 65535, …).
std::optional<Environment> environment_from_variables();

enum class Backend { Gloo, Nccl };
Backend parse_backend(const std::string& name);  // "gloo" | "nccl"
std::string to_string(Backend backend);
bool backend_available(Backend backend);  // NCCL only in builds with ADVBN_WITH_NCCL

struct GroupOptions {
  Backend backend = Backend::Gloo;
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
};

// A handle on a collective started with an *_async call.
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  // Blocks until the collective finished; throws advbn::Error when it failed or timed out.
  virtual void wait() = 0;
};

class ProcessGroup {
 public:
  // Joins the group described by `env` (rank 0 hosts the store). Blocks until every rank joined
  // or `options.timeout` passed.
  ProcessGroup(const Environment& env, const GroupOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  const Environment& environment() const { return env_; }
  Backend backend() const { return options_.backend; }

  // In place: every rank's `tensor` becomes the sum of all ranks' tensors.
  void all_reduce_sum(torch::Tensor& tensor);
  std::unique_ptr<PendingCollective> all_reduce_sum_async(torch::Tensor& tensor);
  // In place: every rank's tensors become root's.
  void broadcast(std::vector<torch::Tensor>& tensors, int root = 0);
  void barrier();

 private:
  struct Engine;
  Environment env_;
  GroupOptions options_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace advbn::distributed
