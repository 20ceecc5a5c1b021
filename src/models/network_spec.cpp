#include "advbn/models/network_spec.h"

#include <stdexcept>

#include "advbn/error.h"

namespace advbn {

std::map<std::string, std::string> NetworkSpec::to_metadata() const {
  return {{"arch", arch},
          {"num_classes", std::to_string(num_classes)},
          {"stem", stem},
          {"width", std::to_string(width)}};
}

NetworkSpec NetworkSpec::with_metadata(const std::map<std::string, std::string>& metadata) const {
  NetworkSpec spec = *this;
  auto field = [&](const char* key) -> const std::string* {
    const auto it = metadata.find(key);
    return it == metadata.end() ? nullptr : &it->second;
  };
  try {
    if (auto v = field("arch")) spec.arch = *v;
    if (auto v = field("num_classes")) spec.num_classes = std::stoll(*v);
    if (auto v = field("stem")) spec.stem = *v;
    if (auto v = field("width")) spec.width = std::stod(*v);
  } catch (const std::logic_error&) {
    throw Error("malformed network description in checkpoint metadata");
  }
  return spec;
}

}  // namespace advbn
