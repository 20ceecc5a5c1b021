advbn_add_fixture_script(models fixtures/make_model_fixtures.py)
advbn_add_test_executable(advbn_tests
  core/feature_stats_test.cpp
  core/adv_batch_norm_test.cpp
  core/dual_batch_norm_test.cpp
  core/sync_batch_norm_test.cpp
  core/feature_perturbation_test.cpp
  core/pixel_attack_test.cpp
  core/phase_times_test.cpp
  memory/cpu_block_cache_test.cpp
  models/resnet_test.cpp
  models/conv_batch_norm_test.cpp
  models/weights_test.cpp
  models/densenet_test.cpp
  models/efficientnet_test.cpp
  models/vgg_test.cpp
  models/backbone_parity_test.cpp
  models/segmentation_parity_test.cpp
  models/backbone_staging_test.cpp
  cli/cli_test.cpp
  train/trainer_test.cpp
  train/segmentation_training_test.cpp
  train/training_step_test.cpp
  train/precision_test.cpp
  models/linear_as_convolution_test.cpp
  train/kill_resume_test.cpp
  distributed/distributed_training_test.cpp
  gpu/gpu_parity_test.cpp
  demo/demo_test.cpp
)
target_link_libraries(advbn_tests PRIVATE advbn)
target_precompile_headers(advbn_tests PRIVATE <torch/torch.h> <gtest/gtest.h>)
