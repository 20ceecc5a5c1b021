advbn_add_test_executable(advbn_eval_tests
  eval/corruption_error_test.cpp
  eval/meters_test.cpp
  eval/prediction_loss_test.cpp
  eval/segmentation_metrics_test.cpp
  eval/imagenet_c_tree_test.cpp
  eval/benchmark_suites_test.cpp
  eval/eval_cli_test.cpp
  eval/feature_divergence_test.cpp
)
target_link_libraries(advbn_eval_tests PRIVATE advbn)
target_precompile_headers(advbn_eval_tests PRIVATE <torch/torch.h> <gtest/gtest.h>)
