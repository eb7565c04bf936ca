// predict's outputs in the original image's frame (map as PFM, mask, overlay), --no-crop,
// and predict --stdin, on the library tests' small run (tests/api/fixture.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "apps/lib/frame_outputs.h"
#include "data/image.h"
#include "data/pfm.h"
#include "data/pil_resize.h"
#include "dinomaly/detector.h"
#include "tests/api/fixture.h"
#include "tests/apps/app_runner.h"

using namespace dn;
using namespace dn::test;
namespace fs = std::filesystem;

namespace {

// A 90 x 60 image (wider than high), so that the resize to a square stretches it.
const std::string& wide_image() {
  static const std::string path = [] {
    const std::string p = temp_dir("outputs_wide") + "/wide.png";
    data::write_png(p, data::pil_resize_bilinear(data::read_image(api_images()[1], 3), 90, 60));
    return p;
  }();
  return path;
}

// The run resizes to 84 x 84 and keeps the centre 70 x 70 (7 px off each side). Across,
// 90 -> 84: pixel centres (x + 0.5) * 84 / 90 fall in [7, 77) for x = 7 .. 81; down,
// 60 -> 84: (y + 0.5) * 1.4 falls in [7, 77) for y = 5 .. 54.
bool wide_inspected(int x, int y) { return x >= 7 && x <= 81 && y >= 5 && y <= 54; }

// predictions.csv's rows after the header, split at commas (no field here holds one).
std::vector<std::vector<std::string>> rows_of(const std::string& csv_path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream csv(read_file(csv_path));
  std::string line;
  std::getline(csv, line);
  while (std::getline(csv, line)) {
    std::vector<std::string> fields;
    std::istringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    while (fields.size() < 10) fields.emplace_back();  // getline drops trailing empty fields
    rows.push_back(fields);
  }
  return rows;
}

std::string predict_app() { return std::string(std::getenv("DN_APPS")) + "/predict"; }

// predict --stdin over `lines` (written to a file and redirected into it).
Run predict_stdin(const std::string& run, const std::string& out, const std::string& lines,
                  const std::vector<std::string>& extra = {}) {
  const std::string list = temp_dir("stdin_list") + "/paths.txt";
  std::ofstream(list) << lines;
  std::vector<std::string> args = {predict_app(), "--run", run, "--out", out, "--stdin", "--threads", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string cmd;
  for (const std::string& arg : args) cmd.append(shell_quote(arg)).append(" ");
  return run_shell(cmd.append("< ").append(shell_quote(list)), "predict_stdin");
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("PFM: what is written reads back bit for bit, NaN and infinities included") {
  data::FloatMap map{5, 3, {}};
  for (int i = 0; i < 15; ++i) map.values.push_back(float(i) * -0.37f + 1e-30f * float(i));
  map.values[2] = std::numeric_limits<float>::quiet_NaN();
  map.values[7] = std::numeric_limits<float>::infinity();
  map.values[14] = -std::numeric_limits<float>::infinity();
  const std::string path = temp_dir("pfm") + "/m.pfm";
  data::write_pfm(path, map);
  // The header as the format has it; rows stored bottom first.
  const std::string bytes = read_file(path);
  REQUIRE(bytes.rfind("Pf\n5 3\n-1\n", 0) == 0);
  REQUIRE(bytes.size() == 10 + 15 * 4);
  float first_stored = 0;
  std::memcpy(&first_stored, bytes.data() + 10, 4);
  CHECK(first_stored == map.values[10]);  // the bottom row's first pixel (little-endian machine)
  const data::FloatMap back = data::read_pfm(path);
  CHECK(back.width == 5);
  CHECK(back.height == 3);
  REQUIRE(back.values.size() == map.values.size());
  CHECK(std::memcmp(back.values.data(), map.values.data(), map.values.size() * 4) == 0);
}

TEST_CASE("PFM: a big-endian file (positive scale) reads as well") {
  const std::string path = temp_dir("pfm_be") + "/be.pfm";
  const unsigned char one_then_minus_two[8] = {0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0};  // 1.0f, -2.0f
  std::ofstream(path, std::ios::binary) << "Pf\n1 2\n1.0\n"
                                        << std::string(reinterpret_cast<const char*>(one_then_minus_two), 8);
  const data::FloatMap m = data::read_pfm(path);
  REQUIRE(m.values.size() == 2);
  CHECK(m.values[0] == -2.0f);  // the top row is stored last
  CHECK(m.values[1] == 1.0f);
}

TEST_CASE("PFM: bad files are errors naming the file") {
  const std::string dir = temp_dir("pfm_bad");
  std::ofstream(dir + "/truncated.pfm", std::ios::binary) << "Pf\n4 4\n-1\n" << std::string(20, '\0');
  CHECK_THROWS_WITH(data::read_pfm(dir + "/truncated.pfm"), doctest::Contains("truncated.pfm: PFM truncated"));
  std::ofstream(dir + "/colour.pfm", std::ios::binary) << "PF\n1 1\n-1\n" << std::string(12, '\0');
  CHECK_THROWS_WITH(data::read_pfm(dir + "/colour.pfm"), doctest::Contains("colour.pfm: not a grayscale PFM"));
  CHECK_THROWS_WITH(data::read_pfm(dir + "/missing.pfm"), doctest::Contains("missing.pfm: cannot open"));
  CHECK_THROWS_WITH(data::write_pfm(dir + "/w.pfm", {2, 2, {1.0f}}), doctest::Contains("w.pfm"));
  CHECK(!exists(dir + "/w.pfm"));
}

TEST_CASE("overlay: heat colours where inspected, grey with dark hatching where not, the region outlined") {
  // A red 12 x 4 image; the map is NaN in columns 0..3, 0 in 4..7 and 1 in 8..11.
  data::Image red(12, 4, 3);
  for (int i = 0; i < 12 * 4; ++i) red.pixels[size_t(i) * 3] = 255;
  std::vector<float> map(12 * 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 12; ++x)
      map[size_t(y) * 12 + x] = x < 4 ? std::numeric_limits<float>::quiet_NaN() : x < 8 ? 0.0f : 1.0f;
  app::FrameStyle style;
  style.scale = {0.0f, 1.0f};
  style.pixel_threshold = 0.5f;
  const data::Image o = app::frame_overlay(red, map, style);
  REQUIRE(o.width == 12);
  REQUIRE(o.height == 4);
  auto pixel = [&](int x, int y) { return std::vector<int>(o.at(x, y), o.at(x, y) + 3); };
  // Not inspected: 30 % of the image over 70 % grey 128, or dark ink 40 on the hatch lines.
  CHECK(pixel(1, 0) == std::vector<int>{166, 90, 90});
  CHECK(pixel(0, 0) == std::vector<int>{105, 28, 28});
  // Inspected, below the threshold: half the image, half jet(0) (dark blue 0, 0, 128).
  CHECK(pixel(5, 1) == std::vector<int>{128, 0, 64});
  // The region map >= 0.5 is columns 8..11: its outline is red; its inside (none here, it
  // is 4 wide with the image edge around) stays the heat colour.
  CHECK(pixel(8, 1) == std::vector<int>{255, 0, 0});
  const data::Image mask = app::threshold_mask(map, 12, 4, 0.5f);
  CHECK(int(mask.pixels[0]) == 0);
  CHECK(int(mask.pixels[5]) == 0);
  CHECK(int(mask.pixels[9]) == 255);
  CHECK(app::parse_frame_kinds("mask").mask);
  CHECK(!app::parse_frame_kinds("mask").map);
  CHECK(!app::parse_frame_kinds("none").any());
  CHECK_THROWS_WITH(app::parse_frame_kinds(""), doctest::Contains("--maps"));
}

TEST_CASE("predict: map, mask and overlay of a non-square image in its own frame, NaN where not inspected") {
  const std::string out = temp_dir("outputs_frame") + "/out";
  Run r = run_app("predict", {"--run", api_trained_run(), "--out", out, "--threads", "2", wide_image()});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(read_file(out + "/predictions.csv").rfind("path,score,normalised_score,label,heatmap,class,threshold,map,mask,overlay\n", 0) == 0);
  const auto rows = rows_of(out + "/predictions.csv");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][7] == "maps/outputs_wide_wide.pfm");
  CHECK(rows[0][8] == "masks/outputs_wide_wide.png");
  CHECK(rows[0][9] == "overlays/outputs_wide_wide.png");

  const data::FloatMap map = data::read_pfm(out + "/" + rows[0][7]);
  REQUIRE(map.width == 90);
  REQUIRE(map.height == 60);
  int wrong = 0, inspected = 0;
  for (int y = 0; y < 60; ++y)
    for (int x = 0; x < 90; ++x) {
      const float v = map.values[size_t(y) * 90 + x];
      inspected += wide_inspected(x, y);
      wrong += wide_inspected(x, y) ? !std::isfinite(v) : !std::isnan(v);
    }
  CHECK(inspected == 75 * 50);
  CHECK(wrong == 0);

  // Without a pixel_threshold in threshold.json the mask uses the image threshold.
  const double threshold = nlohmann::json::parse(read_file(api_trained_run() + "/threshold.json"))["threshold"];
  const data::Image mask = data::read_image(out + "/" + rows[0][8], 0);
  REQUIRE(mask.channels == 1);
  REQUIRE(mask.width == 90);
  REQUIRE(mask.height == 60);
  int mismatched = 0;
  for (size_t i = 0; i < mask.pixels.size(); ++i)
    mismatched += mask.pixels[i] != (map.values[i] >= float(threshold) ? 255 : 0);
  CHECK(mismatched == 0);

  const data::Image overlay = data::read_image(out + "/" + rows[0][9], 3);
  CHECK(overlay.width == 90);
  CHECK(overlay.height == 60);
}

TEST_CASE("predict: the mask follows threshold.json's pixel_threshold when the run has one") {
  const std::string base = temp_dir("outputs_pixel_threshold"), run = base + "/run";
  fs::copy(api_trained_run(), run, fs::copy_options::recursive);
  // A threshold at the median of the map's inspected values, so the mask holds both values.
  Run first = run_app("predict", {"--run", run, "--out", base + "/first", "--threads", "2", "--maps", "map",
                                  "--no-heatmaps", wide_image()});
  REQUIRE_MESSAGE(first.code == 0, first.err);
  const data::FloatMap map = data::read_pfm(base + "/first/maps/outputs_wide_wide.pfm");
  std::vector<float> finite;
  for (float v : map.values)
    if (std::isfinite(v)) finite.push_back(v);
  REQUIRE(!finite.empty());
  std::nth_element(finite.begin(), finite.begin() + finite.size() / 2, finite.end());
  const float pixel_threshold = finite[finite.size() / 2];
  nlohmann::json j = nlohmann::json::parse(read_file(run + "/threshold.json"));
  j["pixel_threshold"] = pixel_threshold;
  std::ofstream(run + "/threshold.json") << j.dump(2);

  Run second = run_app("predict", {"--run", run, "--out", base + "/second", "--threads", "2", "--maps", "mask",
                                   "--no-heatmaps", wide_image()});
  REQUIRE_MESSAGE(second.code == 0, second.err);
  CHECK(!exists(base + "/second/maps"));
  CHECK(!exists(base + "/second/overlays"));
  const data::Image mask = data::read_image(base + "/second/masks/outputs_wide_wide.png", 0);
  REQUIRE(mask.pixels.size() == map.values.size());
  int mismatched = 0, on = 0;
  for (size_t i = 0; i < mask.pixels.size(); ++i) {
    mismatched += mask.pixels[i] != (map.values[i] >= pixel_threshold ? 255 : 0);
    on += mask.pixels[i] == 255;
  }
  CHECK(mismatched == 0);
  CHECK(on > 0);
  CHECK(on < 75 * 50);

  j["pixel_threshold"] = "high";
  std::ofstream(run + "/threshold.json") << j.dump(2);
  Run bad = run_app("predict", {"--run", run, "--out", base + "/third", wide_image()});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("threshold.json: pixel_threshold must be a number") != std::string::npos);
}

