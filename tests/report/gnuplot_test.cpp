#include "advbn/report/gnuplot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "advbn/error.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(RunGnuplot, RelativeOutputLandsNextToTheScript) {
  const auto dir = advbn::test::temp_dir("gnuplot_relative");
  write(dir / "line.gp", "set terminal png size 200,100\nset output 'line.png'\nplot x\n");
  advbn::report::run_gnuplot((dir / "line.gp").string());
  EXPECT_GT(fs::file_size(dir / "line.png"), 0u);
  EXPECT_FALSE(fs::exists(dir / "line.gp.log")) << "the log of a successful run is removed";
  fs::remove_all(dir);
}

TEST(RunGnuplot, ScriptErrorCarriesGnuplotsMessage) {
  const auto dir = advbn::test::temp_dir("gnuplot_error");
  write(dir / "bad.gp", "plot no_such_function(x)\n");
  try {
    advbn::report::run_gnuplot((dir / "bad.gp").string());
    FAIL() << "expected advbn::Error";
  } catch (const advbn::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("bad.gp"), std::string::npos) << message;
    EXPECT_NE(message.find("undefined function"), std::string::npos) << message;
  }
  fs::remove_all(dir);
}

TEST(RunGnuplot, MissingScriptThrows) {
  EXPECT_THROW(advbn::report::run_gnuplot("/nonexistent/advbn/plot.gp"), advbn::Error);
}

}  // namespace
