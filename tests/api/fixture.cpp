#include "tests/api/fixture.h"

#include <doctest/doctest.h>

#include <sstream>

#include "data/image.h"
#include "data/pil_resize.h"
#include "tests/apps/app_runner.h"

namespace dn::test {

namespace {

const std::string& synthetic_data() {
  static const std::string dir = [] {
    const std::string d = temp_dir("api_synth") + "/data";
    Run r = run_app("synth", {"--out", d, "--classes", "1", "--train", "8", "--test", "4", "--size", "96"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return d;
  }();
  return dir;
}

}  // namespace

const std::string& api_trained_run() {
  static const std::string dir = [] {
    const std::string run = temp_dir("api_run") + "/run";
    Run r = run_app("train", {"--data", synthetic_data(), "--out", run, "--encoder", "test-tiny",
                              "--encoder-weights", "random", "--resize", "84", "--crop", "70", "--iters", "3",
                              "--batch", "4", "--warmup", "1", "--hm-ramp", "2", "--threads", "2",
                              "--holdout", "0.25", "--vis", "0", "--workers", "1"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return run;
  }();
  return dir;
}

const std::string& non_square_image() {
  static const std::string path = [] {
    const std::string p = temp_dir("api_non_square") + "/wide.png";
    const data::Image source = data::read_image(api_images()[1], 3);
    data::write_png(p, data::pil_resize_bilinear(source, 120, 75));
    return p;
  }();
  return path;
}

const std::vector<std::string>& api_images() {
  static const std::vector<std::string> images = [] {
    const std::string test = synthetic_data() + "/woven/test";
    return std::vector<std::string>{test + "/good/000.png", test + "/scratch/000.png"};
  }();
  return images;
}

std::vector<std::vector<std::string>> predict_rows() {
  const std::string out = temp_dir("api_predict") + "/out";
  // --batch 1: the library scores one image at a time, and predict's numbers depend on the
  // batch in the last bits (a batch of 3 moves one score here by 3e-8).
  std::vector<std::string> args = {"--run", api_trained_run(), "--out", out, "--no-heatmaps", "--maps", "none",
                                   "--threads", "2", "--batch", "1"};
  for (const std::string& p : api_images()) args.push_back(p);
  args.push_back(non_square_image());
  Run r = run_app("predict", args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  std::vector<std::vector<std::string>> rows;
  std::istringstream csv(read_file(out + "/predictions.csv"));
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    std::vector<std::string> fields;
    std::istringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    if (fields.size() > 7) fields.resize(7);  // the original-frame file columns (empty here) are not compared
    rows.push_back(fields);
  }
  return rows;
}

}  // namespace dn::test
