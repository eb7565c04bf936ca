// Every fused kernel against the composite it replaces (autograd/fused.h switches between
// them): the same values and the same gradients, in float64 (to rounding) and float32 (to
// float32 rounding), on sizes that are not multiples of the vector width, a batch of one,
// and non-contiguous inputs.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "autograd/functions.h"
#include "autograd/fused.h"
#include "tests/support/compare.h"
#include "tests/support/gradcheck.h"

using namespace dn;
using Ts = std::vector<Tensor>;
using Fn = std::function<Tensor(const Ts&)>;

namespace {

// max |a - b| / max |b|: one relative measure for a whole tensor (NaN never passes)
dn::test::Comparison relative_to_max_error(const Tensor& a, const Tensor& b) {
  return dn::test::compare(a, b, dn::test::Measure::relative_to_max);
}

struct Run {
  Tensor out;
  std::vector<Tensor> grads;
};

// f's output and the gradients of Σ f(inputs)·r (r fixed), with fused kernels on or off.
Run run(const Fn& f, const Ts& inputs, bool fused) {
  FusedKernelsGuard guard(fused);
  Ts leaves;
  for (const Tensor& x : inputs) {
    Tensor leaf = kernel::clone(x);
    leaf.set_requires_grad(true);
    leaves.push_back(leaf);
  }
  Tensor out = f(leaves);
  Generator gen(99);
  Tensor r = kernel::normal(out.shape(), 0, 1, gen, out.dtype());
  backward(sum(mul(out, r)));
  Run result{out, {}};
  for (const Tensor& l : leaves) result.grads.push_back(l.grad());
  return result;
}

// Fused and composite agree to `tol` (relative to each tensor's largest entry).
void check_same(const Fn& f, const Ts& inputs, double tol) {
  Run a = run(f, inputs, true), b = run(f, inputs, false);
  CHECK_CLOSE(relative_to_max_error(a.out, b.out), tol);
  for (size_t i = 0; i < a.grads.size(); ++i) {
    CAPTURE(i);
    CHECK_CLOSE(relative_to_max_error(a.grads[i], b.grads[i]), tol);
  }
}

Tensor randn(const Shape& shape, uint64_t seed, DType dtype) {
  Generator gen(seed);
  return kernel::normal(shape, 0, 1, gen, dtype);
}

}  // namespace

TEST_CASE("fused attention = composite attention (linear and softmax, float64 and float32)") {
  for (DType dt : {DType::f64, DType::f32}) {
    const std::string dtype = dtype_name(dt);
    CAPTURE(dtype);
    const double tol = dt == DType::f64 ? 1e-12 : 2e-5;
    // ViT-S's head width (64) over an odd token count, a batch of one, and odd head widths
    for (const Shape& shape : {Shape{2, 37, 3 * 128}, Shape{1, 61, 3 * 192}, Shape{3, 9, 3 * 15}}) {
      const int64_t heads = shape[2] == 3 * 15 ? 3 : shape[2] / (3 * 64);
      CAPTURE(shape_str(shape));
      Tensor qkv = randn(shape, 7, dt);
      check_same([heads](const Ts& t) { return linear_attention(t[0], heads); }, {qkv}, tol);
      check_same([heads](const Ts& t) { return linear_attention(t[0], heads, 1e-6); }, {qkv}, tol);
      check_same([heads](const Ts& t) { return softmax_attention(t[0], heads); }, {qkv}, tol);
    }
    // a non-contiguous qkv
    Tensor t = randn({37, 2, 3 * 128}, 8, dt);
    check_same([](const Ts& x) { return linear_attention(transpose(x[0], 0, 1), 2); }, {t}, tol);
    check_same([](const Ts& x) { return softmax_attention(transpose(x[0], 0, 1), 2); }, {t}, tol);
  }
}

TEST_CASE("fused Linear epilogues = composite: bias, bias + GELU, GELU's backward") {
  for (DType dt : {DType::f64, DType::f32}) {
    const std::string dtype = dtype_name(dt);
    CAPTURE(dtype);
    const double tol = dt == DType::f64 ? 1e-12 : 2e-6;
    Tensor x = randn({2, 37, 67}, 11, dt), w = randn({131, 67}, 12, dt), b = randn({131}, 13, dt);
    check_same([](const Ts& t) { return linear(t[0], t[1], t[2]); }, {x, w, b}, tol);
    check_same([](const Ts& t) { return linear_gelu(t[0], t[1], t[2]); }, {x, w, b}, tol);
    check_same([](const Ts& t) { return linear_gelu(t[0], t[1], Tensor()); }, {x, w}, tol);
    check_same([](const Ts& t) { return gelu(t[0]); }, {randn({5, 131}, 14, dt)}, tol);
    // a batch of one row, and a transposed input
    check_same([](const Ts& t) { return linear_gelu(t[0], t[1], t[2]); }, {randn({1, 67}, 15, dt), w, b}, tol);
    check_same([](const Ts& t) { return linear_gelu(transpose(t[0], 0, 1), t[1], t[2]); },
               {randn({67, 9}, 16, dt), w, b}, tol);
  }
}

