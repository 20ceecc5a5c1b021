#include "advbn/run_app.h"

#include <exception>
#include <iostream>

namespace advbn::cli {

int run_app(CLI::App& app, int argc, char** argv, const std::string& name) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << name << ": error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace advbn::cli
