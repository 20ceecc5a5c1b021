#pragma once
// Starts the ranks of a data-parallel job on localhost as separate processes, with the variables
// torchrun sets, and collects how each ended.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace advbn::test {

// A TCP port nobody listens on now (the kernel's choice for an ephemeral bind).
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

struct RankOutcome {
  int exit_code = -1;  // -1: killed by a signal or still running at the deadline
  double seconds = 0;  // from start to exit
  std::string log;     // stdout and stderr
};

class LocalJob {
 public:
  // Starts `world_size` processes of `program args…`; rank r's output goes to log_dir/rank<r>.log.
  LocalJob(const std::string& program, const std::vector<std::string>& args, int world_size,
           const std::filesystem::path& log_dir, int started_ranks = -1)
      : log_dir_(log_dir), start_(std::chrono::steady_clock::now()) {
    const int port = free_port();
    const int count = started_ranks < 0 ? world_size : started_ranks;
    for (int rank = 0; rank < count; ++rank) {
      std::vector<std::string> env{"RANK=" + std::to_string(rank), "LOCAL_RANK=" + std::to_string(rank),
                                   "WORLD_SIZE=" + std::to_string(world_size),
                                   "LOCAL_WORLD_SIZE=" + std::to_string(world_size),
                                   "MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + std::to_string(port)};
      for (char** e = environ; *e; ++e) {
        const std::string entry(*e);
        if (entry.rfind("RANK=", 0) != 0 && entry.rfind("WORLD_SIZE=", 0) != 0) env.push_back(entry);
      }
      std::vector<std::string> argv{program};
      argv.insert(argv.end(), args.begin(), args.end());
      const std::string log = log_path(rank).string();
      // Everything the child needs is prepared before fork(): it only redirects and execs.
      std::vector<char*> argv_ptrs, env_ptrs;
      for (auto& a : argv) argv_ptrs.push_back(a.data());
      for (auto& e : env) env_ptrs.push_back(e.data());
      argv_ptrs.push_back(nullptr);
      env_ptrs.push_back(nullptr);
      const pid_t pid = fork();
      if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        execve(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
        _exit(127);
      }
      pids_.push_back(pid);
      outcomes_.emplace_back();
    }
  }
  ~LocalJob() {
    for (size_t r = 0; r < pids_.size(); ++r) {
      if (!done(r)) {
        kill(pids_[r], SIGKILL);
        waitpid(pids_[r], nullptr, 0);
      }
    }
  }

  std::filesystem::path log_path(int rank) const { return log_dir_ / ("rank" + std::to_string(rank) + ".log"); }
  std::string log(int rank) const {
    std::ifstream in(log_path(rank));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void kill_rank(int rank) { kill(pids_[static_cast<size_t>(rank)], SIGKILL); }

  // Waits until every started rank exited or `deadline` passed.
  std::vector<RankOutcome> wait(std::chrono::seconds deadline) {
    while (std::chrono::steady_clock::now() - start_ < deadline) {
      bool all = true;
      for (size_t r = 0; r < pids_.size(); ++r) all = poll(r) && all;
      if (all) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (size_t r = 0; r < pids_.size(); ++r) outcomes_[r].log = log(static_cast<int>(r));
    return outcomes_;
  }

 private:
  bool done(size_t r) const { return finished_.size() > r && finished_[r]; }
  bool poll(size_t r) {
    if (finished_.size() < pids_.size()) finished_.resize(pids_.size(), false);
    if (finished_[r]) return true;
    int status = 0;
    if (waitpid(pids_[r], &status, WNOHANG) != pids_[r]) return false;
    finished_[r] = true;
    outcomes_[r].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    outcomes_[r].seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return true;
  }

  std::filesystem::path log_dir_;
  std::chrono::steady_clock::time_point start_;
  std::vector<pid_t> pids_;
  std::vector<RankOutcome> outcomes_;
  std::vector<bool> finished_;
};

}  // namespace advbn::test
