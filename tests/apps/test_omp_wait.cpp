// The applications run their OpenMP threads with passive waits unless the environment says
// otherwise (apps/lib/cli.cpp, prefer_passive_omp_wait): bench reports the policy it ran with.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/apps/app_runner.h"

using namespace dn::test;

namespace {

nlohmann::json bench(const std::string& env) {
  const Run r = run_app("bench", {"--mode", "infer", "--encoder", "test-tiny", "--crop", "28", "--batch", "2",
                                  "--steps", "1", "--threads", "2"},
                        "unset OMP_WAIT_POLICY GOMP_SPINCOUNT; " + env);
  INFO(r.err);
  REQUIRE(r.code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("apps wait passively by default and keep the user's OpenMP wait policy") {
  CHECK(bench("").at("omp_wait_policy") == "passive");
  CHECK(bench("export OMP_WAIT_POLICY=active;").at("omp_wait_policy") == "active");
  CHECK(bench("export GOMP_SPINCOUNT=1000;").at("omp_wait_policy") == "GOMP_SPINCOUNT");
}
