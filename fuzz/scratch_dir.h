#pragma once
// The readers under test take paths, not buffers, so each fuzz input is written to a file first.
// Every fuzzer process gets its own folder (parallel jobs must not overwrite each other's
// input), in /dev/shm where it exists so that the writes cost no disk I/O.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace advbn::fuzz {

class ScratchDir {
 public:
  ScratchDir() {
    const std::filesystem::path shm("/dev/shm");
    std::string pattern =
        ((std::filesystem::is_directory(shm) ? shm : std::filesystem::temp_directory_path()) /
         "advbn-fuzz-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Replaces `relative` (creating its folder) with exactly `size` bytes of `data`.
  std::string write(const std::string& relative, const uint8_t* data, size_t size) const {
    const std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::FILE* out = std::fopen(file.c_str(), "wb");
    if (out == nullptr) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, out) != size) std::abort();
    if (std::fclose(out) != 0) std::abort();
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace advbn::fuzz
