#include "text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "advbn/error.h"

namespace advbn::report::detail {

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot open " + path.string() + " for writing: " + std::strerror(errno));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw Error("cannot write " + path.string() + " (disk full or folder removed?)");
}

void create_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec || !std::filesystem::is_directory(folder)) {
    throw Error("cannot create folder " + folder.string() + ": " +
                (ec ? ec.message() : std::string("a file of that name is in the way")));
  }
}

}  // namespace advbn::report::detail
