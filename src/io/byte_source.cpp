#include <advbn/error.h>
#include <advbn/io/byte_source.h>

#include <cstring>
#include <utility>

namespace advbn::io {

MemorySource::MemorySource(const uint8_t* data, size_t size, std::string name)
    : data_(data), size_(size), name_(std::move(name)) {}

void MemorySource::read(void* destination, size_t count) {
  if (count > size_ - position_) {
    throw Error(name_ + ": unexpected end of data: needed " + std::to_string(count) + " bytes at offset " +
                std::to_string(position_) + " but only " + std::to_string(size_ - position_) + " remain");
  }
  if (count > 0) std::memcpy(destination, data_ + position_, count);
  position_ += count;
}

}  // namespace advbn::io
