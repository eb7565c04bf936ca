// Custom data from the command line: the same small set given as a data set folder, as
// plain folders and as a CSV manifest trains and evaluates to identical metrics; the
// options' errors are one clear line.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/apps/app_runner.h"

using namespace dn::test;

namespace {

// The tiny recipe of the end-to-end tests: the test-tiny encoder with random weights.
std::vector<std::string> recipe() {
  return {"--encoder", "test-tiny", "--encoder-weights", "random", "--resize", "84", "--crop", "70",
          "--iters", "4", "--batch", "2", "--warmup", "2", "--hm-ramp", "3", "--threads", "2",
          "--holdout", "0.25", "--vis", "0", "--workers", "1"};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// One synthetic class in MVTec layout: woven/{train/good, test/{good,scratch,spot}, ground_truth}.
const std::string& synthetic_root() {
  static const std::string dir = [] {
    std::string d = temp_dir("custom-synth") + "/data";
    Run r = run_app("synth", {"--out", d, "--classes", "1", "--train", "8", "--test", "6", "--size", "64"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return d;
  }();
  return dir;
}

std::string woven(const std::string& rel) { return synthetic_root() + "/woven/" + rel; }

// The same images as folder options (masks in ground_truth/<defect>/).
std::vector<std::string> folder_args(bool with_train) {
  std::vector<std::string> args;
  if (with_train) args = {"--train-good", woven("train/good")};
  args = args + std::vector<std::string>{"--test-good", woven("test/good"), "--class-name", "woven",
                                         "--masks", woven("ground_truth")};
  for (const auto& d : std::filesystem::directory_iterator(woven("test")))
    if (d.path().filename() != "good") args = args + std::vector<std::string>{"--test-defect", d.path().string()};
  return args;
}

// The same images as a manifest, rows in reverse order, paths relative to the manifest.
std::string write_manifest() {
  const std::string path = synthetic_root() + "/list.csv";
  std::vector<std::string> rows;
  auto add = [&](const std::string& split, const std::string& sub) {
    for (const auto& f : std::filesystem::directory_iterator(woven(sub))) {
      const std::string label = f.path().parent_path().filename().string();
      std::string mask;
      if (label != "good" && split == "test")
        mask = "woven/ground_truth/" + label + "/" + f.path().stem().string() + "_mask.png";
      rows.push_back("woven/" + sub + "/" + f.path().filename().string() + ",woven," + split + "," + label + "," + mask);
    }
  };
  add("train", "train/good");
  for (const auto& d : std::filesystem::directory_iterator(woven("test")))
    add("test", "test/" + d.path().filename().string());
  std::ofstream out(path);
  out << "path,class,split,label,mask\n";
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) out << *it << "\n";
  return path;
}

void check_one_line_error(const Run& r, const std::string& app, const std::string& contains) {
  CAPTURE(r.err);
  CHECK(r.code != 0);
  CHECK(r.err.find(app + ": error: ") != std::string::npos);
  CHECK(r.err.find(contains) != std::string::npos);
  CHECK(count_lines(r.err) == 1);
}

}  // namespace

TEST_CASE("the same images as --data, as folders and as a manifest give identical metrics") {
  const std::string dir = temp_dir("custom-same");
  const std::string manifest = write_manifest();
  Run a = run_app("train", std::vector<std::string>{"--data", synthetic_root(), "--out", dir + "/data"} + recipe());
  REQUIRE_MESSAGE(a.code == 0, a.err);
  Run b = run_app("train", folder_args(true) + std::vector<std::string>{"--out", dir + "/folders"} + recipe());
  REQUIRE_MESSAGE(b.code == 0, b.err);
  Run c = run_app("train", std::vector<std::string>{"--manifest", manifest, "--out", dir + "/manifest"} + recipe());
  REQUIRE_MESSAGE(c.code == 0, c.err);
  const std::string metrics = read_file(dir + "/data/eval/metrics.json");
  CHECK(metrics.find("\"n_anomalous\": 3") != std::string::npos);
  CHECK(metrics.find("\"p_auroc\": null") == std::string::npos);  // the masks were found
  CHECK(read_file(dir + "/folders/eval/metrics.json") == metrics);
  CHECK(read_file(dir + "/manifest/eval/metrics.json") == metrics);
  CHECK(read_file(dir + "/folders/model.safetensors") == read_file(dir + "/data/model.safetensors"));
  CHECK(read_file(dir + "/manifest/model.safetensors") == read_file(dir + "/data/model.safetensors"));

  // eval of one run (with training's batch size: the float sums of a batch depend on it):
  // test folders alone (no training images needed) and the manifest.
  Run e1 = run_app("eval", std::vector<std::string>{"--run", dir + "/data", "--out", dir + "/e1", "--threads", "2",
                                                    "--vis", "0", "--batch", "2"} + folder_args(false));
  REQUIRE_MESSAGE(e1.code == 0, e1.err);
  Run e2 = run_app("eval", {"--run", dir + "/data", "--out", dir + "/e2", "--threads", "2", "--vis", "0",
                            "--batch", "2", "--manifest", manifest});
  REQUIRE_MESSAGE(e2.code == 0, e2.err);
  CHECK(read_file(dir + "/e1/metrics.json") == metrics);
  CHECK(read_file(dir + "/e2/metrics.json") == metrics);
}

TEST_CASE("data options: one source only, and errors that name what is wrong") {
  const std::string dir = temp_dir("custom-bad");
  check_one_line_error(run_app("train", std::vector<std::string>{"--data", synthetic_root(), "--train-good",
                                                                 woven("train/good"), "--out", dir + "/a"} + recipe()),
                       "train", "--data excludes --train-good");
  check_one_line_error(run_app("train", std::vector<std::string>{"--out", dir + "/b"} + recipe()), "train",
                       "no data given");
  check_one_line_error(run_app("train", folder_args(false) + std::vector<std::string>{"--out", dir + "/c"} + recipe()),
                       "train", "--train-good DIR is needed");
  std::ofstream(dir + "/bad.csv") << "path,class,split,label\n" << woven("train/good/000.png") << ",woven,val,good\n";
  check_one_line_error(run_app("train", std::vector<std::string>{"--manifest", dir + "/bad.csv", "--out", dir + "/d"} +
                                            recipe()),
                       "train", "line 2, column 3 (split)");
  check_one_line_error(run_app("eval", {"--run", dir + "/none", "--out", dir + "/e", "--manifest", dir + "/bad.csv",
                                        "--test-good", woven("test/good")}),
                       "eval", "excludes");
}

TEST_CASE("an unreadable image is an error naming it; with --skip-corrupt it is left out and listed") {
  const std::string dir = temp_dir("custom-corrupt");
  const std::string data = dir + "/data";
  std::filesystem::copy(synthetic_root(), data, std::filesystem::copy_options::recursive);
  const std::string bad_train = data + "/woven/train/good/003.png", bad_test = data + "/woven/test/good/001.png";
  for (const std::string& bad : {bad_train, bad_test}) {
    const std::string bytes = read_file(bad);
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 3);  // cut short
  }
  Run strict = run_app("train", std::vector<std::string>{"--data", data, "--out", dir + "/strict"} + recipe());
  CAPTURE(strict.err);
  CHECK(strict.code == 1);
  CHECK(strict.err.find("train: error: cannot decode '" + bad_train + "'") != std::string::npos);

  Run lenient = run_app("train", std::vector<std::string>{"--data", data, "--out", dir + "/run", "--skip-corrupt"} +
                                     recipe());
  REQUIRE_MESSAGE(lenient.code == 0, lenient.err);
  CHECK(lenient.err.find("skipping an unreadable image: cannot decode '" + bad_train) != std::string::npos);
  const std::string train_list = read_file(dir + "/run/skipped.json");
  CHECK(train_list.find("\"count\": 1") != std::string::npos);
  CHECK(train_list.find(bad_train) != std::string::npos);
  const std::string eval_list = read_file(dir + "/run/eval/skipped.json");  // the evaluation at the end
  CHECK(eval_list.find("\"count\": 1") != std::string::npos);
  CHECK(eval_list.find(bad_test) != std::string::npos);
  CHECK(read_file(dir + "/run/eval/metrics.json").find("\"n_test\": 5") != std::string::npos);

  Run eval_strict = run_app("eval", {"--run", dir + "/run", "--data", data, "--out", dir + "/e1", "--vis", "0"});
  CAPTURE(eval_strict.err);
  CHECK(eval_strict.code == 1);
  CHECK(eval_strict.err.find("eval: error: cannot decode '" + bad_test + "'") != std::string::npos);
  Run eval_lenient = run_app("eval", {"--run", dir + "/run", "--data", data, "--out", dir + "/e2", "--vis", "0",
                                      "--skip-corrupt"});
  REQUIRE_MESSAGE(eval_lenient.code == 0, eval_lenient.err);
  CHECK(read_file(dir + "/e2/skipped.json").find(bad_test) != std::string::npos);
  CHECK(eval_lenient.err.find("eval: 1 unreadable image skipped") != std::string::npos);
}

TEST_CASE("convert_visa: a VisA-shaped tree converts to the layout --data reads, the same images as listed") {
  namespace fs = std::filesystem;
  const std::string dir = temp_dir("custom-visa");
  const std::string visa = dir + "/VisA";
  // VisA's shape, from the synthetic class: woven/Data/Images/{Normal,Anomaly}/*.JPG (the
  // decoder goes by content, so PNG bytes under .JPG names do), Data/Masks/Anomaly/*.png,
  // split_csv/1cls.csv; and a manifest listing the same images for comparison.
  std::string split = "object,split,label,image,mask\n", manifest = "path,class,split,label,mask\n";
  auto add = [&](const std::string& from, const std::string& split_name, const std::string& name, bool anomalous,
                 const std::string& mask_from) {
    const std::string image = std::string("woven/Data/Images/") + (anomalous ? "Anomaly/" : "Normal/") + name + ".JPG";
    fs::create_directories(fs::path(visa + "/" + image).parent_path());
    fs::copy_file(from, visa + "/" + image);
    std::string mask;
    if (anomalous) {
      mask = "woven/Data/Masks/Anomaly/" + name + ".png";
      fs::create_directories(fs::path(visa + "/" + mask).parent_path());
      fs::copy_file(mask_from, visa + "/" + mask);
    }
    split += "woven," + split_name + "," + (anomalous ? "anomaly," : "normal,") + image + "," + mask + "\n";
    manifest += image + ",woven," + split_name + "," + (anomalous ? "bad," : "good,") + mask + "\n";
  };
  for (const auto& f : fs::directory_iterator(woven("train/good")))
    add(f.path().string(), "train", "train_" + f.path().stem().string(), false, "");
  for (const auto& d : fs::directory_iterator(woven("test")))
    for (const auto& f : fs::directory_iterator(d.path())) {
      const std::string defect = d.path().filename().string();
      const bool anomalous = defect != "good";
      add(f.path().string(), "test", defect + "_" + f.path().stem().string(), anomalous,
          anomalous ? woven("ground_truth/" + defect + "/" + f.path().stem().string() + "_mask.png") : "");
    }
  fs::create_directories(visa + "/split_csv");
  std::ofstream(visa + "/split_csv/1cls.csv") << split;
  std::ofstream(visa + "/list.csv") << manifest;

  // The unconverted tree: the error names the command that converts it.
  Run raw = run_app("train", std::vector<std::string>{"--data", visa, "--out", dir + "/r0"} + recipe());
  check_one_line_error(raw, "train", "convert_visa --visa " + visa + " --out " + visa + "_1cls");

  Run c = run_program(std::string(std::getenv("DN_APPS")) + "/convert_visa", {"--visa", visa, "--out", visa + "_1cls"});
  REQUIRE_MESSAGE(c.code == 0, c.err);
  CHECK(c.out.find("1 classes (woven); 8 training, 3 normal and 3 anomalous test images") != std::string::npos);
  CHECK(read_file(visa + "_1cls/woven/train/good/train_000.JPG") == read_file(woven("train/good/000.png")));
  CHECK(exists(visa + "_1cls/woven/ground_truth/bad/" + fs::directory_iterator(visa + "/woven/Data/Masks/Anomaly")
                                                          ->path().filename().string()));

  // Round trip: the converted folder and the manifest of the original tree give one result.
  Run t = run_app("train", std::vector<std::string>{"--data", visa + "_1cls", "--out", dir + "/run"} + recipe());
  REQUIRE_MESSAGE(t.code == 0, t.err);
  Run m = run_app("eval", {"--run", dir + "/run", "--manifest", visa + "/list.csv", "--out", dir + "/e", "--vis", "0",
                           "--batch", "2", "--threads", "2"});
  REQUIRE_MESSAGE(m.code == 0, m.err);
  const std::string metrics = read_file(dir + "/run/eval/metrics.json");
  CHECK(metrics.find("\"n_anomalous\": 3") != std::string::npos);
  CHECK(read_file(dir + "/e/metrics.json") == metrics);

  // Bad input: one line naming what is wrong.
  check_one_line_error(run_program(std::string(std::getenv("DN_APPS")) + "/convert_visa",
                                   {"--visa", visa, "--out", visa + "_1cls"}),
                       "convert_visa", "not empty");
  check_one_line_error(run_program(std::string(std::getenv("DN_APPS")) + "/convert_visa",
                                   {"--visa", dir, "--out", dir + "/x"}),
                       "convert_visa", "split_csv/1cls.csv");
}

TEST_CASE("a folder of TIFFs (8- and 16-bit, gray and RGB) trains and evaluates") {
  namespace fs = std::filesystem;
  const std::string dir = temp_dir("custom-tiff");
  const std::string fixtures = std::string(std::getenv("DN_FIXTURES")) + "/data/tiff";
  // Of every four files: two train, one is a normal test image, one an "anomalous" one (the
  // labels only need to exist here: this checks the pipeline, not the accuracy).
  int n = 0, tests = 0;
  for (const auto& f : fs::directory_iterator(fixtures)) {
    if (f.path().extension() != ".tif") continue;
    const char* sub = n % 4 == 2 ? "/good/" : n % 4 == 3 ? "/odd/" : "/train/";
    tests += n % 4 >= 2;
    fs::create_directories(dir + sub);
    fs::copy_file(f.path(), dir + sub + f.path().filename().string());
    ++n;
  }
  REQUIRE(n >= 16);
  Run r = run_app("train", std::vector<std::string>{"--train-good", dir + "/train", "--test-good", dir + "/good",
                                                    "--test-defect", dir + "/odd", "--out", dir + "/run"} + recipe());
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(read_file(dir + "/run/eval/metrics.json").find("\"n_test\": " + std::to_string(tests)) != std::string::npos);
}
