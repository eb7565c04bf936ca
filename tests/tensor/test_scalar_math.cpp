// The one table of elementwise formulas (tensor/scalar_math.h), which the CPU and CUDA
// kernels both use: every op of each enum against the standard library in long double, and
// the CPU kernel against the table bit for bit. The loops walk the enums through their names
// (op_kinds.cpp), so an op added later is walked too, and fails here until it has a reference.
#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <string>

#include "tensor/ops.h"
#include "tensor/scalar_math.h"

using namespace dn;

namespace {

using LD = long double;

std::vector<UnaryOp> all_unary_ops() {
  std::vector<UnaryOp> ops;
  for (int o = 0; std::string(unary_name(UnaryOp(o))) != "unary"; ++o) ops.push_back(UnaryOp(o));
  return ops;
}
std::vector<BinaryOp> all_binary_ops() {
  std::vector<BinaryOp> ops;
  for (int o = 0; std::string(binary_name(BinaryOp(o))) != "binary"; ++o)
    ops.push_back(BinaryOp(o));
  return ops;
}
std::vector<CompareOp> all_compare_ops() {
  std::vector<CompareOp> ops;
  for (int o = 0; std::string(compare_name(CompareOp(o))) != "compare"; ++o)
    ops.push_back(CompareOp(o));
  return ops;
}

// erfinv by bisection on erfl: slow, obviously right.
LD erfinv_reference(LD y) {
  if (std::isnan(y)) return y;
  if (y <= -1 || y >= 1) return y == 1 ? INFINITY : y == -1 ? -INFINITY : NAN;
  LD lo = -6, hi = 6;
  for (int i = 0; i < 200; ++i) {
    const LD mid = (lo + hi) / 2;
    (std::erf(mid) < y ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

// The definition of each op, written independently of the table; nullopt for an op without one.
std::optional<LD> unary_reference(UnaryOp op, LD x, LD p) {
  const LD phi = std::exp(-x * x / 2) / std::sqrt(2 * LD(M_PI));  // standard normal density
  const LD cdf = (1 + std::erf(x / std::sqrt(LD(2)))) / 2;
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::exp: return std::exp(x);
    case UnaryOp::log: return std::log(x);
    case UnaryOp::sqrt: return std::sqrt(x);
    case UnaryOp::abs: return std::fabs(x);
    case UnaryOp::sign: return x > 0 ? 1 : x < 0 ? -1 : 0;
    case UnaryOp::pow_scalar: return std::pow(x, p);
    case UnaryOp::add_scalar: return x + p;
    case UnaryOp::mul_scalar: return x * p;
    case UnaryOp::elu: return x > 0 ? x : p * std::expm1(x);
    case UnaryOp::elu_grad_factor: return x > 0 ? 1 : p * std::exp(x);
    case UnaryOp::gelu: return x * cdf;
    case UnaryOp::gelu_grad_factor: return cdf + x * phi;
    case UnaryOp::erfinv: return erfinv_reference(x);
    case UnaryOp::clamp_min: return std::isnan(x) ? x : std::max(x, p);
    case UnaryOp::clamp_max: return std::isnan(x) ? x : std::min(x, p);
  }
  return std::nullopt;
}

std::optional<LD> binary_reference(BinaryOp op, LD a, LD b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    // NaN propagates, as torch.maximum / torch.minimum
    case BinaryOp::maximum: return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
    case BinaryOp::minimum: return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
  }
  return std::nullopt;
}

std::optional<bool> compare_reference(CompareOp op, LD a, LD b) {
  switch (op) {
    case CompareOp::eq: return a == b;
    case CompareOp::ne: return a != b;
    case CompareOp::lt: return a < b;
    case CompareOp::le: return a <= b;
    case CompareOp::gt: return a > b;
    case CompareOp::ge: return a >= b;
  }
  return std::nullopt;
}

// got agrees with want: both NaN, the same infinity, or within tol·max(1, |want|) (NaN fails).
bool agrees(LD got, LD want, LD tol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= tol * std::max<LD>(1, std::fabs(want));
}

const std::vector<double> kInputs = {-3.5, -1.0, -0.75, -0.1, -0.0, 0.0,   1e-3,
                                     0.3,  0.5,  0.999, 1.0,  2.5,  7.0, NAN};

double param_of(UnaryOp op) { return op == UnaryOp::pow_scalar ? 1.7 : 0.6; }

}  // namespace

TEST_CASE("every unary formula of the table against its definition, in float and double") {
  const auto ops = all_unary_ops();
  REQUIRE(ops.size() >= 16);
  for (UnaryOp op : ops) {
    const double p = param_of(op);
    for (double x : kInputs) {
      INFO(std::string(unary_name(op)), "(", x, ")");
      const std::optional<LD> want = unary_reference(op, x, p);
      REQUIRE_MESSAGE(want.has_value(), "no reference for ", unary_name(op));
      CHECK(agrees(unary_apply<double>(op, x, p), *want, 1e-14L));
      // float: the input and the parameter rounded to float first
      const std::optional<LD> want_f = unary_reference(op, float(x), float(p));
      CHECK(agrees(unary_apply<float>(op, float(x), float(p)), *want_f, 1e-6L));
    }
  }
}

TEST_CASE("every binary and comparison formula of the table against its definition") {
  const std::vector<double> vs = {-2.0, 0.5, 3.0, -0.0, NAN};
  for (BinaryOp op : all_binary_ops())
    for (double a : vs)
      for (double b : vs) {
        INFO(std::string(binary_name(op)), "(", a, ", ", b, ")");
        const std::optional<LD> want = binary_reference(op, a, b);
        REQUIRE_MESSAGE(want.has_value(), "no reference for ", binary_name(op));
        // one rounding to the type (a/b), to the ulp
        CHECK(agrees(binary_apply<double>(op, a, b), *want, 2.3e-16L));
        CHECK(agrees(binary_apply<float>(op, float(a), float(b)), *want, 1.2e-7L));
      }
  for (CompareOp op : all_compare_ops())
    for (double a : vs)
      for (double b : vs) {
        INFO(std::string(compare_name(op)), "(", a, ", ", b, ")");
        const std::optional<bool> want = compare_reference(op, a, b);
        REQUIRE_MESSAGE(want.has_value(), "no reference for ", compare_name(op));
        CHECK(compare_apply<double>(op, a, b) == *want);
        CHECK(compare_apply<float>(op, float(a), float(b)) == *want);
      }
}

TEST_CASE("the CPU kernel on strided rows is the table, bit for bit") {
  // A transposed [2, n] input: no contiguous row, so no vectorised path; every element goes
  // through unary_apply, and must give exactly its result.
  const int64_t n = int64_t(kInputs.size());
  std::vector<double> values;
  for (double x : kInputs) values.push_back(x);
  for (double x : kInputs) values.push_back(-x);
  for (UnaryOp op : all_unary_ops()) {
    const double p = param_of(op);
    for (DType dtype : {DType::f64, DType::f32}) {
      Tensor x = kernel::transpose(kernel::to(from_vector<double>(values, {2, n}), dtype), 0, 1);
      REQUIRE_FALSE(x.is_contiguous());  // [n, 2] with strides (1, n)
      const std::vector<double> xs = to_vector<double>(kernel::to(x, DType::f64));
      const std::vector<double> ys =
          to_vector<double>(kernel::to(kernel::unary(op, x, p), DType::f64));
      REQUIRE(ys.size() == xs.size());
      for (size_t i = 0; i < xs.size(); ++i) {
        const double want = dtype == DType::f64
                                ? unary_apply<double>(op, xs[i], p)
                                : double(unary_apply<float>(op, float(xs[i]), float(p)));
        INFO(std::string(unary_name(op)), "(", xs[i], ") in ", dtype_name(dtype));
        CHECK((std::isnan(want) ? std::isnan(ys[i]) : ys[i] == want));
      }
    }
  }
}
