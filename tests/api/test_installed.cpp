// The installed library as a user's own project meets it: `meson install` into a temporary
// folder, then examples/predict_image.c and .cpp compiled with plain cc and c++ and
// `pkg-config --cflags --libs dinomaly`, run on the trained run, and compared with predict.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "dinomaly/detector.h"
#include "tests/api/fixture.h"
#include "tests/apps/app_runner.h"

using namespace dn::test;
namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  REQUIRE_MESSAGE(v != nullptr, name, " is not set (the meson test sets it)");
  return v;
}

// The first file under root with this name ("" when there is none).
std::string find_under(const std::string& root, const std::string& name) {
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.path().filename() == name) return e.path().string();
  return "";
}

struct Installed {
  std::string destdir, pc_dir, lib_dir;
};

const Installed& installed() {
  static const Installed inst = [] {
    Installed i;
    i.destdir = temp_dir("api_install") + "/root";
    Run r = run_shell(shell_quote(env("DN_MESON")) + " install --no-rebuild -C " + shell_quote(env("DN_BUILD_ROOT")) +
                          " --destdir " + shell_quote(i.destdir),
                      "meson_install");
    REQUIRE_MESSAGE(r.code == 0, r.out, r.err);
    const std::string pc = find_under(i.destdir, "dinomaly.pc");
    const std::string lib = find_under(i.destdir, "libdinomaly.so");
    REQUIRE_MESSAGE(!pc.empty(), "meson install wrote no dinomaly.pc under ", i.destdir);
    REQUIRE_MESSAGE(!lib.empty(), "meson install wrote no libdinomaly.so under ", i.destdir);
    REQUIRE(!find_under(i.destdir, "dinomaly.h").empty());
    REQUIRE(!find_under(i.destdir, "detector.h").empty());
    i.pc_dir = fs::path(pc).parent_path().string();
    i.lib_dir = fs::path(lib).parent_path().string();
    return i;
  }();
  return inst;
}

// pkg-config reading the staged install: PKG_CONFIG_SYSROOT_DIR puts the destdir in front
// of the -I and -L paths of dinomaly.pc, as for any staged install.
std::string pkg_config_env() {
  const Installed& i = installed();
  return "PKG_CONFIG_PATH=" + shell_quote(i.pc_dir) + " PKG_CONFIG_SYSROOT_DIR=" + shell_quote(i.destdir) + " ";
}

// Compiles an example as a user would; returns the program's path.
std::string build_example(const std::string& compiler, const std::string& source, const std::string& std_flag) {
  const std::string exe = temp_dir("api_example_" + compiler) + "/predict_image";
  const std::string src = env("DN_SOURCE_ROOT") + "/examples/" + source;
  Run r = run_shell(pkg_config_env() + compiler + " " + std_flag + " -Wall -Wextra -Werror " + shell_quote(src) +
                        " -o " + shell_quote(exe) + " $(" + pkg_config_env() + "pkg-config --cflags --libs dinomaly)",
                    "compile_" + compiler);
  REQUIRE_MESSAGE(r.code == 0, "compiling ", source, ":\n", r.err);
  return exe;
}

void check_example_matches_predict(const std::string& exe) {
  const auto rows = predict_rows();
  REQUIRE(rows.size() == 3);
  dn::Detector detector = dn::Detector::open(api_trained_run());
  for (const auto& row : rows) {
    CAPTURE(row[0]);
    Run r = run_shell("LD_LIBRARY_PATH=" + shell_quote(installed().lib_dir) + " " + shell_quote(exe) + " " +
                          shell_quote(api_trained_run()) + " " + shell_quote(row[0]),
                      "example");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const dn::Prediction p = detector.predict(row[0]);
    long not_inspected = 0;
    for (float v : p.map) not_inspected += std::isnan(v);
    // The examples print the score with %.9g (nine digits read back as the same float);
    // predict prints the shortest text that does: the same float either way.
    char score[64];
    std::snprintf(score, sizeof score, "%.9g", double(std::stof(row[1])));
    const std::string expected = "score " + std::string(score) + " normalized " + row[2] + " label " + row[3] + " map " +
                                 std::to_string(p.width) + "x" + std::to_string(p.height) + " not_inspected " +
                                 std::to_string(not_inspected) + "\n";
    CHECK(r.out == expected);
    CHECK(not_inspected > 0);  // the crop leaves a border out of every image
  }
}

}  // namespace

TEST_CASE("meson install puts the headers, the shared library and dinomaly.pc in place") {
  Run r = run_shell(pkg_config_env() + "pkg-config --cflags --libs dinomaly", "pkg_config");
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("-ldinomaly") != std::string::npos);
  CHECK(r.out.find("-I" + installed().destdir) != std::string::npos);
}

TEST_CASE("the C example, built against the installed library, prints predict's scores") {
  check_example_matches_predict(build_example("cc", "predict_image.c", "-std=c99"));
}

TEST_CASE("the C++ example, built against the installed library, prints predict's scores") {
  check_example_matches_predict(build_example("c++", "predict_image.cpp", "-std=c++17"));
}