TEST_CASE("predict --no-crop inspects every pixel; the library's no_crop gives the same score") {
  const std::string out = temp_dir("outputs_no_crop") + "/out";
  Run r = run_app("predict", {"--run", api_trained_run(), "--out", out, "--threads", "2", "--batch", "1",
                              "--no-crop", wide_image()});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const data::FloatMap map = data::read_pfm(out + "/maps/outputs_wide_wide.pfm");
  REQUIRE(map.values.size() == size_t(90 * 60));
  int not_finite = 0;
  for (float v : map.values) not_finite += !std::isfinite(v);
  CHECK(not_finite == 0);

  dn::DetectorOptions options;
  options.no_crop = true;
  dn::Detector detector = dn::Detector::open(api_trained_run(), options);
  const dn::Prediction p = detector.predict(wide_image());
  const auto rows = rows_of(out + "/predictions.csv");
  REQUIRE(rows.size() == 1);
  CHECK(std::stof(rows[0][1]) == float(p.score));
  REQUIRE(p.map.size() == map.values.size());
  CHECK(std::memcmp(p.map.data(), map.values.data(), map.values.size() * 4) == 0);
  // and it is not the default preprocessing's score
  CHECK(float(dn::Detector::open(api_trained_run()).predict(wide_image()).score) != float(p.score));
}

