// Skipping a test case that cannot run on this machine (no shared data set, no AMX, no AVX2),
// so that meson reports SKIP instead of a pass.
//
// A case calls DN_SKIP("why") and returns. The suite's main() (doctest_main.cpp) then exits
// 77, meson's code for "skipped", after printing every reason, unless some case failed
// (then it fails). Because a skip marks the whole run as skipped, cases that may skip live
// in their own doctest test suite, which meson runs as a separate test (docs/testing.md):
//   TEST_CASE("..." * doctest::test_suite("needs-shared-data")) { ... }
#pragma once
#include <string>
#include <vector>

namespace dn::test {

// Records that the current test case could not run, and why.
void record_skip(const std::string& reason);
// Every reason recorded in this run, in order.
const std::vector<std::string>& skip_reasons();

}  // namespace dn::test

#define DN_SKIP(reason)                  \
  do {                                   \
    ::dn::test::record_skip(reason);     \
    MESSAGE("skipped: " << (reason));    \
    return;                              \
  } while (0)
