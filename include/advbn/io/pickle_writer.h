#pragma once
// Emits pickle protocol 2 opcode by opcode, the protocol torch.save uses. The caller composes
// objects (see torch_checkpoint.cpp); this class only knows the encoding.
#include <cstdint>
#include <string>
#include <vector>

namespace advbn::io {

class PickleWriter {
 public:
  PickleWriter();

  void mark();
  void tuple();  // the values since the last mark
  void empty_tuple();
  void set_items();  // key/value pairs since the last mark into the dict below the mark
  void global(const std::string& module, const std::string& name);
  void reduce();  // callable(*args) with the two values on top of the stack
  void persistent_id();
  void string(const std::string& text);
  void integer(int64_t value);
  void boolean(bool value);

  // Appends STOP and returns the complete pickle.
  std::vector<uint8_t> finish();

 private:
  void byte(uint8_t value);
  template <typename T>
  void number(T value);

  std::vector<uint8_t> bytes_;
};

}  // namespace advbn::io