TEST_CASE("predict --stdin: one JSON line per image, an unreadable one an error line, scores as batch predict's") {
  const std::string base = temp_dir("outputs_stdin");
  // Two inputs with the same file name in different folders, and a corrupt file in the middle.
  fs::create_directories(base + "/other");
  const std::string twin = base + "/other/000.png", corrupt = base + "/broken.png";
  fs::copy_file(api_images()[1], twin);
  std::ofstream(corrupt) << "not an image";
  const std::vector<std::string> good = {api_images()[0], twin, wide_image(), api_images()[1]};

  Run batch = run_app("predict", {"--run", api_trained_run(), "--out", base + "/batch", "--threads", "2",
                                  "--batch", "1", "--maps", "none", "--no-heatmaps", good[0], good[1], good[2],
                                  good[3]});
  REQUIRE_MESSAGE(batch.code == 0, batch.err);
  std::map<std::string, std::string> batch_score, batch_class;
  for (const auto& row : rows_of(base + "/batch/predictions.csv")) {
    batch_score[row[0]] = row[1];
    batch_class[row[0]] = row[5];
  }
  REQUIRE(batch_score.size() == 4);

  const std::string out = base + "/stream";
  Run s = predict_stdin(api_trained_run(), out,
                        good[0] + "\n" + good[1] + "\n\n" + corrupt + "\n" + good[2] + "\r\n" + good[3] + "\n");
  REQUIRE_MESSAGE(s.code == 0, s.err);
  const std::vector<nlohmann::json> lines = json_lines(s.out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[2]["path"] == corrupt);
  CHECK(lines[2]["error"].get<std::string>().find("broken.png") != std::string::npos);
  CHECK(!lines[2].contains("score"));
  std::set<std::string> maps;
  const std::vector<size_t> scored = {0, 1, 3, 4};
  for (size_t k = 0; k < scored.size(); ++k) {
    const nlohmann::json& line = lines[scored[k]];
    CAPTURE(line.dump());
    CHECK(line["path"] == good[k]);
    // the class whose thresholds judged it, as batch predict routes it (null: the pooled ones)
    const std::string routed = batch_class.at(good[k]);
    if (routed.empty()) CHECK(line["class"].is_null());
    else CHECK(line["class"] == routed);
    CHECK(line["anomalous"].is_boolean());
    CHECK(line["normalized_score"].is_number());
    // The score's text, as the stream printed it, is batch predict's text.
    const std::string raw = s.out.substr(s.out.find("\"score\":", s.out.find(good[k])) + 8);
    CHECK(raw.substr(0, raw.find(',')) == batch_score[good[k]]);
    const std::string map = line["map"];
    CHECK(exists(map));
    maps.insert(map);
  }
  CHECK(maps.size() == 4);  // 000.png twice (different folders): distinct files
  CHECK(lines[1]["map"] == out + "/maps/000002_000.pfm");
  CHECK(lines[4]["map"] == out + "/maps/000005_000.pfm");
  CHECK(data::read_pfm(lines[3]["map"]).width == 90);
}

