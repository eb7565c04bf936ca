// Weights defined by a formula, the C++ twin of tools/models/formula_weights.py: the
// parity fixtures hold outputs only, and both sides compute the same ViT-S weights.
#pragma once
#include <string>
#include <vector>

#include "nn/module.h"

namespace dn::test {

std::vector<double> formula_values(const std::string& name, int64_t count);
Tensor formula_tensor(const std::string& name, const Shape& shape, DType dtype);
// Every parameter and buffer of the module, by its state_dict name.
void fill_with_formula(nn::Module& module);

// A large tensor's digest, as make_fixtures.py computes it: every k-th element with
// k = max(1, numel / 2000), and (sum, sum of squares), in float64.
struct Digest {
  std::vector<double> samples;
  double sum = 0, sumsq = 0;
};
Digest digest(const Tensor& t);

}  // namespace dn::test
