#include <advbn/error.h>
#include <advbn/io/input_file.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace advbn::io {

InputFile::InputFile(const std::string& path) : path_(path) {
  file_.reset(std::fopen(path.c_str(), "rb"));
  if (!file_) throw Error("cannot open '" + path + "' for reading: " + std::strerror(errno));
  struct stat info {};
  if (fstat(fileno(file_.get()), &info) != 0) {
    throw Error("cannot query the size of '" + path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) throw Error("'" + path + "' is not a regular file");
  size_ = static_cast<uint64_t>(info.st_size);
}

void InputFile::read(void* destination, size_t count) {
  if (count > remaining()) {
    throw Error("'" + path_ + "' is truncated or corrupt: needed " + std::to_string(count) + " bytes at offset " +
                std::to_string(position_) + " but the file has " + std::to_string(size_) + " bytes");
  }
  if (count > 0 && std::fread(destination, 1, count, file_.get()) != count) {
    throw Error("cannot read " + std::to_string(count) + " bytes at offset " + std::to_string(position_) + " of '" +
                path_ + "'");
  }
  position_ += count;
}

void InputFile::seek(uint64_t offset) {
  if (offset > size_) {
    throw Error("'" + path_ + "' is truncated or corrupt: offset " + std::to_string(offset) +
                " lies beyond the end of the file (" + std::to_string(size_) + " bytes)");
  }
  if (fseeko(file_.get(), static_cast<off_t>(offset), SEEK_SET) != 0) {
    throw Error("cannot seek to offset " + std::to_string(offset) + " of '" + path_ + "'");
  }
  position_ = offset;
}

}  // namespace advbn::io
