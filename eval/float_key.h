// Floats as sortable unsigned integers.
//
// The bits of an IEEE float, read as an integer, sort the same way as the floats do for
// positive numbers and backwards for negative ones. Flipping the sign bit of positives and
// all bits of negatives gives a key with key(a) < key(b) exactly when a < b. The metrics use
// these keys for histograms whose bins are runs of consecutive floats: bin edges then need
// no floating-point arithmetic, so a value can never land on the wrong side of an edge.
#pragma once
#include <cstdint>
#include <cstring>

namespace dn::eval {

// Order key of a non-NaN float. -0 is folded into +0 because the two compare equal, and a
// tie must stay a tie.
inline uint32_t float_key(float value) {
  if (value == 0.0f) value = 0.0f;
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

// The float whose key is `key` (inverse of float_key).
inline float key_float(uint32_t key) {
  uint32_t bits = (key & 0x80000000u) ? (key & 0x7FFFFFFFu) : ~key;
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

}  // namespace dn::eval
