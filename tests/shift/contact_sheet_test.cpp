#include "advbn/shift/contact_sheet.h"

#include <gtest/gtest.h>

#include "advbn/error.h"
#include "advbn/shift/corruptions.h"
#include "advbn/shift/filters.h"
#include "shift/shift_test_util.h"

namespace advbn::shift {
namespace {

TEST(ContactSheet, OneRowPerCorruptionThenTheFilters) {
  // 32 px tiles are enlarged 3× (to 96 px) so labels stay readable.
  const cv::Mat sheet = contact_sheet(testing::scene(32, 32, true), {1, 3, 5}, 0);
  const std::size_t columns = 4;
  const std::size_t rows = all_corruptions().size() + (filter_names().size() + columns - 1) / columns;
  EXPECT_EQ(sheet.type(), CV_8UC3);
  EXPECT_EQ(sheet.cols, static_cast<int>(columns * 96));
  EXPECT_EQ(sheet.rows, static_cast<int>(rows * 96));
}

TEST(ContactSheet, RejectsNoSeverities) {
  EXPECT_THROW(contact_sheet(testing::scene(32, 32), {}, 0), Error);
  EXPECT_THROW(contact_sheet(testing::scene(32, 32), {0}, 0), Error);
}

}  // namespace
}  // namespace advbn::shift
