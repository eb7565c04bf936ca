// The test harness tests itself: a comparison never passes on NaN or infinity, the gradient
// check sees a backward that is wrong by one part in a million, and a suite that skips is
// reported to meson as skipped (exit 77), never as passed.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "autograd/autograd.h"
#include "tests/support/compare.h"
#include "tests/support/gradcheck.h"

using namespace dn;
using namespace dn::test;
using Ts = std::vector<Tensor>;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("compare: each measure gives its value and where the worst element is") {
  const std::vector<double> want = {1.0, -4.0, 2.0, 0.5};
  const std::vector<double> got = {1.0, -4.0, 2.2, 0.44};
  const Comparison abs = compare(got, want, Measure::absolute);
  CHECK(abs.error == doctest::Approx(0.2).epsilon(1e-12));
  CHECK(abs.index == 2);
  CHECK(abs.got == 2.2);
  CHECK(abs.want == 2.0);
  CHECK(compare(got, want, Measure::relative_to_max).error == doctest::Approx(0.2 / 4.0).epsilon(1e-12));
  CHECK(compare(got, want, Measure::relative_norm).error ==
        doctest::Approx(std::sqrt(0.04 + 0.0036) / std::sqrt(1 + 16 + 4 + 0.25)).epsilon(1e-12));
  const Comparison each = compare(got, want, Measure::elementwise);
  CHECK(each.error == doctest::Approx(0.12).epsilon(1e-12));  // 0.06 / 0.5 beats 0.2 / 2
  CHECK(each.index == 3);
  CHECK(compare(got, want, Measure::elementwise, {.floor = 2.0}).error == doctest::Approx(0.1).epsilon(1e-12));
  CHECK(compare(want, want, Measure::relative_to_max).error == 0);
  CHECK(compare(std::vector<double>{0, 0}, std::vector<double>{0, 0}, Measure::relative_norm).error == 0);
  // A result that is not zero where the reference is all zero is infinitely wrong.
  CHECK(compare(std::vector<double>{0, 1e-30}, std::vector<double>{0, 0}, Measure::relative_to_max).error == kInf);
}

TEST_CASE("compare: NaN or infinity in either operand fails, naming the index") {
  for (Measure m : {Measure::absolute, Measure::relative_to_max, Measure::relative_norm, Measure::elementwise}) {
    for (double bad : {kNaN, kInf, -kInf}) {
      std::vector<double> clean = {1.0, 2.0, 3.0}, dirty = {1.0, 2.0, 3.0};
      dirty[1] = bad;
      const Comparison a = compare(dirty, clean, m), b = compare(clean, dirty, m);
      CHECK(!a.within(1e300));
      CHECK(!b.within(1e300));
      CHECK(a.index == 1);
      CHECK(a.text.find("index 1") != std::string::npos);
      CHECK(!std::isnan(a.error));
    }
  }
  // Unless the test asks for non-finite values to match, and they do.
  const std::vector<double> x = {1.0, kNaN, kInf}, same = {1.0, kNaN, kInf}, other = {1.0, kNaN, -kInf};
  CHECK(compare(x, same, Measure::absolute, {.non_finite = NonFinite::must_match}).within(0));
  CHECK(!compare(x, other, Measure::absolute, {.non_finite = NonFinite::must_match}).within(1e300));
  CHECK(!compare(x, same, Measure::absolute).within(1e300));
}

TEST_CASE("compare: sizes, shapes and single numbers") {
  CHECK(!compare(std::vector<double>{1, 2}, std::vector<double>{1}, Measure::absolute).within(1e300));
  const Tensor a = from_vector<float>({1, 2, 3, 4}, {2, 2}), b = from_vector<float>({1, 2, 3, 4}, {4});
  const Comparison shapes = compare(a, b, Measure::absolute);
  CHECK(!shapes.within(1e300));
  CHECK(shapes.text.find("shapes differ") != std::string::npos);
  CHECK(compare(a, from_vector<double>({1, 2, 3, 4}, {2, 2}), Measure::absolute).within(0));
  CHECK(compare(1.5, 1.0, Measure::relative_to_max).error == doctest::Approx(0.5));
  CHECK(compare(1.5, 1.0, Measure::absolute).error == doctest::Approx(0.5));
  CHECK(!compare(kNaN, 1.0, Measure::absolute).within(1e300));
  CHECK(!compare(kNaN, kNaN, Measure::absolute).within(1e300));
}

TEST_CASE("gradcheck: a backward wrong by one part in a million fails, the right one passes") {
  const Tensor x = randn64({4, 9}, 3);
  auto f = [](double factor) {
    return [factor](const Ts& t) {
      Tensor y = exp(t[0]) * t[0];
      // The hook scales the gradient that reaches y: d/dx comes out `factor` times too large.
      // The numeric evaluations run without a graph; only the analytic pass gets the hook.
      if (factor != 1.0 && y.requires_grad()) register_hook(y, [factor](const Tensor& g) { return g * factor; });
      return y;
    };
  };
  CHECK(gradcheck(f(1.0), {x}) == "");
  CHECK(gradcheck(f(1.0 + 1e-6), {x}) != "");
  CHECK(gradcheck(f(1.0 - 1e-6), {x}) != "");
  // A NaN in the backward fails too.
  CHECK(gradcheck(f(kNaN), {x}) != "");
}

TEST_CASE("skip verdicts: skipped exits 77, a failure wins, an empty filter fails") {
  const char* probe = std::getenv("DN_SKIP_PROBE");
  REQUIRE_MESSAGE(probe != nullptr, "DN_SKIP_PROBE is not set (meson sets it)");
  auto status = [&](const std::string& suites) {
    const std::string cmd = std::string(probe) + " --test-suite=" + suites + " >/dev/null 2>&1";
    const int s = std::system(cmd.c_str());
    REQUIRE(WIFEXITED(s));
    return WEXITSTATUS(s);
  };
  CHECK(status("pass") == 0);
  CHECK(status("skip") == 77);
  CHECK(status("pass,skip") == 77);
  CHECK(status("skip,fail") == 1);
  CHECK(status("fail") == 1);
  CHECK(status("no-such-suite") == 1);
}
