#include "tests/support/compare.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "tensor/ops.h"

namespace dn::test {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

const char* measure_name(Measure m) {
  switch (m) {
    case Measure::absolute: return "max |got - want|";
    case Measure::relative_to_max: return "max |got - want| / max |want|";
    case Measure::relative_norm: return "||got - want|| / ||want||";
    case Measure::elementwise: return "max |got - want| / max(|want|, floor)";
  }
  return "?";
}

Comparison mismatch(int64_t index, double got, double want, const std::string& why) {
  Comparison c{kInfinity, index, got, want, ""};
  std::ostringstream s;
  s.precision(17);
  s << why << " at index " << index << ": got " << got << ", want " << want;
  c.text = s.str();
  return c;
}

}  // namespace

Comparison compare(std::span<const double> got, std::span<const double> want, Measure measure,
                   const CompareOptions& options) {
  if (got.size() != want.size()) {
    Comparison c{kInfinity, -1, 0, 0, ""};
    c.text = "sizes differ: got " + std::to_string(got.size()) + " elements, want " +
             std::to_string(want.size());
    return c;
  }
  double worst = 0, scale = 0, squares = 0, want_squares = 0;
  int64_t worst_index = got.empty() ? -1 : 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double a = got[i], b = want[i];
    if (!std::isfinite(a) || !std::isfinite(b)) {
      const bool same = (std::isnan(a) && std::isnan(b)) || a == b;
      if (options.non_finite == NonFinite::must_match && same) continue;
      return mismatch(int64_t(i), a, b, "non-finite value");
    }
    const double diff = std::fabs(a - b);
    double err = diff;
    if (measure == Measure::elementwise) err = diff / std::max(std::fabs(b), options.floor);
    if (err > worst) {
      worst = err;
      worst_index = int64_t(i);
    }
    scale = std::max(scale, std::fabs(b));
    squares += diff * diff;
    want_squares += b * b;
  }
  double error = worst;
  if (measure == Measure::relative_to_max) error = worst == 0 ? 0 : worst / scale;
  if (measure == Measure::relative_norm)
    error = squares == 0 ? 0 : std::sqrt(squares) / std::sqrt(want_squares);
  // 0/0 cannot occur above; x/0 (want all zero, got not) is +inf, the right verdict.
  if (std::isnan(error)) error = kInfinity;

  Comparison c{error, worst_index, 0, 0, ""};
  if (worst_index >= 0) {
    c.got = got[size_t(worst_index)];
    c.want = want[size_t(worst_index)];
  }
  std::ostringstream s;
  s.precision(17);
  s << measure_name(measure) << " = " << error;
  if (worst_index >= 0)
    s << ", worst at index " << worst_index << ": got " << c.got << ", want " << c.want;
  c.text = s.str();
  return c;
}

Comparison compare(const Tensor& got, const Tensor& want, Measure measure,
                   const CompareOptions& options) {
  if (got.shape() != want.shape()) {
    Comparison c{kInfinity, -1, 0, 0, ""};
    c.text = "shapes differ: got " + shape_str(got.shape()) + ", want " + shape_str(want.shape());
    return c;
  }
  const std::vector<double> a = to_vector<double>(kernel::to(got, Device::cpu()));
  const std::vector<double> b = to_vector<double>(kernel::to(want, Device::cpu()));
  return compare(a, b, measure, options);
}

Comparison compare(double got, double want, Measure measure) {
  // For one number every relative measure is |got - want| / |want|.
  const Measure m = measure == Measure::absolute ? Measure::absolute : Measure::relative_to_max;
  return compare(std::span<const double>(&got, 1), std::span<const double>(&want, 1), m);
}

}  // namespace dn::test
