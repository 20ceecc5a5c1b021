#pragma once
// A bounded, forward-only stream of bytes with a name for error messages. The unpickler reads
// from it, so the same code parses a pickle held in memory (a zip entry) and one read piece by
// piece from a file (the legacy format, whose pickles are followed by gigabytes of tensor data).
#include <cstddef>
#include <cstdint>
#include <string>

namespace advbn::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Names the data in error messages: a path, or "path: entry" for data inside an archive.
  virtual const std::string& name() const = 0;
  virtual uint64_t position() const = 0;
  virtual uint64_t remaining() const = 0;
  // Reads exactly `count` bytes or throws advbn::Error naming the source.
  virtual void read(void* destination, size_t count) = 0;
};

// Reads from a buffer the caller keeps alive.
class MemorySource final : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size, std::string name);
  const std::string& name() const override { return name_; }
  uint64_t position() const override { return position_; }
  uint64_t remaining() const override { return size_ - position_; }
  void read(void* destination, size_t count) override;

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
  std::string name_;
};

}  // namespace advbn::io
