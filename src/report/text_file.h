#pragma once
// Writing a whole file at once, with failures reported as advbn::Error naming the file.
#include <filesystem>
#include <string>

namespace advbn::report::detail {

void write_text_file(const std::filesystem::path& path, const std::string& text);

// Creates the folder and its parents; throws advbn::Error naming it when that is impossible
// (e.g. a parent is a regular file).
void create_folder(const std::filesystem::path& folder);

}  // namespace advbn::report::detail
