advbn_add_fixture_script(autoencoder fixtures/make_autoencoder_fixtures.py)
advbn_add_test_executable(advbn_autoencoder_tests
  autoencoder/adain_test.cpp
  autoencoder/encoder_decoder_test.cpp
  autoencoder/autoencoder_tools_test.cpp
)
target_link_libraries(advbn_autoencoder_tests PRIVATE advbn)
target_precompile_headers(advbn_autoencoder_tests PRIVATE <torch/torch.h> <gtest/gtest.h>)
