#pragma once
// Every weight format stores numbers and tensor bytes little-endian. The readers copy tensor bytes
// straight into tensor memory, which is only correct on a little-endian host, so any other host
// fails at compile time instead of loading scrambled weights.
#include <cstdint>
#include <cstring>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "advbn weight file I/O requires a little-endian host"
#endif

namespace advbn::io {

template <typename T>
T load_little_endian(const uint8_t* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof value);
  return value;
}

template <typename T>
void store_little_endian(uint8_t* bytes, T value) {
  std::memcpy(bytes, &value, sizeof value);
}

}  // namespace advbn::io
