#include <advbn/error.h>
#include <advbn/io/output_file.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace advbn::io {

OutputFile::OutputFile(std::string path) : path_(std::move(path)), temporary_path_(path_ + ".partial") {
  file_.reset(std::fopen(temporary_path_.c_str(), "wb"));
  if (!file_) {
    throw Error("cannot create '" + temporary_path_ + "' to write '" + path_ + "': " + std::strerror(errno));
  }
}

OutputFile::~OutputFile() {
  if (file_) {
    file_.reset();
    std::remove(temporary_path_.c_str());
  }
}

void OutputFile::write(const void* data, size_t count) {
  if (!file_) throw Error("'" + path_ + "' was already committed; nothing more can be written");
  if (count > 0 && std::fwrite(data, 1, count, file_.get()) != count) {
    throw Error("cannot write to '" + temporary_path_ + "': " + std::strerror(errno));
  }
  position_ += count;
}

void OutputFile::commit() {
  if (!file_) throw Error("'" + path_ + "' was already committed");
  // Flushed to the disk, not only to the kernel, so the rename never exposes unwritten data.
  const bool flushed = std::fflush(file_.get()) == 0 && ::fsync(::fileno(file_.get())) == 0;
  const int flush_error = errno;
  const bool closed = std::fclose(file_.release()) == 0;
  if (!flushed || !closed) {
    std::remove(temporary_path_.c_str());
    throw Error("cannot finish writing '" + temporary_path_ + "': " + std::strerror(flushed ? errno : flush_error));
  }
  if (std::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
    const int rename_error = errno;
    std::remove(temporary_path_.c_str());
    throw Error("cannot move '" + temporary_path_ + "' to '" + path_ + "': " + std::strerror(rename_error));
  }
}

}  // namespace advbn::io
