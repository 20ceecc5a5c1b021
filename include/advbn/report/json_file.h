#pragma once
// A JSON document written as an indented file; failures are advbn::Error naming the file.
#include <nlohmann/json.hpp>

#include <filesystem>

namespace advbn::report {

void write_json_file(const std::filesystem::path& path, const nlohmann::json& document);

}  // namespace advbn::report
