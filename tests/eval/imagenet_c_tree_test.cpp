// The ImageNet-C folder reader: finds every corruption and severity, rejects malformed trees
// with a message naming the path.
#include <gtest/gtest.h>

#include <fstream>

#include "advbn/error.h"
#include "advbn/eval/imagenet_c_tree.h"
#include "advbn/shift/corruptions.h"
#include "test_support.h"
#include "tiny_suites.h"

namespace advbn {
namespace {

namespace fs = std::filesystem;

void expect_tree_error(const fs::path& root, const std::vector<std::string>& needles) {
  try {
    read_imagenet_c_tree(root);
    ADD_FAILURE() << "no error for " << root;
  } catch (const Error& e) {
    for (const auto& needle : needles) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << "'" << needle << "' not in: " << e.what();
    }
  }
}

TEST(ImageNetCTree, FindsEveryCorruptionAndSeverityInOrder) {
  const auto root = test::temp_dir("imagenet_c_full");
  test::write_imagenet_c_tree(root, shift::all_corruptions(), {1, 2, 3, 4, 5});
  std::ofstream(root / "README.txt") << "plain files beside the corruptions are ignored\n";

  const auto tree = read_imagenet_c_tree(root);
  EXPECT_EQ(tree.classes, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(tree.folders.size(), 19u * 5u);
  for (size_t i = 0; i < tree.folders.size(); ++i) {
    const auto& folder = tree.folders[i];
    EXPECT_EQ(folder.corruption, shift::all_corruptions()[i / 5]);
    EXPECT_EQ(folder.severity, static_cast<int>(i % 5) + 1);
    EXPECT_EQ(folder.path, root / folder.corruption / std::to_string(folder.severity));
  }
  fs::remove_all(root);
}

TEST(ImageNetCTree, AcceptsPartialTrees) {
  const auto root = test::temp_dir("imagenet_c_partial");
  test::write_imagenet_c_tree(root, {"fog", "gaussian_noise"}, {2, 5});
  const auto tree = read_imagenet_c_tree(root);
  ASSERT_EQ(tree.folders.size(), 4u);
  EXPECT_EQ(tree.folders[0].corruption, "gaussian_noise");  // ImageNet-C order, not by name
  EXPECT_EQ(tree.folders[0].severity, 2);
  EXPECT_EQ(tree.folders[3].corruption, "fog");
  EXPECT_EQ(tree.folders[3].severity, 5);
  fs::remove_all(root);
}

TEST(ImageNetCTree, RejectsMalformedTreesNamingThePath) {
  const auto root = test::temp_dir("imagenet_c_bad");
  expect_tree_error(root / "missing", {(root / "missing").string()});
  expect_tree_error(root, {root.string(), "no corruption folders"});

  test::write_imagenet_c_tree(root, {"fog", "snow"}, {1, 2, 3});
  fs::create_directories(root / "fogg" / "1" / "a");
  expect_tree_error(root, {(root / "fogg").string(), "gaussian_noise", "saturate"});
  fs::remove_all(root / "fogg");

  test::write_class_folder(root / "fog" / "6", {"a", "b"});
  expect_tree_error(root, {(root / "fog" / "6").string(), "1 to 5"});
  fs::remove_all(root / "fog" / "6");

  fs::remove_all(root / "snow" / "3" / "b");
  // snow precedes fog in ImageNet-C order, so snow/1 is the reference.
  expect_tree_error(root, {(root / "snow" / "3").string(), "'b'", (root / "snow" / "1").string()});
  test::write_class_folder(root / "snow" / "3", {"b", "c"});
  expect_tree_error(root, {(root / "snow" / "3").string(), "'c'"});
  fs::remove_all(root / "snow" / "3" / "c");

  fs::create_directories(root / "zoom_blur");
  expect_tree_error(root, {(root / "zoom_blur").string(), "no severity folders"});
  fs::remove_all(root / "zoom_blur");

  EXPECT_NO_THROW(read_imagenet_c_tree(root));
  fs::remove_all(root);
}

TEST(ImageNetCTree, SameClassesNamesTheFirstDifference) {
  EXPECT_NO_THROW(require_same_classes("x", {"a", "b"}, "y", {"a", "b"}));
  try {
    require_same_classes("x", {"a", "c", "d"}, "y", {"a", "b", "d"});
    ADD_FAILURE();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'y' has class folder 'b' that 'x' lacks"), std::string::npos)
        << message;
  }
  try {
    require_same_classes("x", {"a", "b"}, "y", {"a"});
    ADD_FAILURE();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'y' lacks class folder 'b' that 'x' has"), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace advbn
