// The naming rule of per-input output files (eval/output_names.h): unique for distinct
// inputs, readable, stable, and a clear error, naming both inputs, where it cannot be.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "eval/output_names.h"
#include "tensor/error.h"

using namespace dn::eval;

namespace {

std::vector<std::string> names_of(const std::vector<std::string>& inputs) {
  OutputNames names(inputs);
  std::vector<std::string> out;
  for (const std::string& in : inputs) out.push_back(names.name(in));
  return out;
}

// The message of the dn::Error that `f` throws ("" when it throws none).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const dn::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("output names: the same camera and frame on two lines get two names") {
  CHECK(names_of({"/data/lineA/cam1/001.png", "/data/lineB/cam1/001.png"}) ==
        std::vector<std::string>{"lineA_cam1_001", "lineB_cam1_001"});
  // Only the inputs that share a suffix take more folders; the others keep folder + stem.
  CHECK(names_of({"/data/lineA/cam1/001.png", "/data/lineB/cam1/001.png", "/data/lineC/cam2/007.png"}) ==
        std::vector<std::string>{"lineA_cam1_001", "lineB_cam1_001", "cam2_007"});
  CHECK(names_of({"/data/mvtec/bottle/test/crack/000.png"}) == std::vector<std::string>{"crack_000"});
  CHECK(OutputNames({"/data/x/1.png"}).file("/data/x/1.png", ".png") == "x_1.png");
}

TEST_CASE("output names: other characters are escaped reversibly, so 'a b' and 'a_b' differ") {
  CHECK(names_of({"/t/a b/1.png", "/t/a_b/1.png"}) == std::vector<std::string>{"a%20b_1", "a_b_1"});
  CHECK(escape_name_part("a b") == "a%20b");
  CHECK(escape_name_part("100%") == "100%25");  // the escape character itself is escaped
  CHECK(escape_name_part("broken_large-2.v1") == "broken_large-2.v1");
  CHECK(escape_name_part("m\xC3\xBC" "de") == "m%C3%BCde");  // UTF-8, byte by byte
  CHECK(escape_name_part("a/b\\c:d") == "a%2Fb%5Cc%3Ad");
}

TEST_CASE("output names: identical stems in 1000 nested folders give 1000 distinct, readable names") {
  std::vector<std::string> inputs;
  for (int line = 0; line < 10; ++line)
    for (int cam = 0; cam < 10; ++cam)
      for (int shot = 0; shot < 10; ++shot)
        inputs.push_back("/plant/line" + std::to_string(line) + "/cam" + std::to_string(cam) + "/shot" +
                         std::to_string(shot) + "/001.png");
  const std::vector<std::string> names = names_of(inputs);
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == 1000);
  CHECK(names[0] == "line0_cam0_shot0_001");
  CHECK(names[567] == "line5_cam6_shot7_001");
  // Stable: the order of the inputs does not matter, nor where the tree lies.
  std::vector<std::string> shuffled = inputs;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  OutputNames again(shuffled);
  for (size_t i = 0; i < inputs.size(); ++i) CHECK(again.name(inputs[i]) == names[i]);
  std::vector<std::string> moved;
  for (const std::string& in : inputs) moved.push_back("/mnt/backup/2026" + in);
  CHECK(names_of(moved) == names);
}

TEST_CASE("output names: a chain of nested folders with one file name in each") {
  std::vector<std::string> inputs;
  std::string folder = "/data/run";
  for (int depth = 0; depth < 5; ++depth) {
    folder += "/d";
    inputs.push_back(folder + "/001.png");
  }
  CHECK(names_of(inputs) ==
        std::vector<std::string>{"run_d_001", "run_d_d_001", "run_d_d_d_001", "run_d_d_d_d_001", "d_d_d_d_d_001"});
}

TEST_CASE("output names: files differing only in the extension keep it") {
  CHECK(names_of({"/t/x/1.png", "/t/x/1.jpg", "/t/y/1.png"}) == std::vector<std::string>{"x_1.png", "x_1.jpg", "y_1"});
}

TEST_CASE("output names: relative paths name the same files as absolute ones") {
  const std::string cwd = std::filesystem::current_path().string();
  OutputNames names({"x/1.png", cwd + "/y/1.png"});
  CHECK(names.name("x/1.png") == "x_1");
  CHECK(names.name(cwd + "/y/1.png") == "y_1");
}

TEST_CASE("output names: inputs that cannot be told apart are an error naming both") {
  // One file, given twice under two spellings.
  std::string e = error_of([] { OutputNames({"/t/x/1.png", "/t/x/./1.png"}); });
  CHECK(e.find("/t/x/1.png") != std::string::npos);
  CHECK(e.find("/t/x/./1.png") != std::string::npos);
  CHECK(e.find("given twice") != std::string::npos);
  e = error_of([] { OutputNames({"/t/x/1.png", "/t/x/1.png"}); });
  CHECK(e.find("given twice") != std::string::npos);
  // Two files whose names join to the same text.
  e = error_of([] { OutputNames({"/t/a_b/1.png", "/t/a/b_1.png"}); });
  CHECK(e.find("/t/a_b/1.png") != std::string::npos);
  CHECK(e.find("/t/a/b_1.png") != std::string::npos);
  CHECK(e.find("a_b_1") != std::string::npos);
  // A name no file system would take.
  e = error_of([] { OutputNames({"/t/" + std::string(300, 'x') + "/1.png"}); });
  CHECK(e.find("/t/xxx") != std::string::npos);
  CHECK(e.find("bytes long") != std::string::npos);
  // A path the names were not made for.
  CHECK(error_of([] { OutputNames({"/t/x/1.png"}).name("/t/x/2.png"); }).find("/t/x/2.png") != std::string::npos);
}

TEST_CASE("check_distinct_targets: two inputs planning one file is an error naming both") {
  CHECK_NOTHROW(check_distinct_targets({{"out/maps/x_1.png", "x/1.png"}, {"out/heat/x_1.png", "x/1.png"}}));
  std::string e = error_of([] {
    check_distinct_targets({{"out/heat/x_1_map.png", "x/1_map.png"}, {"out/heat/./x_1_map.png", "x/1.png"}});
  });
  CHECK(e.find("x/1_map.png") != std::string::npos);
  CHECK(e.find("x/1.png") != std::string::npos);
  CHECK(e.find("nothing was written") != std::string::npos);
}
