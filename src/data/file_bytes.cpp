#include <advbn/data/file_bytes.h>
#include <advbn/error.h>

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

namespace advbn::data {

namespace {

struct GzCloser {
  void operator()(gzFile file) const { gzclose(file); }
};

std::string gz_error(gzFile file) {
  int code = Z_OK;
  const char* message = gzerror(file, &code);
  return code == Z_ERRNO ? std::strerror(errno) : message;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw Error("cannot read '" + path + "': " +
                (std::filesystem::exists(path, error) ? "not a regular file" : "no such file"));
  }
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw Error("cannot open '" + path + "' for reading: " + std::strerror(errno));

  std::vector<uint8_t> bytes;
  const auto on_disk = std::filesystem::file_size(path, error);
  if (!error) bytes.reserve(on_disk);
  constexpr size_t kChunk = size_t{1} << 20;
  size_t used = 0;
  while (true) {
    bytes.resize(used + kChunk);
    const int count = gzread(file.get(), bytes.data() + used, static_cast<unsigned>(kChunk));
    if (count < 0) throw Error("cannot decompress '" + path + "': " + gz_error(file.get()));
    used += static_cast<size_t>(count);
    if (count == 0) break;
  }
  bytes.resize(used);
  // gzread stops quietly at a truncated stream; only the stream's error state tells.
  int code = Z_OK;
  gzerror(file.get(), &code);
  if (code != Z_OK) {
    throw Error("'" + path + "' is a truncated or corrupt gzip file: " + gz_error(file.get()));
  }
  return bytes;
}

}  // namespace advbn::data
