#include "tests/support/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "tensor/ops.h"
#include "tests/support/compare.h"

namespace dn::test {

namespace {

std::set<std::string>& seen_set() {
  static std::set<std::string> s;
  return s;
}

// The worst error of every check that went through an op, printed when the program ends so
// the suite's log shows how much room each op's backward has under the tolerance.
struct WorstErrors : std::map<std::string, double> {
  ~WorstErrors() {
    if (empty()) return;
    std::printf("gradient check: worst error (max |analytic - numeric| / max |numeric|) per op\n");
    for (const auto& [op, err] : *this) std::printf("  %-28s %.3g\n", op.c_str(), err);
  }
};

WorstErrors& worst_by_op() {
  static WorstErrors w;
  return w;
}

void collect_ops(const Tensor& out, std::set<std::string>& names) {
  if (!out.grad_fn()) return;
  std::vector<Node*> stack{out.grad_fn().get()};
  std::set<Node*> visited;
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (!visited.insert(n).second) continue;
    if (n->name() != "AccumulateGrad") names.insert(n->name());
    for (const Edge& e : n->inputs)
      if (e.node) stack.push_back(e.node.get());
  }
}

// Σ f(inputs) ⊙ R, without recording.
double weighted_sum(const TensorFn& f, const std::vector<Tensor>& inputs, const Tensor& r) {
  NoGradGuard guard;
  Tensor out = f(inputs);
  return kernel::reduce(ReduceOp::sum, kernel::binary(BinaryOp::mul, kernel::to(out, DType::f64), r),
                        {}, false).item();
}

// Pointer to logical element j (row-major order) of a strided float64 tensor.
double* element(const Tensor& t, int64_t j) {
  int64_t offset = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    offset += (j % t.size(d)) * t.stride(d);
    j /= t.size(d);
  }
  return t.data<double>() + offset;
}

}  // namespace

std::string gradcheck(const TensorFn& f, const std::vector<Tensor>& inputs,
                      const GradcheckOptions& o) {
  for (const Tensor& x : inputs)
    if (x.defined() && x.requires_grad())
      DN_CHECK(x.dtype() == DType::f64 && x.is_leaf(), "gradcheck: inputs that require grad "
               "must be float64 leaves");
  Tensor out = f(inputs);
  DN_CHECK(out.requires_grad(), "gradcheck: the output does not require grad");
  std::set<std::string> names;
  collect_ops(out, names);
  Generator gen(o.seed);
  Tensor r = kernel::normal(out.shape(), 0.0, 1.0, gen, DType::f64);

  for (const Tensor& x : inputs)
    if (x.defined()) x.impl()->grad = Tensor();
  backward(out, kernel::to(r, out.dtype()));

  std::string report;
  double worst = 0;  // the largest error of any input's gradient
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    Tensor analytic = x.grad();
    if (!analytic.defined()) analytic = zeros(x.shape(), DType::f64);
    std::vector<double> numeric(size_t(x.numel()));
    for (int64_t j = 0; j < x.numel(); ++j) {
      double* p = element(x, j);
      const double saved = *p;
      auto at = [&](double step) {
        *p = saved + step;
        return weighted_sum(f, inputs, r);
      };
      const double sum = -at(2 * o.h) + 8 * at(o.h) - 8 * at(-o.h) + at(-2 * o.h);
      *p = saved;
      numeric[size_t(j)] = sum / (12 * o.h);
    }
    const Comparison c = compare(to_vector<double>(analytic), numeric, Measure::relative_to_max);
    if (!(c.error <= worst)) {  // also takes an infinite error
      worst = c.error;
      report = "input " + std::to_string(i) + " " + shape_str(x.shape()) + ": " + c.text;
    }
  }
  for (const std::string& n : names) {
    double& w = worst_by_op()[n];
    w = std::max(w, worst);
  }
  if (!(worst <= o.tolerance)) {
    std::ostringstream s;
    s << report << " exceeds the tolerance " << o.tolerance;
    return s.str();
  }
  seen_set().insert(names.begin(), names.end());
  return "";
}

const std::set<std::string>& ops_seen() { return seen_set(); }

Tensor randn64(const Shape& shape, uint64_t seed, bool requires_grad) {
  Generator gen(seed);
  Tensor t = kernel::normal(shape, 0.0, 1.0, gen, DType::f64);
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

Tensor uniform64(const Shape& shape, double lo, double hi, uint64_t seed, bool requires_grad) {
  Generator gen(seed);
  Tensor t = kernel::uniform(shape, lo, hi, gen, DType::f64);
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

Tensor transposed_leaf(const Shape& shape, uint64_t seed) {
  DN_CHECK(shape.size() >= 2, "transposed_leaf: need at least 2 dims");
  Shape swapped = shape;
  std::swap(swapped[swapped.size() - 1], swapped[swapped.size() - 2]);
  Tensor base = randn64(swapped, seed, false);
  Tensor t = detach(kernel::transpose(base, -1, -2));
  t.set_requires_grad(true);
  return t;
}

}  // namespace dn::test
