// A check that a suite runs once, after all of its test cases, whatever order they ran in:
// e.g. "every differentiable op passed some gradient check" needs every case to have run
// first, and a test case written "last in the file" breaks under --order-by=rand or a filter.
//
// The suite's main() (doctest_main.cpp) runs each registered check when the run selected
// every test case and none failed; a check that returns a message fails the suite. A
// filtered run says the checks were not run.
#pragma once
#include <functional>
#include <string>

namespace dn::test {

// `check` returns "" when all is well, else what is wrong.
void add_final_check(const std::string& name, std::function<std::string()> check);

// Registers a final check from a test file:  DN_FINAL_CHECK("name") { return ""; }
struct FinalCheckRegistrar {
  FinalCheckRegistrar(const std::string& name, std::function<std::string()> check) {
    add_final_check(name, std::move(check));
  }
};

}  // namespace dn::test
