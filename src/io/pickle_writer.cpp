#include <advbn/error.h>
#include <advbn/io/little_endian.h>
#include <advbn/io/pickle_writer.h>

#include <limits>

namespace advbn::io {

PickleWriter::PickleWriter() {
  byte(0x80);  // PROTO
  byte(2);
}

void PickleWriter::byte(uint8_t value) { bytes_.push_back(value); }

template <typename T>
void PickleWriter::number(T value) {
  uint8_t encoded[sizeof(T)];
  store_little_endian(encoded, value);
  bytes_.insert(bytes_.end(), encoded, encoded + sizeof(T));
}

void PickleWriter::mark() { byte('('); }
void PickleWriter::tuple() { byte('t'); }
void PickleWriter::empty_tuple() { byte(')'); }
void PickleWriter::set_items() { byte('u'); }
void PickleWriter::reduce() { byte('R'); }
void PickleWriter::persistent_id() { byte('Q'); }
void PickleWriter::boolean(bool value) { byte(value ? 0x88 : 0x89); }

void PickleWriter::global(const std::string& module, const std::string& name) {
  if (module.find('\n') != std::string::npos || name.find('\n') != std::string::npos) {
    throw Error("cannot pickle global '" + module + "." + name + "': names cannot contain newlines");
  }
  byte('c');
  bytes_.insert(bytes_.end(), module.begin(), module.end());
  byte('\n');
  bytes_.insert(bytes_.end(), name.begin(), name.end());
  byte('\n');
}

void PickleWriter::string(const std::string& text) {
  if (text.size() > std::numeric_limits<uint32_t>::max()) {
    throw Error("cannot pickle a string of " + std::to_string(text.size()) + " bytes (protocol 2 allows 4 GiB)");
  }
  byte('X');  // BINUNICODE
  number(static_cast<uint32_t>(text.size()));
  bytes_.insert(bytes_.end(), text.begin(), text.end());
}

void PickleWriter::integer(int64_t value) {
  if (value >= 0 && value <= 0xff) {
    byte('K');  // BININT1
    byte(static_cast<uint8_t>(value));
  } else if (value >= 0 && value <= 0xffff) {
    byte('M');  // BININT2
    number(static_cast<uint16_t>(value));
  } else if (value >= std::numeric_limits<int32_t>::min() && value <= std::numeric_limits<int32_t>::max()) {
    byte('J');  // BININT
    number(static_cast<int32_t>(value));
  } else {
    byte(0x8a);  // LONG1: little-endian two's complement
    byte(8);
    number(value);
  }
}

std::vector<uint8_t> PickleWriter::finish() {
  byte('.');
  return std::move(bytes_);
}

}  // namespace advbn::io