TEST_CASE("linear_gelu without a graph writes the GELU over its product") {
  // (the no-grad path of the frozen encoder: one tensor instead of two; same values)
  Tensor x = randn({3, 19}, 17, DType::f32), w = randn({23, 19}, 18, DType::f32);
  Tensor b = randn({23}, 19, DType::f32);
  NoGradGuard guard;
  Tensor fused = linear_gelu(x, w, b);
  FusedKernelsGuard off(false);
  CHECK_CLOSE(relative_to_max_error(fused, linear_gelu(x, w, b)), 2e-6);
}

TEST_CASE("fused layer_norm backward = composite, with and without weight and bias") {
  for (DType dt : {DType::f64, DType::f32}) {
    const std::string dtype = dtype_name(dt);
    CAPTURE(dtype);
    const double tol = dt == DType::f64 ? 1e-12 : 1e-5;
    Tensor x = randn({2, 37, 384}, 21, dt), w = randn({384}, 22, dt), b = randn({384}, 23, dt);
    check_same([](const Ts& t) { return layer_norm(t[0], t[1], t[2], 1e-6); }, {x, w, b}, tol);
    check_same([](const Ts& t) { return layer_norm(t[0], Tensor(), Tensor(), 1e-5); }, {x}, tol);
    check_same([](const Ts& t) { return layer_norm(t[0], t[1], t[2], 1e-8); },
               {randn({1, 33}, 24, dt), randn({33}, 25, dt), randn({33}, 26, dt)}, tol);
    check_same([](const Ts& t) { return layer_norm(transpose(t[0], 0, 1), t[1], t[2], 1e-6); },
               {randn({33, 7}, 27, dt), randn({33}, 28, dt), randn({33}, 29, dt)}, tol);
  }
}

TEST_CASE("fused dropout = composite dropout: the same draws, the same mask, bit for bit") {
  for (DType dt : {DType::f64, DType::f32}) {
    const std::string dtype = dtype_name(dt);
    CAPTURE(dtype);
    for (double p : {0.2, 0.5, 1.0}) {
      CAPTURE(p);
      // odd size (not a whole number of Philox blocks), then a second draw from the same
      // generator: the generators must also advance alike
      auto f = [p](const Ts& t) {
        Generator gen(3);
        Tensor a = dropout(t[0], p, true, gen);
        return mul(a, dropout(t[0], p, true, gen));
      };
      check_same(f, {randn({7, 33}, 31, dt)}, 0.0);
    }
  }
}

TEST_CASE("fused mean_of = mean of the stack") {
  for (DType dt : {DType::f64, DType::f32}) {
    const std::string dtype = dtype_name(dt);
    CAPTURE(dtype);
    const double tol = dt == DType::f64 ? 1e-15 : 1e-7;
    Ts list;
    for (int i = 0; i < 8; ++i) list.push_back(randn({2, 37, 65}, 40 + i, dt));
    check_same([](const Ts& t) { return mean_of(t); }, list, tol);
    check_same([](const Ts& t) { return mean_of({t[0], transpose(t[1], 0, 1)}); },
               {randn({5, 3}, 50, dt), randn({3, 5}, 51, dt)}, tol);
  }
}

TEST_CASE("fused attention records one node; the composite many") {
  Tensor qkv = randn({1, 5, 12}, 9, DType::f32);
  qkv.set_requires_grad(true);
  {
    FusedKernelsGuard on(true);
    Tensor y = linear_attention(qkv, 2);
    REQUIRE(y.grad_fn());
    CHECK(y.grad_fn()->name() == "linear_attention");
  }
  {
    FusedKernelsGuard off(false);
    Tensor y = linear_attention(qkv, 2);
    REQUIRE(y.grad_fn());
    CHECK(y.grad_fn()->name() != "linear_attention");
  }
}

TEST_CASE("fused kernels refuse a tensor that is not on the CPU, naming the op") {
  // (no CUDA tensor can be made without a device; the qkv check comes first either way)
  CHECK_THROWS_WITH(kernel::fused_linear_attention(randn({1, 2, 10}, 1, DType::f32), 2, 0.0),
                    doctest::Contains("linear_attention"));
}

TEST_CASE("each backend answers which fused kernels it has; the autograd ops follow") {
  const std::vector<FusedKernel> all = {
#define DN_KERNEL(name, params)
#define DN_FUSED_KERNEL(name, params) FusedKernel::name,
#include "tensor/backend.def"
#undef DN_KERNEL
#undef DN_FUSED_KERNEL
  };
  REQUIRE(all.size() == 11);  // a new fused kernel shows up here and in the checks below
  for (FusedKernel k : all) {
    CAPTURE(fused_kernel_name(k));
    CHECK(kernel::has_fused(k, Device::cpu(), DType::f32));
    CHECK(kernel::has_fused(k, Device::cpu(), DType::f64));
    CHECK_FALSE(kernel::has_fused(k, Device::cpu(), DType::i64));
    CHECK_FALSE(kernel::has_fused(k, Device::cuda(0), DType::f32));  // composites there, for now
  }
  Tensor x = randn({3, 4}, 7, DType::f32);
  {
    FusedKernelsGuard on(true);  // whatever DN_FUSED says
    CHECK(use_fused({FusedKernel::dropout, FusedKernel::dropout_backward}, x));
    CHECK_FALSE(use_fused({FusedKernel::dropout}, kernel::to(x, DType::i64)));
  }
  {
    FusedKernelsGuard off(false);
    CHECK_FALSE(use_fused({FusedKernel::dropout}, x));
  }
}
