// The vectorised float32 kernels (tensor/cpu/vector_math.h, Eigen's exp) against libm in
// double, over a dense grid of inputs: the error is counted in float ulp of the exact value.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>

#include "tensor/ops.h"

using namespace dn;

namespace {

// Distance between two floats in units in the last place (0 when equal).
int64_t ulp_distance(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  // map the sign-magnitude bit patterns onto a monotonic integer line
  const int64_t la = ia < 0 ? -int64_t(ia & 0x7fffffff) : ia;
  const int64_t lb = ib < 0 ? -int64_t(ib & 0x7fffffff) : ib;
  return std::llabs(la - lb);
}

struct Worst {
  int64_t ulp = 0;
  double x = 0;
};

// The largest ulp distance between op(x) and exact(x) rounded to float, for x on a grid of
// n points over [lo, hi]. Where the function is a sum of terms that cancel, an ulp count of
// the small result says nothing about the arithmetic: `scale` (when given) names the size
// that the error is counted against instead, in ulp of a float of that size.
Worst worst_ulp(UnaryOp op, double lo, double hi, const std::function<double(double)>& exact,
                const std::function<double(double)>& scale = nullptr) {
  const int64_t n = 1 << 20;
  std::vector<float> xs(n);
  for (int64_t i = 0; i < n; ++i) xs[i] = float(lo + (hi - lo) * double(i) / double(n - 1));
  std::vector<float> ys = to_vector<float>(kernel::unary(op, from_vector<float>(xs, {n})));
  Worst w;
  for (int64_t i = 0; i < n; ++i) {
    const double e = exact(xs[i]);
    const double size = scale ? scale(xs[i]) : 0;
    const int64_t d = std::abs(e) >= size
                          ? ulp_distance(ys[i], float(e))
                          : int64_t(std::ceil(std::abs(ys[i] - e) / (size * 0x1p-23)));
    if (d > w.ulp) w = {d, xs[i]};
  }
  return w;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI); }

}  // namespace

TEST_CASE("float32 gelu is within a few ulp everywhere, tails included") {
  Worst w = worst_ulp(UnaryOp::gelu, -12, 12, [](double x) { return x * normal_cdf(x); });
  INFO("worst ", w.ulp, " ulp at x = ", w.x);
  CHECK(w.ulp <= 12);
  // the central range, where training activations live
  Worst c = worst_ulp(UnaryOp::gelu, -4, 4, [](double x) { return x * normal_cdf(x); });
  INFO("central: worst ", c.ulp, " ulp at x = ", c.x);
  CHECK(c.ulp <= 8);
}

TEST_CASE("float32 gelu derivative is within a few ulp of its larger term") {
  // Φ(x) + x·φ(x) crosses zero near x = -0.75, where its two terms (about 0.23) cancel.
  Worst w = worst_ulp(UnaryOp::gelu_grad_factor, -12, 12,
                      [](double x) { return normal_cdf(x) + x * normal_pdf(x); },
                      [](double x) { return std::max(normal_cdf(x), std::abs(x) * normal_pdf(x)); });
  INFO("worst ", w.ulp, " ulp at x = ", w.x);
  CHECK(w.ulp <= 16);
}

TEST_CASE("float32 exp and softmax use a vectorised exp within a few ulp") {
  // Eigen reduces x by a float ln 2, whose rounding error grows with |x|
  Worst w = worst_ulp(UnaryOp::exp, -20, 20, [](double x) { return std::exp(x); });
  INFO("worst ", w.ulp, " ulp at x = ", w.x);
  CHECK(w.ulp <= 2);
  Worst far = worst_ulp(UnaryOp::exp, -80, 80, [](double x) { return std::exp(x); });
  INFO("within ±80: worst ", far.ulp, " ulp at x = ", far.x);
  CHECK(far.ulp <= 4);
  std::vector<float> row = {-3.5f, 0.25f, 7.0f, -100.0f, 1.0f};
  std::vector<float> y = to_vector<float>(kernel::softmax(from_vector<float>(row, {1, 5}), -1));
  double total = 0;
  for (float v : row) total += std::exp(double(v) - 7.0);
  for (size_t i = 0; i < row.size(); ++i)
    CHECK(ulp_distance(y[i], float(std::exp(double(row[i]) - 7.0) / total)) <= 3);
}
