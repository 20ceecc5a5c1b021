set(ADVBN_COMMAND_SOURCES
  tools/advbn/runtime_options.cpp
  tools/advbn/network_options.cpp
  tools/advbn/attack_options.cpp
  tools/advbn/tensor_file.cpp
  tools/advbn/cmd_convert.cpp
  tools/advbn/cmd_predict.cpp
  tools/advbn/cmd_attack.cpp
  tools/advbn/config_file.cpp
  tools/advbn/cmd_train.cpp
  tools/advbn/cmd_eval.cpp
  tools/advbn/cmd_divergence.cpp
  tools/advbn/cmd_demo.cpp
  tools/advbn/forked_measurement.cpp
  tools/advbn/bench_data.cpp
  tools/advbn/cmd_bench.cpp
)

# The commands that need OpenCV only; also built into advbn-shift, a program without LibTorch.
set(ADVBN_SHIFT_COMMAND_SOURCES
  tools/advbn/thread_options.cpp
  tools/advbn/run_app.cpp
  tools/advbn/cmd_corrupt.cpp
  tools/advbn/cmd_filter.cpp
)
