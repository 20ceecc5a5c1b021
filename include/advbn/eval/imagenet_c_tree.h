#pragma once
// The ImageNet-C folder layout, <root>/<corruption>/<severity>/<class>/<image>, checked before any
// image is decoded so that a malformed tree fails in a second rather than hours into a run.
//
// Rules: every sub-folder of <root> is a corruption name (the 15 common or the 4 held-out ones);
// every sub-folder of a corruption folder is a severity 1..5; every severity folder holds the same
// class folders, because a class's label is its position among them (torchvision's ImageFolder
// order). Plain files at the corruption and severity levels (archives, notes) are ignored; the
// images themselves are checked when each severity folder is opened as an image folder.
// The other folder suites (one folder per filter) share the listing and the class check.
#include <filesystem>
#include <string>
#include <vector>

namespace advbn {

struct ImageNetCFolder {
  std::string corruption;
  int severity = 0;
  std::filesystem::path path;  // <root>/<corruption>/<severity>, an image folder
};

struct ImageNetCTree {
  std::filesystem::path root;
  std::vector<std::string> classes;  // class folder names, sorted, the same in every folder
  // Corruptions in ImageNet-C order (common, then held-out), severities ascending.
  std::vector<ImageNetCFolder> folders;
};

// Throws advbn::Error naming the path for a missing root, a tree without corruption folders, an
// unknown corruption folder (listing the valid names), a corruption folder without severities, a
// severity folder other than 1..5, and class folders that differ between severity folders.
ImageNetCTree read_imagenet_c_tree(const std::filesystem::path& root);

// Names of the sub-folders of `folder` (symbolic links followed), sorted; plain files are left
// out. Throws advbn::Error naming the folder when it cannot be listed.
std::vector<std::string> sorted_sub_folders(const std::filesystem::path& folder);

// Throws advbn::Error unless `other` holds exactly the class folders of `reference` (both lists
// sorted), naming both folders and the first class folder that one has and the other lacks.
// Shared by every suite whose parts must agree on labels.
void require_same_classes(const std::filesystem::path& reference,
                          const std::vector<std::string>& reference_classes,
                          const std::filesystem::path& other,
                          const std::vector<std::string>& other_classes);

}  // namespace advbn
