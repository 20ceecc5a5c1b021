#pragma once
// A regular file opened for checked reading: every read is bounds-checked against the file size
// first, so a header that lies about sizes produces an advbn::Error naming the file instead of
// a huge allocation or a short read.
#include <advbn/io/byte_source.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace advbn::io {

class InputFile final : public ByteSource {
 public:
  explicit InputFile(const std::string& path);
  const std::string& name() const override { return path_; }
  uint64_t position() const override { return position_; }
  uint64_t remaining() const override { return size_ - position_; }
  void read(void* destination, size_t count) override;

  uint64_t size() const { return size_; }
  void seek(uint64_t offset);

 private:
  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  uint64_t size_ = 0;
  uint64_t position_ = 0;
};

}  // namespace advbn::io
