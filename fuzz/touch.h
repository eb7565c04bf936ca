// Shared by the fuzz targets: read the first and the last byte every tensor can reach, so
// that AddressSanitizer catches a view that points outside its storage.
#pragma once
#include <cstdint>

#include "tensor/io/named_tensors.h"

inline uint8_t touch_tensors(const dn::io::NamedTensors& tensors) {
  uint8_t sum = 0;
  for (const auto& [name, t] : tensors) {
    if (t.numel() == 0) continue;
    int64_t last = 0;  // the largest element offset, from the first element
    for (int64_t d = 0; d < t.dim(); ++d) last += (t.size(d) - 1) * t.stride(d);
    size_t item = dn::dtype_size(t.dtype());
    const volatile uint8_t* first = static_cast<const uint8_t*>(t.data_ptr());
    sum += first[0];
    sum += first[last * int64_t(item) + int64_t(item) - 1];
    sum += uint8_t(name.size());
  }
  return sum;
}
