#include "advbn/report/json_file.h"

#include "text_file.h"

namespace advbn::report {

void write_json_file(const std::filesystem::path& path, const nlohmann::json& document) {
  detail::write_text_file(path, document.dump(2) + "\n");
}

}  // namespace advbn::report
