// Sort keys for topk: an unsigned integer per value whose order is the CPU topk's order of
// values (tensor/cpu/index.cpp): NaN above everything, -0.0 equal to 0.0. A stable radix
// sort of these keys then breaks ties by the lower index, as the CPU does.
#pragma once
#include "tensor/cuda/hd.h"

namespace dn::cuda::hd {

DN_HD uint32_t order_key(float v) {
  if (is_nan(v)) return 0xffffffffu;
  if (v == 0.0f) v = 0.0f;  // -0.0 sorts with +0.0
  const uint32_t u = bits_of(v);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

DN_HD uint64_t order_key(double v) {
  if (is_nan(v)) return ~uint64_t(0);
  if (v == 0.0) v = 0.0;
  const uint64_t u = bits_of(v);
  return (u & (uint64_t(1) << 63)) ? ~u : (u | (uint64_t(1) << 63));
}

}  // namespace dn::cuda::hd
