// The one way the tests compare numbers.
//
// A hand-written `err = max(err, |a - b|); CHECK(err < tol)` lets NaN through: every
// comparison with NaN is false, so std::max keeps the old error and a result that is all NaN
// "agrees". Here a NaN or an infinity in either operand is a mismatch, reported with its
// index, unless a test that feeds non-finite values on purpose asks for them to match
// (NonFinite::must_match). The error is never NaN, so `error <= tol` is a real check.
//
//   CHECK_CLOSE(compare(ours, reference, Measure::relative_to_max), 1e-6);
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tensor/tensor.h"

namespace dn::test {

// How the difference between `got` and `want` is measured (all in float64).
enum class Measure {
  absolute,         // max |got - want|
  relative_to_max,  // max |got - want| / max |want|: relative to the tensor's scale
  relative_norm,    // ||got - want|| / ||want||
  elementwise,      // max |got - want| / max(|want|, floor): each element on its own scale
};

// What a NaN or an infinity means. `fail`: a mismatch wherever it appears. `must_match`:
// agreement where both sides hold the same non-finite value (NaN with NaN, +inf with +inf),
// for tests that check how a kernel propagates them.
enum class NonFinite { fail, must_match };

struct Comparison {
  double error = 0;    // never NaN: +infinity when a non-finite value or a size mismatch is met
  int64_t index = -1;  // the element where the error is worst (or the first non-finite one)
  double got = 0, want = 0;  // the two values at `index`
  std::string text;    // what was found, for the failure message

  bool within(double tolerance) const { return error <= tolerance; }
};

struct CompareOptions {
  double floor = 0;  // Measure::elementwise: the smallest |want| an error is divided by
  NonFinite non_finite = NonFinite::fail;
};

Comparison compare(std::span<const double> got, std::span<const double> want, Measure measure,
                   const CompareOptions& options = {});
// Tensors of any dtype and device (converted to float64 on the CPU); shapes must match.
Comparison compare(const Tensor& got, const Tensor& want, Measure measure,
                   const CompareOptions& options = {});
// One number: |got - want| (absolute) or |got - want| / |want| (any relative measure).
Comparison compare(double got, double want, Measure measure);

// The larger error of two comparisons (to report the worst of several tensors), keeping its
// description.
inline const Comparison& worse(const Comparison& a, const Comparison& b) {
  return b.error > a.error ? b : a;
}

}  // namespace dn::test

// Fails the test case (and goes on) when the comparison is not within the tolerance, printing
// the error, where it is worst and the two values there.
// LEVEL is CHECK_MESSAGE (go on after a failure) or REQUIRE_MESSAGE (stop the test case).
#define DN_CLOSE_AT_LEVEL(LEVEL, comparison, tolerance)                                     \
  do {                                                                                      \
    const ::dn::test::Comparison dn_cmp_ = (comparison);                                    \
    const double dn_tol_ = (tolerance);                                                     \
    LEVEL(dn_cmp_.within(dn_tol_), dn_cmp_.text, " (tolerance ", dn_tol_, ")");             \
  } while (0)
#define CHECK_CLOSE(comparison, tolerance) DN_CLOSE_AT_LEVEL(CHECK_MESSAGE, comparison, tolerance)
#define REQUIRE_CLOSE(comparison, tolerance) DN_CLOSE_AT_LEVEL(REQUIRE_MESSAGE, comparison, tolerance)