TEST_CASE("predict --stdin: --maps none writes no files; a model that cannot load is an error exit") {
  const std::string base = temp_dir("outputs_stdin_none");
  Run s = predict_stdin(api_trained_run(), base + "/out", api_images()[0] + "\n", {"--maps", "none"});
  REQUIRE_MESSAGE(s.code == 0, s.err);
  const std::vector<nlohmann::json> lines = json_lines(s.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["map"].is_null());
  CHECK(!exists(base + "/out/maps"));
  Run missing = predict_stdin(base + "/no_such_run", base + "/out2", api_images()[0] + "\n");
  CHECK(missing.code != 0);
  CHECK(missing.out.empty());
  CHECK(missing.err.find("no_such_run") != std::string::npos);
}

TEST_CASE("predict: bad --maps values and --stdin with paths are refused, naming the option") {
  const std::string out = temp_dir("outputs_bad") + "/out";
  Run bad = run_app("predict", {"--run", api_trained_run(), "--out", out, "--maps", "map,heat", wide_image()});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("--maps: unknown output 'heat'") != std::string::npos);
  Run both = run_app("predict", {"--run", api_trained_run(), "--out", out, "--stdin", wide_image()});
  CHECK(both.code != 0);
  CHECK(both.err.find("--stdin") != std::string::npos);
  CHECK(!exists(out));
}
