// The main() of every test suite: doctest's, then the suite's final checks (final_check.h),
// then the SKIP verdict (skip.h): a run in which some case called DN_SKIP and none failed
// exits 77, which meson reports as SKIP. A run whose filters matched no test case fails.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/final_check.h"
#include "tests/support/skip.h"

namespace dn::test {

namespace {
std::vector<std::string>& reasons() {
  static std::vector<std::string> r;
  return r;
}

// How many test cases passed the command line's filters: a meson test whose filter matches
// nothing (a misspelt suite name) must fail, not pass having checked nothing.
int cases_selected = -1;
int cases_total = -1;

struct FinalCheck {
  std::string name;
  std::function<std::string()> check;
};
std::vector<FinalCheck>& final_checks() {
  static std::vector<FinalCheck> c;
  return c;
}

struct CaseCounter : doctest::IReporter {
  explicit CaseCounter(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override {
    cases_selected = int(stats.numTestCasesPassingFilters);
    cases_total = int(stats.numTestCases);
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("case_counter", 1, CaseCounter);
}  // namespace

void record_skip(const std::string& reason) { reasons().push_back(reason); }
void add_final_check(const std::string& name, std::function<std::string()> check) {
  final_checks().push_back({name, std::move(check)});
}
const std::vector<std::string>& skip_reasons() { return reasons(); }

}  // namespace dn::test

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int status = context.run();
  if (context.shouldExit() || status != 0) return status;
  if (dn::test::cases_selected == 0) {
    std::printf("FAIL: no test case matched this run's filters\n");
    return 1;
  }
  using dn::test::final_checks;
  if (!final_checks().empty() && dn::test::cases_selected != dn::test::cases_total) {
    std::printf("final checks not run: this run selected %d of %d test cases\n",
                dn::test::cases_selected, dn::test::cases_total);
  } else {
    int failed = 0;
    for (const auto& [name, check] : final_checks()) {
      const std::string problem = check();
      std::printf("final check '%s': %s\n", name.c_str(), problem.empty() ? "passed" : problem.c_str());
      failed += !problem.empty();
    }
    if (failed) return 1;
  }
  const std::vector<std::string>& why = dn::test::skip_reasons();
  if (why.empty()) return 0;
  for (const std::string& reason : why) std::printf("SKIP: %s\n", reason.c_str());
  return 77;
}
