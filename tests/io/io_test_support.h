#pragma once
// Fixture access and exact tensor comparison shared by the io tests.
#include <advbn/error.h>
#include <advbn/io/state_dict.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace advbn::io::testing {

inline std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// Fixtures are written by tests/io/make_io_fixtures.py into $ADVBN_FIXTURES/io.
inline std::string fixture(const std::string& name) {
  const std::string root = env_or_empty("ADVBN_FIXTURES");
  if (root.empty()) throw std::runtime_error("ADVBN_FIXTURES is not set; run the tests through ctest");
  return (std::filesystem::path(root) / "io" / name).string();
}

inline std::vector<char> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory per test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() / ("advbn_io_" + std::string(info->test_suite_name()) + "_" +
                                                      info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline at::ScalarType dtype_from_name(const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "float64") return at::kDouble;
  if (name == "float16") return at::kHalf;
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "int64") return at::kLong;
  if (name == "int32") return at::kInt;
  if (name == "int16") return at::kShort;
  if (name == "int8") return at::kChar;
  if (name == "uint8") return at::kByte;
  if (name == "bool") return at::kBool;
  throw std::runtime_error("unknown dtype in reference: " + name);
}

// Checks names, order, dtypes, shapes and every byte against a reference written by the
// fixture script (<stem>.json + <stem>.bin).
inline void expect_matches_reference(const StateDict& weights, const std::string& stem) {
  const auto manifest = nlohmann::json::parse(file_bytes(fixture(stem + ".json")));
  const std::vector<char> blob = file_bytes(fixture(stem + ".bin"));
  ASSERT_EQ(weights.size(), manifest.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    const auto& expected = manifest[i];
    const auto& [name, tensor] = weights[i];
    SCOPED_TRACE(name);
    ASSERT_EQ(name, expected["name"].get<std::string>());
    ASSERT_EQ(tensor.scalar_type(), dtype_from_name(expected["dtype"].get<std::string>()));
    ASSERT_EQ(tensor.sizes().vec(), expected["shape"].get<std::vector<int64_t>>());
    const at::Tensor contiguous = tensor.contiguous();
    const auto offset = expected["offset"].get<size_t>();
    const auto nbytes = expected["nbytes"].get<size_t>();
    ASSERT_EQ(contiguous.nbytes(), nbytes);
    EXPECT_TRUE(nbytes == 0 || std::memcmp(contiguous.data_ptr(), blob.data() + offset, nbytes) == 0)
        << "tensor bytes differ from the reference";
  }
}

// The message of the advbn::Error that `action` throws, or a test failure if it throws none.
template <typename Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const advbn::Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected advbn::Error";
  return {};
}

}  // namespace advbn::io::testing
