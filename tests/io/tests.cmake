advbn_add_test_executable(advbn_io_tests
  io/hostile_files_test.cpp
  io/pickle_test.cpp
  io/safetensors_test.cpp
  io/torch_checkpoint_test.cpp
  io/weights_file_test.cpp
  io/zip_archive_test.cpp
)
# The tests read the fixtures' JSON manifests.
target_link_libraries(advbn_io_tests PRIVATE advbn_io nlohmann_json::nlohmann_json)
advbn_add_fixture_script(io io/make_io_fixtures.py)
