#pragma once
// The library reports every failure as advbn::Error with a message that names what failed
// (file, key, value) and, where possible, what to do. Only the command-line tool catches.
#include <stdexcept>
#include <string>

namespace advbn {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace advbn
