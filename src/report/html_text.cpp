#include "html_text.h"

#include <cmath>
#include <cstdio>

namespace advbn::report::detail {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(double value, const char* format) {
  if (!std::isfinite(value)) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string format_percent(const std::optional<double>& value) {
  return value ? format_number(*value, "%.2f") : "n/a";
}

std::string format_signed_percent(double value) { return format_number(value, "%+.2f"); }

}  // namespace advbn::report::detail
