// The gradient-check harness: analytic gradients from backward against finite differences,
// in float64.
//
// For a function f of some tensors, we check the gradient of L = Σ f(inputs) ⊙ R, with R a
// fixed random tensor (so every output element matters, with a different weight). For each
// element x_j of each input that requires grad, the five-point central difference
//   numeric_j = (-L(x_j + 2h) + 8 L(x_j + h) - 8 L(x_j - h) + L(x_j - 2h)) / 12h
// is exact up to h⁴·L⁽⁵⁾/30 (the two-point formula stops at h²·L⁽³⁾/6), so h can be large
// enough that rounding, about ε·Σ|f ⊙ R| / h, stays small too. Per input tensor,
//   max_j |analytic_j - numeric_j| / max_j |numeric_j|  <=  tolerance
// with a default tolerance of 1e-8: a backward that is wrong by one part in a million fails
// (tests/support/test_harness.cpp shows it).
#pragma once
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "autograd/functions.h"

namespace dn::test {

struct GradcheckOptions {
  double h = 1e-4;
  // Largest error of an input's gradient relative to that gradient's largest element.
  double tolerance = 1e-8;
  uint64_t seed = 12345;
};

using TensorFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Returns "" when the gradients agree, else a description of the worst mismatch. Remembers
// the names of every op in f's graph (see ops_seen()) and, per op, the worst error of the
// checks that went through it (printed when the program ends).
std::string gradcheck(const TensorFn& f, const std::vector<Tensor>& inputs,
                      const GradcheckOptions& options = {});

// Ops that some passing gradcheck differentiated through.
const std::set<std::string>& ops_seen();

// float64 helpers for tests.
Tensor randn64(const Shape& shape, uint64_t seed, bool requires_grad = true);
Tensor uniform64(const Shape& shape, double lo, double hi, uint64_t seed, bool requires_grad = true);
// A non-contiguous leaf with the given logical shape: the transpose of the last two dims
// of a contiguous tensor.
Tensor transposed_leaf(const Shape& shape, uint64_t seed);

}  // namespace dn::test
