advbn_add_test_executable(advbn_shift_tests
  shift/corruptions_test.cpp
  shift/filters_test.cpp
  shift/css_ops_test.cpp
  shift/demo_scene_test.cpp
  shift/folder_suite_test.cpp
  shift/image_file_test.cpp
  shift/contact_sheet_test.cpp
)
target_link_libraries(advbn_shift_tests PRIVATE advbn_shift)
# css_ops_test checks the library's internal colour operations directly.
target_include_directories(advbn_shift_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../../src)
