#include "advbn/eval/imagenet_c_tree.h"

#include <algorithm>

#include "advbn/error.h"
#include "advbn/shift/corruptions.h"

namespace advbn {

namespace fs = std::filesystem;

namespace {

int parse_severity(const fs::path& folder) {
  const auto name = folder.filename().string();
  if (name.size() != 1 || name[0] < '1' || name[0] > '5') {
    throw Error("'" + folder.string() +
                "' is not a severity folder; a corruption folder holds only folders named 1 to 5");
  }
  return name[0] - '0';
}

std::string valid_corruption_names() {
  std::string out;
  for (const auto& name : shift::all_corruptions()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

std::vector<std::string> sorted_sub_folders(const fs::path& folder) {
  std::vector<std::string> names;
  try {
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.is_directory()) names.push_back(entry.path().filename().string());
    }
  } catch (const fs::filesystem_error& e) {
    throw Error("cannot list '" + folder.string() + "': " + e.what());
  }
  std::sort(names.begin(), names.end());
  return names;
}

void require_same_classes(const fs::path& reference,
                          const std::vector<std::string>& reference_classes, const fs::path& other,
                          const std::vector<std::string>& other_classes) {
  auto r = reference_classes.begin();
  auto o = other_classes.begin();
  while (r != reference_classes.end() || o != other_classes.end()) {
    if (o == other_classes.end() || (r != reference_classes.end() && *r < *o)) {
      throw Error("'" + other.string() + "' lacks class folder '" + *r + "' that '" +
                  reference.string() +
                  "' has; every folder of a suite needs the same class "
                  "folders, since labels are their positions in sorted order");
    }
    if (r == reference_classes.end() || *o < *r) {
      throw Error("'" + other.string() + "' has class folder '" + *o + "' that '" +
                  reference.string() +
                  "' lacks; every folder of a suite needs the same class "
                  "folders, since labels are their positions in sorted order");
    }
    ++r;
    ++o;
  }
}

ImageNetCTree read_imagenet_c_tree(const fs::path& root) {
  if (!fs::is_directory(root)) {
    throw Error("ImageNet-C root '" + root.string() + "' is not a folder");
  }
  const auto found = sorted_sub_folders(root);
  if (found.empty()) {
    throw Error(
        "ImageNet-C root '" + root.string() +
        "' has no corruption folders; expected <root>/<corruption>/<severity>/<class>/<image>");
  }
  const auto& known = shift::all_corruptions();
  for (const auto& name : found) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw Error("'" + (root / name).string() + "' is not a corruption folder; expected one of " +
                  valid_corruption_names());
    }
  }

  ImageNetCTree tree;
  tree.root = root;
  fs::path reference;
  for (const auto& corruption : known) {
    if (!std::binary_search(found.begin(), found.end(), corruption)) continue;
    const auto corruption_dir = root / corruption;
    std::vector<ImageNetCFolder> severities;
    for (const auto& name : sorted_sub_folders(corruption_dir)) {
      severities.push_back(
          {corruption, parse_severity(corruption_dir / name), corruption_dir / name});
    }
    if (severities.empty()) {
      throw Error("corruption folder '" + corruption_dir.string() +
                  "' has no severity folders; expected folders named 1 to 5");
    }
    for (auto& folder : severities) {
      const auto classes = sorted_sub_folders(folder.path);
      if (reference.empty()) {
        if (classes.empty()) {
          throw Error("'" + folder.path.string() +
                      "' has no class folders; expected <severity>/<class>/<image>");
        }
        reference = folder.path;
        tree.classes = classes;
      } else {
        require_same_classes(reference, tree.classes, folder.path, classes);
      }
      tree.folders.push_back(std::move(folder));
    }
  }
  return tree;
}

}  // namespace advbn
