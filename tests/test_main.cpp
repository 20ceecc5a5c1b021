// Test entry point: provides the paths of the build (fixtures, tool, Python oracle) to every test
// through the environment, unless the caller already set them.
#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  setenv("ADVBN_FIXTURES", ADVBN_TEST_FIXTURES, /*overwrite=*/0);
  setenv("ADVBN_PYTHON", ADVBN_TEST_PYTHON, 0);
  setenv("ADVBN_SOURCE_DIR", ADVBN_TEST_SOURCE_DIR, 0);
  setenv("ADVBN_TOOL", ADVBN_TEST_TOOL, 0);
  setenv("ADVBN_SHIFT_TOOL", ADVBN_TEST_SHIFT_TOOL, 0);
  setenv("ADVBN_REPLICA_WORKER", ADVBN_TEST_REPLICA_WORKER, 0);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
