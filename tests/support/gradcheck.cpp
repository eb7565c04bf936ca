#include "tests/support/gradcheck.h"

#include <cmath>
#include <sstream>

#include "tensor/ops.h"

namespace dn::test {

namespace {

std::set<std::string>& seen_set() {
  static std::set<std::string> s;
  return s;
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

  std::ostringstream report;
  double worst = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    Tensor analytic = x.grad();
    if (!analytic.defined()) analytic = zeros(x.shape(), DType::f64);
    std::vector<double> a = to_vector<double>(analytic);
    for (int64_t j = 0; j < x.numel(); ++j) {
      double* p = element(x, j);
      const double saved = *p;
      *p = saved + o.h;
      const double plus = weighted_sum(f, inputs, r);
      *p = saved - o.h;
      const double minus = weighted_sum(f, inputs, r);
      *p = saved;
      const double numeric = (plus - minus) / (2 * o.h);
      const double err = std::fabs(a[j] - numeric);
      const double allowed = o.atol + o.rtol * std::fabs(numeric);
      if (err > allowed && err / allowed > worst) {
        worst = err / allowed;
        report.str("");
        report << "input " << i << " " << shape_str(x.shape()) << " element " << j
               << ": analytic " << a[j] << " vs numeric " << numeric;
      }
    }
  }
  if (worst == 0) seen_set().insert(names.begin(), names.end());
  return report.str();
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
