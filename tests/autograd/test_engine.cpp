// The backward engine's contracts: accumulation, hooks, no-grad, detach, freed graphs,
// and errors that name the op.
#include <doctest/doctest.h>

#include "tests/support/gradcheck.h"

using namespace dn;

static Tensor leaf(std::vector<double> v) {
  Tensor t = from_vector<double>(v, {int64_t(v.size())});
  t.set_requires_grad(true);
  return t;
}

TEST_CASE("gradients accumulate across backward calls until zero_grad") {
  Tensor x = leaf({1, 2, 3});
  backward(sum(x * x));
  CHECK(to_vector<double>(x.grad()) == std::vector<double>{2, 4, 6});
  backward(sum(x * 3.0));
  CHECK(to_vector<double>(x.grad()) == std::vector<double>{5, 7, 9});
  zero_grad({x});
  CHECK(!x.grad().defined());
}

TEST_CASE("a leaf used twice receives the sum, through one accumulator") {
  Tensor x = leaf({1, 2});
  int calls = 0;
  register_hook(x, [&](const Tensor& g) {
    ++calls;
    return g;
  });
  backward(sum(x * 2.0 + x * 5.0));
  CHECK(calls == 1);  // the leaf hook saw the complete gradient once
  CHECK(to_vector<double>(x.grad()) == std::vector<double>{7, 7});
}

TEST_CASE("a hook on a non-leaf sees the complete gradient and can replace it") {
  Tensor x = leaf({1, 2, 3});
  Tensor y = x * 2.0;  // dy/dx = 2
  Tensor seen;
  register_hook(y, [&](const Tensor& g) {
    seen = g;
    return kernel::unary(UnaryOp::mul_scalar, g, 0.1);
  });
  backward(sum(y * 3.0 + y));  // two uses of y: its complete gradient is 4
  CHECK(to_vector<double>(seen) == std::vector<double>{4, 4, 4});
  std::vector<double> g = to_vector<double>(x.grad());
  for (double v : g) CHECK(v == doctest::Approx(0.8));
}

TEST_CASE("no-grad guard records nothing; detach cuts history") {
  Tensor x = leaf({1, 2});
  {
    NoGradGuard guard;
    Tensor y = x * 2.0;
    CHECK(!y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
  }
  Tensor d = detach(x * 2.0);
  CHECK(!d.requires_grad());
  CHECK(d.is_leaf());
  Tensor z = x * 2.0;
  CHECK(z.requires_grad());
  CHECK(!z.is_leaf());
}

TEST_CASE("nodes are recorded only when an input requires grad") {
  Tensor a = from_vector<double>({1, 2}, {2});
  Tensor b = a * a + 1.0;
  CHECK(b.grad_fn() == nullptr);
  CHECK_THROWS_WITH_AS(backward(sum(b)), doctest::Contains("does not require grad"), Error);
}

TEST_CASE("a second backward through a freed graph names the op") {
  Tensor x = leaf({1, 2});
  Tensor loss = sum(exp(x));
  backward(loss);
  CHECK_THROWS_WITH_AS(backward(loss), doctest::Contains("already freed"), Error);
  Tensor loss2 = sum(exp(x));
  backward(loss2, Tensor(), /*retain_graph=*/true);
  CHECK_NOTHROW(backward(loss2));
}

TEST_CASE("an implicit gradient needs a one-element output") {
  Tensor x = leaf({1, 2});
  CHECK_THROWS_WITH_AS(backward(x * 2.0), doctest::Contains("one-element"), Error);
  CHECK_NOTHROW(backward(x * 2.0, from_vector<double>({1, 1}, {2})));
}

TEST_CASE("an op without a gradient throws when its input requires grad") {
  Tensor x = leaf({3, 1, 2});
  CHECK_THROWS_WITH_AS(topk(x, 1), doctest::Contains("topk"), Error);
  CHECK_THROWS_WITH_AS(kth_largest(x, 1), doctest::Contains("topk"), Error);
  NoGradGuard guard;
  CHECK(kth_largest(x, 2) == 2.0);
}

TEST_CASE("comparisons give bool results that do not require grad") {
  Tensor x = leaf({3, 1, 2});
  Tensor m = compare(CompareOp::gt, x, 1.5);
  CHECK(m.dtype() == DType::bool_);
  CHECK(!m.requires_grad());
}

TEST_CASE("bad shapes give errors that name the op and the shapes") {
  Tensor a = from_vector<double>({1, 2, 3}, {3}), b = from_vector<double>({1, 2}, {2});
  CHECK_THROWS_WITH_AS(a + b, doctest::Contains("add: shapes [3] and [2]"), Error);
  CHECK_THROWS_WITH_AS(matmul(reshape(a, {3, 1}), reshape(a, {3, 1})),
                       doctest::Contains("matmul"), Error);
  CHECK_THROWS_WITH_AS(sum(a, {2}), doctest::Contains("dim 2 out of range"), Error);
  CHECK_THROWS_WITH_AS(a + to(a, DType::f32), doctest::Contains("dtypes differ"), Error);
  CHECK_THROWS_WITH_AS(index_select(a, 0, from_vector<int64_t>({5}, {1})),
                       doctest::Contains("index 5 out of range"), Error);
}

TEST_CASE("set_requires_grad only on floating leaves") {
  Tensor i = from_vector<int64_t>({1, 2}, {2});
  CHECK_THROWS_AS(i.set_requires_grad(true), Error);
  Tensor x = leaf({1, 2});
  Tensor y = x * 2.0;
  CHECK_THROWS_WITH_AS(y.set_requires_grad(false), doctest::Contains("leaf"), Error);
}
