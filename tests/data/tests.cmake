advbn_add_test_executable(advbn_data_tests
  data/datasets_test.cpp
  data/transforms_test.cpp
  data/autoaugment_test.cpp
  data/loader_test.cpp
  data/segmentation_data_test.cpp
)
target_link_libraries(advbn_data_tests PRIVATE advbn_data ZLIB::ZLIB)
target_precompile_headers(advbn_data_tests PRIVATE <torch/torch.h> <gtest/gtest.h>)
