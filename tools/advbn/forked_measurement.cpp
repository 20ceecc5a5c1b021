#include "advbn/forked_measurement.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <string>

#include "advbn/error.h"

namespace advbn::cli {

namespace {

double status_mib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) / 1024.0;
  }
  throw Error("/proc/self/status has no " + key + " (peak memory needs Linux /proc)");
}

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;  // the parent reports the truncated payload
    done += static_cast<size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  return text;
}

}  // namespace

double resident_mib() { return status_mib("VmRSS"); }
double peak_resident_mib() { return status_mib("VmHWM"); }

void reset_peak_resident() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
  clear_refs.flush();
  if (!clear_refs) throw Error("cannot reset the peak resident size through /proc/self/clear_refs");
}

nlohmann::json run_in_child(const std::function<nlohmann::json()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) throw Error("run_in_child: pipe() failed");
  std::fflush(nullptr);  // or the child would flush the parent's buffered output again
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("run_in_child: fork() failed");
  if (pid == 0) {
    ::close(fds[0]);
    int code = 0;
    nlohmann::json result;
    try {
      result = work();
    } catch (const std::exception& e) {
      result = {{"error", e.what()}};
      code = 1;
    }
    write_all(fds[1], result.dump());
    ::close(fds[1]);
    ::_exit(code);  // no static destructors or atexit handlers of the parent's state
  }
  ::close(fds[1]);
  const std::string payload = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const auto result = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (result.is_discarded()) {
    throw Error("measurement child " +
                (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                     : "exited with status " + std::to_string(WEXITSTATUS(status))) +
                " without a result (out of memory?)");
  }
  if (result.contains("error")) throw Error(result["error"].get<std::string>());
  return result;
}

}  // namespace advbn::cli
