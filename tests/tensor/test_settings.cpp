// The settings table (tensor/settings.h): every allowed value passes, an empty one means the
// default, anything else is an error naming the variable; the retired DN_CPU_GEMM says what
// to use instead; docs/settings.md lists every variable of the table.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tensor/settings.h"

using namespace dn;

TEST_CASE("every setting accepts its allowed values and its default, and refuses others") {
  REQUIRE(settings::table().size() >= 5);
  for (const settings::Setting& s : settings::table()) {
    CAPTURE(std::string(s.name));
    CHECK(settings::checked(s.name, "") == s.fallback);
    CHECK(settings::checked(s.name, s.fallback) == s.fallback);
    const std::string allowed = s.allowed;
    if (allowed.find('|') != std::string::npos) {
      std::stringstream choices(allowed);
      for (std::string c; std::getline(choices, c, '|');) CHECK(settings::checked(s.name, c) == c);
    } else {
      CHECK(settings::checked(s.name, "512") == "512");
    }
    CHECK_THROWS_WITH(settings::checked(s.name, "bogus"), doctest::Contains(s.name));
    CHECK_THROWS_WITH(settings::checked(s.name, "-1"), doctest::Contains(s.name));
  }
}

TEST_CASE("the retired DN_CPU_GEMM names its replacement") {
  CHECK_NOTHROW(settings::check_retired("DN_CPU_GEMM", ""));
  CHECK_THROWS_WITH(settings::check_retired("DN_CPU_GEMM", "eigen"),
                    doctest::Contains("use DN_CPU_MATMUL=eigen"));
  CHECK_THROWS_WITH(settings::check_retired("DN_CPU_GEMM", "1"),
                    doctest::Contains("DN_CPU_MATMUL"));
}

TEST_CASE("docs/settings.md documents every variable of the table") {
  std::ifstream in(std::string(DN_SOURCE_ROOT) + "/docs/settings.md");
  REQUIRE_MESSAGE(in.good(), "docs/settings.md is missing");
  std::stringstream text;
  text << in.rdbuf();
  for (const settings::Setting& s : settings::table()) {
    CAPTURE(std::string(s.name));
    CHECK(text.str().find(std::string("`") + s.name + "`") != std::string::npos);
  }
}
