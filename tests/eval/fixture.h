// Reading the committed JSON fixtures of tests/fixtures/eval (DN_FIXTURES, set by meson).
#pragma once
#include <cstdlib>
#include <fstream>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace dn::eval::testing {

inline nlohmann::json load_fixture(const std::string& name) {
  const char* root = std::getenv("DN_FIXTURES");
  REQUIRE_MESSAGE(root != nullptr, "DN_FIXTURES is not set (run the suite through meson test)");
  std::string path = std::string(root) + "/eval/" + name;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open fixture " << path);
  return nlohmann::json::parse(in);
}

}  // namespace dn::eval::testing
