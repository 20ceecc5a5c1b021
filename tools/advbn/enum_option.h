#pragma once
// A command-line option whose words name the values of an enum: the help lists the words and the
// current value as the default, a wrong word is refused by CLI11's one-line error, and the word
// is turned into the value by the library's own parse function.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace advbn::cli {

template <typename Enum, typename Parse, typename Name>
CLI::Option* add_enum_option(CLI::App& command, const std::string& flag, Enum& target, const std::string& description,
                             const std::vector<std::string>& words, Parse parse, Name name) {
  return command
      .add_option_function<std::string>(flag, [&target, parse](const std::string& word) { target = parse(word); },
                                        description)
      ->check(CLI::IsMember(words))
      ->default_str(name(target));
}

}  // namespace advbn::cli
