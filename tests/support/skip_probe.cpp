// A suite whose cases skip, pass or fail on request, run by test_harness.cpp to check the
// verdicts that doctest_main.cpp gives meson (77 for skipped, 1 for failed or nothing run).
#include <doctest/doctest.h>

#include "tests/support/skip.h"

TEST_CASE("probe: passes" * doctest::test_suite("pass")) { CHECK(1 + 1 == 2); }

TEST_CASE("probe: skips" * doctest::test_suite("skip")) { DN_SKIP("the probe was asked to skip"); }

TEST_CASE("probe: fails" * doctest::test_suite("fail")) { CHECK(1 + 1 == 3); }
