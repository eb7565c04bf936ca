#include "eval/exact_mean.h"

#include <cmath>

#include "tensor/error.h"

namespace dn::eval {

namespace {
using u128 = unsigned __int128;
constexpr int kFractionBits = 100;  // the sum counts units of 2^-100
// With values <= 1, a 128-bit sum of 2^100-scaled values cannot overflow below 2^27 terms.
constexpr uint64_t kMaxCount = uint64_t(1) << 27;

int bit_length(unsigned __int128 x) {
  int n = 0;
  while (x != 0) {
    x >>= 1;
    ++n;
  }
  return n;
}
}  // namespace

void ExactMean::add(double v) {
  DN_CHECK(std::isfinite(v) && v >= 0.0 && v <= 1.0, "ExactMean: value ", v,
           " is outside [0, 1]");
  DN_CHECK(count_ < kMaxCount, "ExactMean: more than ", kMaxCount, " values");
  ++count_;
  if (v == 0.0) return;
  // v = m * 2^e with m in [0.5, 1): the 53-bit integer significand is m * 2^53.
  int e = 0;
  double m = std::frexp(v, &e);
  auto significand = static_cast<uint64_t>(std::ldexp(m, 53));
  int shift = e - 53 + kFractionBits;  // v * 2^100 = significand * 2^shift
  DN_CHECK(shift >= 0, "ExactMean: value ", v, " is below the resolution 2^-48");
  sum_ += static_cast<unsigned __int128>(significand) << shift;
}

double ExactMean::mean() const {
  DN_CHECK(count_ > 0, "ExactMean: mean of no values");
  if (sum_ == 0) return 0.0;
  // Long division of sum_ by count_, producing quotient bits until there are at least 55
  // of them (53 kept, one to round with, one spare); the remainder says whether anything
  // non-zero lies below them (the "sticky" bit).
  unsigned __int128 q = sum_ / count_;
  unsigned __int128 r = sum_ % count_;
  int scale = -kFractionBits;  // value = (q + r/count) * 2^scale
  while (bit_length(q) < 55) {
    r <<= 1;
    q <<= 1;
    if (r >= count_) {
      r -= count_;
      q |= 1;
    }
    --scale;
  }
  int drop = bit_length(q) - 53;
  u128 kept = q >> drop;
  u128 rest = q & ((u128(1) << drop) - 1);
  u128 half = u128(1) << (drop - 1);
  bool sticky = r != 0;
  if (rest > half || (rest == half && (sticky || (kept & 1)))) ++kept;  // nearest, ties even
  return std::ldexp(static_cast<double>(static_cast<uint64_t>(kept)), drop + scale);
}

}  // namespace dn::eval
