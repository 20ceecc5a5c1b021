#include "advbn/report/gnuplot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "advbn/error.h"

extern char** environ;

namespace advbn::report {

namespace {

namespace fs = std::filesystem;

// gnuplot's single-quoted strings take no backslash escapes; a quote is written twice.
std::string gnuplot_single_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// posix_spawn's file actions are a C resource that must be destroyed on every path, throws included.
class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

}  // namespace

void run_gnuplot(const std::string& script_path) {
  std::error_code ec;
  const fs::path script = fs::absolute(script_path, ec);
  if (ec || !fs::is_regular_file(script)) {
    throw Error("gnuplot script " + script_path + " does not exist");
  }
  // gnuplot reports errors on stderr; they go to a log next to the script so that a failure can
  // quote them, and so that the library itself never writes to the terminal.
  const fs::path log = fs::path(script).concat(".log");

  // A `cd` before the script makes its relative paths resolve against the script's folder, without
  // changing this process's working directory (other threads may depend on it).
  const std::string change_dir = "cd " + gnuplot_single_quoted(script.parent_path().string());
  const std::string script_arg = script.string();
  std::vector<char*> argv = {const_cast<char*>("gnuplot"), const_cast<char*>("-e"),
                             const_cast<char*>(change_dir.c_str()),
                             const_cast<char*>(script_arg.c_str()), nullptr};

  SpawnActions actions;
  // Stdin from /dev/null: a script that waits for input (e.g. `pause -1`) ends instead of hanging.
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(actions.get(), STDOUT_FILENO, STDERR_FILENO);

  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, "gnuplot", actions.get(), nullptr, argv.data(), environ);
  if (spawn_error != 0) {
    throw Error("cannot run gnuplot for " + script.string() + ": " + std::strerror(spawn_error) +
                "; install gnuplot (Debian package gnuplot-nox, see scripts/setup.sh) and make "
                "sure it is on PATH");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw Error("lost track of gnuplot running " + script.string() + ": " + std::strerror(errno));
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    fs::remove(log, ec);
    return;
  }
  // Older C libraries report a failed exec only as exit status 127 with an empty log.
  std::string diagnostics = read_all(log);
  while (!diagnostics.empty() && (diagnostics.back() == '\n' || diagnostics.back() == ' ')) {
    diagnostics.pop_back();
  }
  const std::string how = WIFEXITED(status)
                              ? "exited with status " + std::to_string(WEXITSTATUS(status))
                              : "was killed by signal " + std::to_string(WTERMSIG(status));
  throw Error("gnuplot " + how + " on " + script.string() +
              (diagnostics.empty() ? std::string(" (no diagnostics; is gnuplot installed?)")
                                   : ":\n" + diagnostics) +
              "\n(full log: " + log.string() + ")");
}

}  // namespace advbn::report
