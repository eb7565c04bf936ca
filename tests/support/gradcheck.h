// The gradient-check harness: analytic gradients from backward against central finite
// differences, in float64.
//
// For a function f of some tensors, we check the gradient of L = Σ f(inputs) ⊙ R, with R a
// fixed random tensor (so every output element matters, with a different weight). For each
// element x_j of each input that requires grad:
//   numeric_j = (L(x_j + h) - L(x_j - h)) / 2h
// and it must agree with the analytic gradient: |a - n| <= atol + rtol·|n|.
#pragma once
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "autograd/functions.h"

namespace dn::test {

struct GradcheckOptions {
  double h = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  uint64_t seed = 12345;
};

using TensorFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Returns "" when the gradients agree, else a description of the worst mismatch. Also
// remembers the names of every op in f's graph (see ops_seen()).
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
