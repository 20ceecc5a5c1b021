#pragma once
// A file written under a temporary name and renamed into place by commit(), so that a failed or
// interrupted save never leaves a half-written checkpoint where a good one used to be.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace advbn::io {

class OutputFile {
 public:
  explicit OutputFile(std::string path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const { return path_; }
  uint64_t position() const { return position_; }
  void write(const void* data, size_t count);
  // Flushes, closes and renames the temporary file onto `path`.
  void commit();

 private:
  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::string path_;
  std::string temporary_path_;
  std::unique_ptr<std::FILE, Closer> file_;
  uint64_t position_ = 0;
};

}  // namespace advbn::io
