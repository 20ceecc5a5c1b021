#include "advbn/distributed/process_group.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <map>

#include "advbn/error.h"

namespace advbn::distributed {

namespace {

// The first of `names` that is set, or nullptr.
const char* first_variable(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  }
  return nullptr;
}

int64_t integer_variable(std::initializer_list<const char*> names, int64_t fallback, int64_t low,
                         int64_t high) {
  const char* value = first_variable(names);
  if (value == nullptr) return fallback;
  char* end = nullptr;
  const long long parsed = std::strtoll(value, &end, 10);
  if (*end != '\0' || parsed < low || parsed > high) {
    throw Error(std::string("environment variable ") + *names.begin() + "='" + value +
                "' is not an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  }
  return parsed;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// A message without LibTorch's C++ backtrace.
std::string describe(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}

class PendingWork final : public PendingCollective {
 public:
  PendingWork(c10::intrusive_ptr<c10d::Work> work, std::string what)
      : work_(std::move(work)), what_(std::move(what)) {}
  void wait() override {
    try {
      work_->wait();
    } catch (const std::exception& e) {
      throw Error(what_ + " failed (a peer crashed, was killed or timed out): " + describe(e));
    }
  }

 private:
  c10::intrusive_ptr<c10d::Work> work_;
  std::string what_;
};

}  // namespace

std::optional<Environment> environment_from_variables() {
  const int64_t world_size =
      integer_variable({"WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}, 0, 1, 1 << 20);
  if (world_size == 0) return std::nullopt;
  Environment env;
  env.world_size = static_cast<int>(world_size);
  env.rank = static_cast<int>(
      integer_variable({"RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK"}, -1, 0, world_size - 1));
  if (env.rank < 0) throw Error("WORLD_SIZE is set but RANK is not");
  env.local_rank = static_cast<int>(
      integer_variable({"LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"}, 0, 0, 1 << 20));
  if (const char* addr = first_variable({"MASTER_ADDR"})) env.master_addr = addr;
  env.master_port = static_cast<uint16_t>(integer_variable({"MASTER_PORT"}, 29500, 1, 65535));
  return env;
}

Backend parse_backend(const std::string& name) {
  if (name == "gloo") return Backend::Gloo;
  if (name == "nccl") return Backend::Nccl;
  throw Error("unknown distributed backend '" + name + "' (expected gloo or nccl)");
}

std::string to_string(Backend backend) { return backend == Backend::Gloo ? "gloo" : "nccl"; }

bool backend_available(Backend backend) {
#ifdef USE_C10D_NCCL
  (void)backend;
  return true;
#else
  return backend == Backend::Gloo;
#endif
}

struct ProcessGroup::Engine {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
};

ProcessGroup::ProcessGroup(const Environment& env, const GroupOptions& options)
    : env_(env), options_(options), engine_(std::make_unique<Engine>()) {
  if (env.world_size < 1 || env.rank < 0 || env.rank >= env.world_size) {
    throw Error("invalid distributed rank " + std::to_string(env.rank) + " of " +
                std::to_string(env.world_size));
  }
  if (!backend_available(options.backend)) {
    throw Error("this advbn was built without NCCL; rebuild against a CUDA LibTorch with "
                "-DADVBN_WITH_NCCL=ON, or use --backend gloo");
  }
  const std::string where = env.master_addr + ":" + std::to_string(env.master_port);
  const std::string failed = "rank " + std::to_string(env.rank) + ": rendezvous of " +
                             std::to_string(env.world_size) + " ranks through " + where + " failed";
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = env.master_port;
    store_options.isServer = env.rank == 0;
    store_options.numWorkers = static_cast<size_t>(env.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = options.timeout;
    engine_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
  } catch (const std::exception& e) {
    throw Error(failed + ": " + describe(e));
  }
  try {
    if (options.backend == Backend::Gloo) {
      auto gloo_options = c10d::ProcessGroupGloo::Options::create(options.timeout);
      // Loopback jobs stay on loopback; otherwise GLOO_SOCKET_IFNAME, or the interface of this
      // host's name, as PyTorch chooses.
      if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME")) {
        gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
      } else if (is_loopback(env.master_addr)) {
        gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      } else {
        gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      }
      engine_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(engine_->store, env.rank,
                                                                   env.world_size, gloo_options);
    } else {
#ifdef USE_C10D_NCCL
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = options.timeout;
      engine_->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(engine_->store, env.rank,
                                                                   env.world_size, nccl_options);
#endif
    }
  } catch (const std::exception& e) {
    throw Error(failed + " (" + to_string(options.backend) + "; did every rank start, with the same "
                "MASTER_ADDR and MASTER_PORT?): " + describe(e));
  }
}

ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<PendingCollective> ProcessGroup::all_reduce_sum_async(torch::Tensor& tensor) {
  std::vector<torch::Tensor> tensors{tensor};
  const std::string what = "rank " + std::to_string(env_.rank) + ": all-reduce";
  try {
    return std::make_unique<PendingWork>(engine_->group->allreduce(tensors), what);
  } catch (const std::exception& e) {
    throw Error(what + " failed: " + describe(e));
  }
}

void ProcessGroup::all_reduce_sum(torch::Tensor& tensor) { all_reduce_sum_async(tensor)->wait(); }

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors, int root) {
  // c10d broadcasts one tensor per device, so tensors of one dtype travel as one flat buffer.
  std::map<c10::ScalarType, std::vector<size_t>> by_type;
  for (size_t i = 0; i < tensors.size(); ++i) by_type[tensors[i].scalar_type()].push_back(i);
  const std::string what = "rank " + std::to_string(env_.rank) + ": broadcast from rank " +
                           std::to_string(root);
  for (const auto& [type, members] : by_type) {
    std::vector<torch::Tensor> parts;
    for (size_t i : members) parts.push_back(tensors[i].detach().reshape({-1}));
    std::vector<torch::Tensor> flat{torch::cat(parts)};
    c10d::BroadcastOptions broadcast_options;
    broadcast_options.rootRank = root;
    try {
      PendingWork(engine_->group->broadcast(flat, broadcast_options), what).wait();
    } catch (const c10::Error& e) {
      throw Error(what + " failed: " + describe(e));
    }
    torch::NoGradGuard no_grad;
    int64_t offset = 0;
    for (size_t i : members) {
      const int64_t n = tensors[i].numel();
      tensors[i].copy_(flat[0].narrow(0, offset, n).view_as(tensors[i]));
      offset += n;
    }
  }
}

void ProcessGroup::barrier() {
  const std::string what = "rank " + std::to_string(env_.rank) + ": barrier";
  try {
    PendingWork(engine_->group->barrier(), what).wait();
  } catch (const c10::Error& e) {
    throw Error(what + " failed: " + describe(e));
  }
}

}  // namespace advbn::distributed
