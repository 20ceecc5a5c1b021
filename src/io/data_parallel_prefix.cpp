#include <advbn/error.h>
#include <advbn/io/data_parallel_prefix.h>

#include <unordered_set>

namespace advbn::io {

StateDict strip_data_parallel_prefix(StateDict weights, const std::string& source) {
  static constexpr char kPrefix[] = "module.";
  static constexpr size_t kPrefixSize = sizeof kPrefix - 1;
  std::unordered_set<std::string> seen;
  for (auto& [name, tensor] : weights) {
    if (name.compare(0, kPrefixSize, kPrefix) == 0) name.erase(0, kPrefixSize);
    if (!seen.insert(name).second) {
      throw Error("'" + source + "' holds weight '" + name + "' twice (once with a 'module.' prefix)");
    }
  }
  return weights;
}

}  // namespace advbn::io
