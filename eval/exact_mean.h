// The exactly rounded mean of many fractions, as Python's statistics.mean computes it.
//
// The reference averages the per-region overlaps with statistics.mean, which adds the
// float64 values exactly (as rational numbers) and rounds once at the end. A plain double
// sum rounds after every addition and can end one ulp away. We reproduce the exact result
// with a 128-bit fixed-point sum: every value we average is a fraction tp/area in [0, 1]
// whose float64 form is an integer multiple of 2^-100 (see add()).
#pragma once
#include <cstdint>

namespace dn::eval {

class ExactMean {
 public:
  // v must lie in [0, 1] and be 0 or at least 2^-48 (any tp/area with area <= 2^48 is).
  // Throws dn::Error otherwise.
  void add(double v);
  uint64_t count() const { return count_; }
  // The sum divided by the count, rounded once to the nearest double (ties to even).
  // Throws dn::Error when nothing was added (statistics.mean raises there too).
  double mean() const;

 private:
  unsigned __int128 sum_ = 0;  // in units of 2^-100
  uint64_t count_ = 0;
};

}  // namespace dn::eval
