#pragma once
// Paths the test run provides (see tests/CMakeLists.txt) and a way to run the tool.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <sys/wait.h>

namespace advbn::test {

inline std::string env_or_throw(const char* name) {
  const char* value = std::getenv(name);
  if (!value) throw std::runtime_error(std::string("test environment lacks ") + name);
  return value;
}

inline std::string fixture(const std::string& name) {
  return env_or_throw("ADVBN_FIXTURES") + "/" + name;
}

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result{-1, {}};
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs the advbn tool with the given arguments.
inline CommandResult run_tool(const std::string& args) {
  return run_command(env_or_throw("ADVBN_TOOL") + " " + args);
}

// Runs advbn-shift (the corrupt and filter commands without LibTorch) with the given arguments.
inline CommandResult run_shift_tool(const std::string& args) {
  return run_command(env_or_throw("ADVBN_SHIFT_TOOL") + " " + args);
}

// A fresh, empty directory for one test.
inline std::filesystem::path temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("advbn_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace advbn::test
