#pragma once
// Text that goes into the HTML page: every string from the report JSON is escaped, and every
// number is printed the same way, so a table cell and a test can name the same text.
#include <optional>
#include <string>
#include <string_view>

namespace advbn::report::detail {

// Escapes &, <, >, " and ' so that the text is safe both in element content and in attributes.
std::string escape_html(std::string_view text);

// `value` through a printf format of one double ("%.4g"); "n/a" when it is not finite.
std::string format_number(double value, const char* format);

// Two decimals (percentages differ by tenths between models); "n/a" when there is no value.
std::string format_percent(const std::optional<double>& value);

// As format_percent, with an explicit sign, for differences between models.
std::string format_signed_percent(double value);

}  // namespace advbn::report::detail
