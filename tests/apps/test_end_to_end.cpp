// The applications end to end on a small synthetic data set: synth, train, eval, predict,
// inspect; determinism and --resume; and every bad input giving one clear line,
// a non-zero exit and nothing damaged on disk.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tensor/io/safetensors.h"
#include "tests/apps/app_runner.h"
#include "tests/support/compare.h"
#include "tests/support/skip.h"

using namespace dn;
using namespace dn::test;

namespace {

// A tiny, fast recipe: the test-tiny encoder with random weights at 70 px. 4 of each class's
// 16 training images are held out; at --fpr 0.25 their threshold is a quantile (4·0.25 >= 1),
// not their maximum.
std::vector<std::string> train_args(const std::string& data, const std::string& out) {
  return {"--data", data, "--out", out, "--encoder", "test-tiny", "--encoder-weights", "random",
          "--resize", "84", "--crop", "70", "--iters", "6", "--batch", "4", "--warmup", "2",
          "--hm-ramp", "3", "--threads", "2", "--holdout", "0.25", "--fpr", "0.25", "--vis", "1", "--workers", "1"};
}

const std::string& synthetic_data() {
  static const std::string dir = [] {
    std::string d = temp_dir("synth") + "/data";
    Run r = run_app("synth", {"--out", d, "--classes", "2", "--train", "16", "--test", "8", "--size", "96"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return d;
  }();
  return dir;
}

// One complete run, shared by the tests that only read it.
const std::string& trained_run() {
  static const std::string dir = [] {
    std::string run = temp_dir("run_a") + "/run";
    Run r = run_app("train", train_args(synthetic_data(), run));
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return run;
  }();
  return dir;
}

// Replaces the value of `flag` in an argument list (or appends the pair).
std::vector<std::string> with(std::vector<std::string> args, const std::string& flag, const std::string& value) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == flag) {
      args[i + 1] = value;
      return args;
    }
  args.insert(args.end(), {flag, value});
  return args;
}

// The failure is one line "<app>: error: ...", the last on stderr (progress lines that ran
// before it may precede it), and the exit status is not 0.
void check_one_line_error(const Run& r, const std::string& app, const std::string& contains) {
  CAPTURE(r.err);
  CHECK(r.code != 0);
  REQUIRE(!r.err.empty());
  const size_t start = r.err.rfind('\n', r.err.size() - 2);
  const std::string last = r.err.substr(start == std::string::npos ? 0 : start + 1);
  CHECK(last.rfind(app + ": error: ", 0) == 0);
  CHECK(count_lines(last) == 1);
  CHECK(last.find(contains) != std::string::npos);
  int error_lines = 0;
  for (size_t at = r.err.find("error:"); at != std::string::npos; at = r.err.find("error:", at + 1)) ++error_lines;
  CHECK(error_lines == 1);
}

// The rows of a CSV file after its header, split into fields ("" quoting as the apps write it).
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row(1);
  bool quoted = false, header = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') row.back() += text[++i];
      else if (c == '"') quoted = false;
      else row.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.emplace_back();
    } else if (c == '\n') {
      if (!header) rows.push_back(row);
      header = false;
      row.assign(1, "");
    } else {
      row.back() += c;
    }
  }
  return rows;
}

void check_metrics_json(const std::string& path, size_t classes) {
  nlohmann::json j = nlohmann::json::parse(read_file(path));
  CHECK(j.at("setting").is_string());
  CHECK(j.at("classes").size() == classes);
  const char* keys[] = {"i_auroc", "i_ap", "i_f1max", "p_auroc", "p_ap", "p_f1max", "p_aupro"};
  for (auto& item : j.at("classes").items()) {
    const std::string cls = item.key();  // not a structured binding: CAPTURE takes it by reference
    const auto& m = item.value();
    CAPTURE(cls);
    for (const char* k : keys) {
      CAPTURE(k);
      const auto& v = m.at(k);
      CHECK((v.is_null() || (v.is_number() && v.get<double>() >= 0 && v.get<double>() <= 1)));
    }
    CHECK(m.at("n_test").get<int>() > 0);
  }
  for (const char* k : keys) CHECK(j.at("mean").contains(k));
}

}  // namespace

TEST_CASE("train writes a complete run directory, with an evaluation at the end") {
  const std::string& run = trained_run();
  for (const char* f : {"config.json", "model.safetensors", "optimizer.safetensors", "train.csv", "threshold.json",
                        "eval/metrics.json", "eval/metrics.csv", "eval/metrics.md", "eval/scores.csv"})
    CHECK_MESSAGE(exists(run + "/" + f), f);
  CHECK(read_file(run + "/train.csv").rfind("step,loss,lr,p,img_s\n", 0) == 0);
  CHECK(count_lines(read_file(run + "/train.csv")) == 7);
  check_metrics_json(run + "/eval/metrics.json", 2);
  // the checkpoint holds ViTill's names and loads back
  auto st = io::read_safetensors(run + "/model.safetensors");
  bool enc = false, bott = false, dec = false;
  for (auto& [name, t] : st.tensors) {
    enc = enc || name == "encoder.pos_embed";
    bott = bott || name == "bottleneck.0.fc1.weight";
    dec = dec || name == "decoder.3.attn.qkv.weight";
  }
  CHECK((enc && bott && dec));
}

TEST_CASE("the same seed on the CPU gives identical checkpoint bytes, and --resume reaches them too") {
  const std::string& run = trained_run();
  const std::string again = temp_dir("run_b") + "/run";
  REQUIRE(run_app("train", train_args(synthetic_data(), again)).code == 0);
  CHECK(read_file(again + "/model.safetensors") == read_file(run + "/model.safetensors"));

  const std::string resumed = temp_dir("run_c") + "/run";
  std::vector<std::string> args = train_args(synthetic_data(), resumed);
  args.insert(args.end(), {"--stop-after", "3", "--no-eval"});
  Run first = run_app("train", args);
  CHECK(first.code == 130);
  CHECK(first.err.find("--resume") != std::string::npos);
  CHECK(count_lines(read_file(resumed + "/train.csv")) == 4);
  args = train_args(synthetic_data(), resumed);
  args.insert(args.end(), {"--resume", "--no-eval"});
  Run second = run_app("train", args);
  REQUIRE_MESSAGE(second.code == 0, second.err);
  CHECK(read_file(resumed + "/model.safetensors") == read_file(run + "/model.safetensors"));
  CHECK(read_file(resumed + "/optimizer.safetensors") == read_file(run + "/optimizer.safetensors"));
  CHECK(read_file(resumed + "/train.csv").size() > 0);
  CHECK(count_lines(read_file(resumed + "/train.csv")) == 7);
}

TEST_CASE("eval writes the reports and pictures of a run") {
  const std::string out = temp_dir("eval") + "/out";
  Run r = run_app("eval", {"--run", trained_run(), "--data", synthetic_data(), "--out", out, "--vis", "1",
                           "--threads", "2"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  check_metrics_json(out + "/metrics.json", 2);
  const std::string scores = read_file(out + "/scores.csv");
  CHECK(scores.rfind("class,path,label,score,picture\n", 0) == 0);
  CHECK(count_lines(scores) == 1 + 16);
  CHECK(r.out.find("mean") != std::string::npos);  // the per-class table
  // Each row with a strip names it, and every strip on disk is named by exactly one row.
  std::set<std::string> named, on_disk;
  for (const auto& row : csv_rows(scores))
    if (!row.back().empty()) {
      CHECK_MESSAGE(exists(out + "/" + row.back()), row.back());
      CHECK(named.insert(row.back()).second);
    }
  for (const auto& e : std::filesystem::recursive_directory_iterator(out + "/vis"))
    if (e.path().parent_path().parent_path() == std::filesystem::path(out + "/vis"))
      on_disk.insert(std::filesystem::relative(e.path(), out).string());
  CHECK(named.size() >= 2 * 2);  // --vis 1: a strip for each defect folder (good and more) of 2 classes
  CHECK(named == on_disk);
}

TEST_CASE("predict scores new images with the held-out threshold and draws heat maps") {
  const std::string out = temp_dir("predict") + "/out";
  const std::string images = synthetic_data() + "/woven/test";
  Run r = run_app("predict", {"--run", trained_run(), "--out", out, images, "--threads", "2"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string csv = read_file(out + "/predictions.csv");
  CHECK(csv.rfind("path,score,normalised_score,label,heatmap,class,threshold,map,mask,overlay\n", 0) == 0);
  CHECK(count_lines(csv) == 1 + 8);
  for (const auto& row : csv_rows(csv)) CHECK((row.at(3) == "normal" || row.at(3) == "anomalous"));
  CHECK(exists(out + "/heatmaps"));
}

// Real image files in nested folders with identical stems, and folder names that differ only
// in a character the file names must escape.
TEST_CASE("predict writes one heat map per input, even for identical stems, and the rows name them") {
  namespace fs = std::filesystem;
  const std::string base = temp_dir("predict_names"), tree = base + "/tree", out = base + "/out";
  const std::vector<std::string> files = {"lineA/cam1/001.png", "lineB/cam1/001.png", "lineB/cam2/001.png",
                                          "a b/1.png", "a_b/1.png", "deep/x/y/z/001.png"};
  for (const std::string& f : files) {
    fs::create_directories(fs::path(tree + "/" + f).parent_path());
    fs::copy_file(synthetic_data() + "/woven/test/good/000.png", tree + "/" + f);
  }
  Run r = run_app("predict", {"--run", trained_run(), "--out", out, tree, "--threads", "2"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string csv = read_file(out + "/predictions.csv");
  CHECK(csv.rfind("path,score,normalised_score,label,heatmap,class,threshold,map,mask,overlay\n", 0) == 0);
  std::map<std::string, std::string> heat_of;  // input (relative to the tree) -> its heat map
  for (const auto& row : csv_rows(csv)) {
    REQUIRE(row.size() == 10);
    CHECK_MESSAGE(exists(out + "/" + row[4]), row[4]);
    heat_of[fs::relative(row[0], tree).string()] = row[4];
  }
  CHECK(heat_of.size() == files.size());
  CHECK(heat_of["lineA/cam1/001.png"] == "heatmaps/lineA_cam1_001.png");
  CHECK(heat_of["lineB/cam1/001.png"] == "heatmaps/lineB_cam1_001.png");
  CHECK(heat_of["lineB/cam2/001.png"] == "heatmaps/cam2_001.png");
  CHECK(heat_of["a b/1.png"] == "heatmaps/a%20b_1.png");
  CHECK(heat_of["a_b/1.png"] == "heatmaps/a_b_1.png");
  CHECK(heat_of["deep/x/y/z/001.png"] == "heatmaps/z_001.png");
  int maps = 0;
  for (const auto& e : fs::directory_iterator(out + "/heatmaps")) maps += e.is_regular_file();
  CHECK(maps == int(files.size()));
}

// predict reads every format the data sets are read in: TIFF folders and files too.
TEST_CASE("predict finds and scores TIFF images in a folder and as files") {
  namespace fs = std::filesystem;
  const char* fixtures = std::getenv("DN_FIXTURES");
  REQUIRE(fixtures != nullptr);
  const std::string base = temp_dir("predict_tiff"), tree = base + "/tree";
  fs::create_directories(tree);
  fs::copy_file(std::string(fixtures) + "/data/tiff/tiff_rgb8.tif", tree + "/a.tif");
  fs::copy_file(std::string(fixtures) + "/data/tiff/tiff_gray16.tif", tree + "/b.TIFF");
  fs::copy_file(synthetic_data() + "/woven/test/good/000.png", tree + "/c.png");
  Run folder = run_app("predict", {"--run", trained_run(), "--out", base + "/folder", tree, "--threads", "2",
                                   "--no-heatmaps", "--maps", "none"});
  REQUIRE_MESSAGE(folder.code == 0, folder.err);
  std::vector<std::string> scored;
  for (const auto& row : csv_rows(read_file(base + "/folder/predictions.csv"))) {
    scored.push_back(fs::path(row.at(0)).filename().string());
    CHECK(!row.at(1).empty());
  }
  CHECK(scored == std::vector<std::string>{"a.tif", "b.TIFF", "c.png"});
  Run file = run_app("predict", {"--run", trained_run(), "--out", base + "/file", tree + "/a.tif", "--threads", "2"});
  REQUIRE_MESSAGE(file.code == 0, file.err);
  CHECK(count_lines(read_file(base + "/file/predictions.csv")) == 2);
}

TEST_CASE("predict refuses inputs that would share an output file, naming both, before writing anything") {
  namespace fs = std::filesystem;
  const std::string base = temp_dir("predict_clash"), tree = base + "/tree";
  for (const char* f : {"a_b/1.png", "a/b_1.png"}) {  // both would read a_b_1
    fs::create_directories(fs::path(tree + "/" + f).parent_path());
    fs::copy_file(synthetic_data() + "/woven/test/good/000.png", tree + "/" + f);
  }
  Run clash = run_app("predict", {"--run", trained_run(), "--out", base + "/out", tree});
  check_one_line_error(clash, "predict", "a_b_1");
  CHECK(clash.err.find(tree + "/a/b_1.png") != std::string::npos);
  CHECK(clash.err.find(tree + "/a_b/1.png") != std::string::npos);
  CHECK(!exists(base + "/out"));

  Run twice = run_app("predict",
                      {"--run", trained_run(), "--out", base + "/out", tree + "/a", tree + "/a/b_1.png"});
  check_one_line_error(twice, "predict", "given twice");
  CHECK(!exists(base + "/out"));
}

TEST_CASE("predict --checkpoint scores with bare weights as --run does, without labels") {
  // A run's model.safetensors is a full ViTill state_dict, encoder included: opened as a
  // checkpoint it is the same model, so the scores agree; it carries no threshold.
  const std::string images = synthetic_data() + "/woven/test/good";
  const std::string from_run = temp_dir("predict_run") + "/out";
  const std::string from_ckpt = temp_dir("predict_ckpt") + "/out";
  Run a = run_app("predict", {"--run", trained_run(), "--out", from_run, "--no-heatmaps", "--maps", "none", images,
                              "--threads", "2"});
  REQUIRE_MESSAGE(a.code == 0, a.err);
  Run b = run_app("predict", {"--checkpoint", trained_run() + "/model.safetensors", "--encoder", "test-tiny",
                              "--resize", "84", "--crop", "70", "--out", from_ckpt, "--no-heatmaps", "--maps", "none", images,
                              "--threads", "2"});
  REQUIRE_MESSAGE(b.code == 0, b.err);
  CHECK(b.err.find("no threshold.json") != std::string::npos);
  std::istringstream run_csv(read_file(from_run + "/predictions.csv")), ckpt_csv(read_file(from_ckpt + "/predictions.csv"));
  std::string run_line, ckpt_line;
  std::getline(run_csv, run_line);
  std::getline(ckpt_csv, ckpt_line);
  int rows = 0;
  while (std::getline(run_csv, run_line) && std::getline(ckpt_csv, ckpt_line)) {
    ++rows;
    CAPTURE(run_line);
    // path,score from both; the checkpoint's normalised score, label and threshold are empty,
    // and so is the class (the path names none of the checkpoint's, which knows no classes)
    const std::string path_score = run_line.substr(0, run_line.find(',', run_line.find(',') + 1));
    CHECK(ckpt_line == path_score + ",,,,,,,,");  // ... and without heat maps or maps, no file names
  }
  CHECK(rows == 4);
  check_one_line_error(run_app("predict", {"--run", trained_run(), "--checkpoint", "x.pth", "--out", from_ckpt,
                                           images}),
                       "predict", "excludes");
}

// The same run scores an image the same way whichever command asks: eval's scores.csv and
// predict's predictions.csv agree to the last bit (both print nine significant digits, which
// read back as the same float) when both score one image at a time. Batched, the images' rows
// sit at other offsets in the activations, and the row reductions (LayerNorm, softmax sums)
// may then add up in another order: a few ulp in the maps (measured up to 1.8e-7, batch 1
// against 5), so the scores of other batchings agree to 1e-6 relative, not bit for bit.
TEST_CASE("predict and eval give bit-identical scores for the same images and run") {
  namespace fs = std::filesystem;
  const std::string base = temp_dir("predict_vs_eval");
  auto eval_scores = [&](const std::string& out, const std::string& batch) {
    Run e = run_app("eval", {"--run", trained_run(), "--data", synthetic_data(), "--out", out, "--vis", "0",
                             "--batch", batch, "--threads", "2"});
    REQUIRE_MESSAGE(e.code == 0, e.err);
    std::map<std::string, std::string> scores;  // canonical path -> score as printed
    for (const auto& row : csv_rows(read_file(out + "/scores.csv"))) {
      REQUIRE(row.size() == 5);
      scores[fs::canonical(row[1]).string()] = row[3];
    }
    return scores;
  };
  auto predict_scores = [&](const std::string& out, const std::string& batch) {
    Run p = run_app("predict", {"--run", trained_run(), "--out", out, "--no-heatmaps", "--batch", batch,
                                synthetic_data() + "/woven/test", "--threads", "2"});
    REQUIRE_MESSAGE(p.code == 0, p.err);
    std::map<std::string, std::string> scores;
    for (const auto& row : csv_rows(read_file(out + "/predictions.csv"))) {
      REQUIRE(row.size() == 10);
      scores[fs::canonical(row[0]).string()] = row[1];
    }
    return scores;
  };
  const auto eval_one = eval_scores(base + "/eval1", "1"), eval_three = eval_scores(base + "/eval3", "3");
  const auto predict_one = predict_scores(base + "/predict1", "1"), predict_five = predict_scores(base + "/predict5", "5");
  REQUIRE(predict_one.size() == 8);
  for (const auto& entry : predict_one) {
    const std::string& path = entry.first;  // (a structured binding: Clang 14 cannot capture it)
    const std::string& score = entry.second;
    CAPTURE(path);
    REQUIRE(eval_one.count(path) == 1);
    CHECK(score == eval_one.at(path));  // one image at a time: the same bits
    CHECK(std::stof(score) > 0);
    // other batchings: the same to rounding
    REQUIRE(eval_three.count(path) == 1);
    REQUIRE(predict_five.count(path) == 1);
    CHECK_CLOSE(dn::test::compare(std::stod(eval_three.at(path)), std::stod(score), dn::test::Measure::relative_to_max), 1e-6);
    CHECK_CLOSE(dn::test::compare(std::stod(predict_five.at(path)), std::stod(score), dn::test::Measure::relative_to_max), 1e-6);
  }
}

// Thresholds: per class and pooled, fitted on the held-out normal images, routed to each
// image by --class or a class folder in its path, overridden by --threshold and --fpr.
namespace {

// numpy's default quantile (linear between order statistics), computed here independently.
double numpy_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const size_t lo = size_t(pos), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}

// The image threshold the run's rule gives at `fpr`: the (1 - fpr) quantile, or the maximum
// with fewer than 1/fpr scores.
double expected_threshold(const std::vector<double>& scores, double fpr) {
  return double(scores.size()) * fpr < 1 ? *std::max_element(scores.begin(), scores.end())
                                         : numpy_quantile(scores, 1 - fpr);
}

// predict's rows by input path relative to `root`: {class, threshold, label}.
std::map<std::string, std::vector<std::string>> predicted(const std::vector<std::string>& args) {
  const std::string out = temp_dir("predict_thresholds") + "/out";
  std::vector<std::string> all = {"--run", trained_run(), "--out", out, "--no-heatmaps", "--threads", "2"};
  all.insert(all.end(), args.begin(), args.end());
  Run r = run_app("predict", all);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  std::map<std::string, std::vector<std::string>> rows;
  for (const auto& row : csv_rows(read_file(out + "/predictions.csv"))) {
    REQUIRE(row.size() == 10);
    rows[row[0]] = {row[5], row[6], row[3]};
  }
  return rows;
}

}  // namespace

TEST_CASE("per-class thresholds: each class's is the quantile of its stored held-out scores, and they differ") {
  const nlohmann::json t = nlohmann::json::parse(read_file(trained_run() + "/threshold.json"));
  const nlohmann::json held = nlohmann::json::parse(read_file(trained_run() + "/holdout_scores.json"));
  REQUIRE(t.at("classes").size() == 2);
  std::vector<double> pooled;
  for (const char* cls : {"woven", "grain"}) {
    CAPTURE(cls);
    const auto scores = held.at("classes").at(cls).get<std::vector<double>>();
    REQUIRE(scores.size() == 4);
    pooled.insert(pooled.end(), scores.begin(), scores.end());
    const auto& c = t.at("classes").at(cls);
    CHECK(c.at("fpr").get<double>() == 0.25);
    CHECK(c.at("holdout_images").get<int>() == 4);
    CHECK(c.at("image_fit") == "quantile");
    CHECK_CLOSE(compare(c.at("threshold").get<double>(), expected_threshold(scores, 0.25), Measure::absolute), 1e-9);
    CHECK_CLOSE(compare(c.at("median_normal_score").get<double>(), numpy_quantile(scores, 0.5), Measure::absolute), 1e-9);
    CHECK(c.at("pixel_threshold").get<double>() > 0);
  }
  CHECK(t.at("classes").at("woven").at("threshold") != t.at("classes").at("grain").at("threshold"));
  // The pooled threshold, at the top level as before, from all 8 held-out images.
  CHECK(t.at("holdout_images").get<int>() == 8);
  CHECK_CLOSE(compare(t.at("threshold").get<double>(), expected_threshold(pooled, 0.25), Measure::absolute), 1e-9);
  CHECK(t.at("pixel_threshold").get<double>() > 0);
}

TEST_CASE("predict routes each image to its class's threshold: --class, a class folder, else pooled") {
  namespace fs = std::filesystem;
  const nlohmann::json t = nlohmann::json::parse(read_file(trained_run() + "/threshold.json"));
  const double woven = t.at("classes").at("woven").at("threshold"), grain = t.at("classes").at("grain").at("threshold");
  const std::string woven_image = synthetic_data() + "/woven/test/good/000.png";
  const std::string grain_image = synthetic_data() + "/grain/test/good/000.png";
  const std::string loose = temp_dir("no_class") + "/line3/part.png";  // no class folder in its path
  fs::create_directories(fs::path(loose).parent_path());
  fs::copy_file(woven_image, loose);

  auto by_folder = predicted({woven_image, grain_image, loose});
  CHECK(by_folder[woven_image][0] == "woven");
  CHECK(std::stod(by_folder[woven_image][1]) == woven);
  CHECK(by_folder[grain_image][0] == "grain");
  CHECK(std::stod(by_folder[grain_image][1]) == grain);
  CHECK(by_folder[loose][0] == "");
  CHECK(std::stod(by_folder[loose][1]) == t.at("threshold").get<double>());

  auto forced = predicted({"--class", "grain", woven_image, loose});
  CHECK(forced[woven_image][0] == "grain");
  CHECK(std::stod(forced[woven_image][1]) == grain);
  CHECK(std::stod(forced[loose][1]) == grain);

  // The pooled fallback is said once on stderr.
  const std::string out = temp_dir("predict_pooled_note") + "/out";
  const std::string loose_too = fs::path(loose).parent_path().string() + "/part2.png";
  fs::copy_file(woven_image, loose_too);
  Run r = run_app("predict", {"--run", trained_run(), "--out", out, "--no-heatmaps", loose, loose_too});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.err.find("pooled threshold") != std::string::npos);
  CHECK(r.err.find("pooled threshold") == r.err.rfind("pooled threshold"));

  check_one_line_error(run_app("predict", {"--run", trained_run(), "--out", out, "--class", "cable", loose}),
                       "predict", "its classes: grain, woven");
}

TEST_CASE("predict --threshold and --fpr override the fitted thresholds and change the labels") {
  const std::string image = synthetic_data() + "/woven/test/good/000.png";
  auto low = predicted({"--threshold=-1e30", image});
  CHECK(low[image][2] == "anomalous");
  CHECK(std::stod(low[image][1]) == -1e30);
  auto high = predicted({"--threshold", "1e30", image});
  CHECK(high[image][2] == "normal");
  CHECK(std::stod(high[image][1]) == 1e30);
  // --fpr refits from the stored held-out scores: at 0.5, the woven scores' median.
  const nlohmann::json held = nlohmann::json::parse(read_file(trained_run() + "/holdout_scores.json"));
  const auto scores = held.at("classes").at("woven").get<std::vector<double>>();
  auto refit = predicted({"--fpr", "0.5", image});
  CHECK_CLOSE(compare(std::stod(refit[image][1]), numpy_quantile(scores, 0.5), Measure::absolute), 1e-9);
  const std::string out = temp_dir("predict_fpr_scores") + "/out";
  check_one_line_error(run_app("predict", {"--run", trained_run(), "--out", out, "--threshold", "1", "--fpr", "0.5",
                                           image}),
                       "predict", "exclude");
  check_one_line_error(run_app("predict", {"--run", trained_run(), "--out", out, "--fpr", "1.5", image}), "predict",
                       "--fpr");
}

TEST_CASE("predict --pixel-threshold moves the heat map's contour, not the label") {
  const std::string image = synthetic_data() + "/woven/test/good/000.png";
  auto heat_map = [&](const std::string& pixel_threshold) {
    const std::string out = temp_dir("predict_pixel_threshold") + "/out";
    Run r = run_app("predict", {"--run", trained_run(), "--out", out, "--pixel-threshold=" + pixel_threshold, image,
                                "--threads", "2"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto rows = csv_rows(read_file(out + "/predictions.csv"));
    REQUIRE(rows.size() == 1);
    return std::make_pair(rows[0][3], read_file(out + "/" + rows[0][4]));
  };
  const auto everywhere = heat_map("-1e30"), nowhere = heat_map("1e30");
  CHECK(everywhere.first == nowhere.first);    // the image's label is the image threshold's
  CHECK(everywhere.second != nowhere.second);  // the contour is the pixel threshold's
}

TEST_CASE("a threshold.json from before per-class thresholds still loads: pooled for every image") {
  namespace fs = std::filesystem;
  const std::string old_run = temp_dir("old_threshold") + "/run";
  fs::copy(trained_run(), old_run, fs::copy_options::recursive);
  nlohmann::json t = nlohmann::json::parse(read_file(old_run + "/threshold.json"));
  for (const char* key : {"classes", "pixel_threshold", "image_fit"}) t.erase(key);
  std::ofstream(old_run + "/threshold.json") << t.dump(2);
  const std::string image = synthetic_data() + "/grain/test/good/000.png", out = temp_dir("old_predict") + "/out";
  Run r = run_app("predict", {"--run", old_run, "--out", out, image, "--threads", "2"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.err.find("no per-class thresholds") != std::string::npos);
  const auto rows = csv_rows(read_file(out + "/predictions.csv"));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][5] == "grain");
  CHECK(std::stod(rows[0][6]) == t.at("threshold").get<double>());
}

TEST_CASE("eval reports what the deployed per-class thresholds do; eval --checkpoint has none") {
  const std::string base = temp_dir("eval_thresholds");
  Run r = run_app("eval", {"--run", trained_run(), "--data", synthetic_data(), "--out", base + "/run", "--vis", "0",
                           "--threads", "2"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const nlohmann::json t = nlohmann::json::parse(read_file(trained_run() + "/threshold.json"));
  const nlohmann::json m = nlohmann::json::parse(read_file(base + "/run/metrics.json"));
  std::map<std::string, std::vector<std::pair<int, double>>> scores;  // class -> (label, score)
  for (const auto& row : csv_rows(read_file(base + "/run/scores.csv")))
    scores[row[0]].push_back({std::stoi(row[2]), std::stod(row[3])});
  for (const char* cls : {"woven", "grain"}) {
    CAPTURE(cls);
    const auto& at = m.at("classes").at(cls).at("at_threshold");
    const double threshold = t.at("classes").at(cls).at("threshold");
    CHECK(at.at("threshold").get<double>() == threshold);
    CHECK(at.at("fitted_on") == "class");
    int tp = 0, fp = 0, tn = 0, fn = 0;  // recounted from scores.csv
    for (const auto& [label, score] : scores[cls]) {
      const bool flagged = float(score) >= threshold;
      (label ? (flagged ? tp : fn) : (flagged ? fp : tn))++;
    }
    CHECK(at.at("tp") == tp);
    CHECK(at.at("fp") == fp);
    CHECK(at.at("tn") == tn);
    CHECK(at.at("fn") == fn);
    CHECK(tp + fp + tn + fn == m.at("classes").at(cls).at("n_test").get<int>());
    if (tp + fn > 0) CHECK(at.at("recall").get<double>() == double(tp) / double(tp + fn));
  }
  const std::string csv = read_file(base + "/run/metrics.csv");
  CHECK(csv.rfind("class,i_auroc,i_ap,i_f1max,p_auroc,p_ap,p_f1max,p_aupro,n_test,n_anomalous,threshold,fitted_on,"
                  "fpr,recall,precision,tp,fp,tn,fn\n", 0) == 0);
  for (const auto& row : csv_rows(csv)) {
    REQUIRE(row.size() == 19);
    CHECK(row[11] == (row[0] == "mean" ? "" : "class"));
  }

  Run c = run_app("eval", {"--checkpoint", trained_run() + "/model.safetensors", "--encoder", "test-tiny", "--resize",
                           "84", "--crop", "70", "--data", synthetic_data(), "--out", base + "/ckpt", "--vis", "0",
                           "--threads", "2"});
  REQUIRE_MESSAGE(c.code == 0, c.err);
  const nlohmann::json cm = nlohmann::json::parse(read_file(base + "/ckpt/metrics.json"));
  for (const auto& item : cm.at("classes").items()) CHECK(item.value().at("at_threshold").is_null());
  for (const auto& row : csv_rows(read_file(base + "/ckpt/metrics.csv"))) {
    REQUIRE(row.size() == 19);
    for (size_t i = 10; i < row.size(); ++i) CHECK(row[i] == "");
  }
}

TEST_CASE("a class-separated run: each class's model has its own thresholds, chosen with --class") {
  const std::string run = temp_dir("separate_thresholds") + "/run";
  Run t = run_app("train", with(with(train_args(synthetic_data(), run), "--setting", "separate"), "--iters", "3"));
  REQUIRE_MESSAGE(t.code == 0, t.err);
  for (const char* cls : {"woven", "grain"}) {
    CAPTURE(cls);
    const nlohmann::json th = nlohmann::json::parse(read_file(run + "/" + cls + "/threshold.json"));
    REQUIRE(th.at("classes").size() == 1);
    CHECK(th.at("classes").at(cls).at("threshold") == th.at("threshold"));  // one class: pooled = its own
    const auto scores = nlohmann::json::parse(read_file(run + "/" + cls + "/holdout_scores.json"))
                            .at("classes").at(cls).get<std::vector<double>>();
    CHECK_CLOSE(compare(th.at("threshold").get<double>(), expected_threshold(scores, 0.25), Measure::absolute), 1e-9);
  }
  const std::string image = synthetic_data() + "/woven/test/good/000.png", out = temp_dir("separate_predict") + "/out";
  Run p = run_app("predict", {"--run", run, "--out", out, "--no-heatmaps", "--class", "grain", "--fpr", "0.5", image});
  REQUIRE_MESSAGE(p.code == 0, p.err);
  const auto rows = csv_rows(read_file(out + "/predictions.csv"));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][5] == "grain");
  const auto grain = nlohmann::json::parse(read_file(run + "/grain/holdout_scores.json"))
                         .at("classes").at("grain").get<std::vector<double>>();
  CHECK_CLOSE(compare(std::stod(rows[0][6]), numpy_quantile(grain, 0.5), Measure::absolute), 1e-9);
  check_one_line_error(run_app("predict", {"--run", run, "--out", out, "--class", "cable", image}), "predict",
                       "its classes: grain, woven");
}

TEST_CASE("inspect dumps the named internals of a run") {
  const std::string dir = temp_dir("inspect");
  const std::string img = synthetic_data() + "/woven/test/good/000.png";
  Run r = run_app("inspect", {"--run", trained_run(), "--out", dir + "/f.safetensors", img, img,
                              "--attention-maps", dir + "/att.png", "--layer", "1"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  std::map<std::string, Shape> shapes;
  for (auto& [name, t] : io::read_safetensors(dir + "/f.safetensors").tensors) shapes[name] = t.shape();
  CHECK(shapes["input"] == Shape{2, 3, 70, 70});
  CHECK(shapes["encoder.0"] == Shape{2, 1 + 4 + 25, 32});
  CHECK(shapes["encoder.3"] == Shape{2, 30, 32});
  CHECK(shapes["en.0"] == Shape{2, 32, 5, 5});
  CHECK(shapes["de.1"] == Shape{2, 32, 5, 5});
  CHECK(shapes["map"] == Shape{2, 1, 256, 256});
  CHECK(shapes["score"] == Shape{2});
  CHECK(exists(dir + "/att.png"));
}

TEST_CASE("inspect on bare weights: a DINOv2 .pth and HuggingFace safetensors give the same internals") {
  const char* fixtures = std::getenv("DN_FIXTURES");
  REQUIRE(fixtures != nullptr);
  const std::string dir = temp_dir("inspect_bare"), models = std::string(fixtures) + "/models/";
  const std::string img = synthetic_data() + "/grain/test/good/000.png";
  std::map<std::string, std::map<std::string, std::vector<float>>> dumps;
  for (const char* file : {"tiny_encoder.pth", "tiny_encoder_hf.safetensors"}) {
    const std::string out = dir + "/" + file + ".safetensors";
    Run r = run_app("inspect", {"--encoder", "test-tiny", "--encoder-weights", models + file, "--model-weights",
                                models + "tiny_model.safetensors", "--resize", "84", "--crop", "70", "--out", out, img});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    for (auto& [name, t] : io::read_safetensors(out).tensors) dumps[file][name] = to_vector<float>(t);
  }
  CHECK(dumps["tiny_encoder.pth"].size() == 15 - 4);  // input, 4 layers, 2+2 groups, map, score
  CHECK(dumps["tiny_encoder.pth"] == dumps["tiny_encoder_hf.safetensors"]);
}

TEST_CASE("bad input: one clear line, a non-zero exit, nothing damaged") {
  const std::string dir = temp_dir("bad");
  SUBCASE("a wrong --data path") {
    check_one_line_error(run_app("train", train_args(dir + "/nowhere", dir + "/r")), "train", "nowhere");
  }
  SUBCASE("an unknown class") {
    auto args = train_args(synthetic_data(), dir + "/r");
    args.insert(args.end(), {"--classes", "nosuchclass"});
    check_one_line_error(run_app("train", args), "train", "nosuchclass");
  }
  SUBCASE("a crop that is not a multiple of 14, or larger than the resize") {
    check_one_line_error(run_app("train", with(train_args(synthetic_data(), dir + "/r"), "--crop", "71")), "train",
                         "multiple of the patch");
    check_one_line_error(run_app("train", with(train_args(synthetic_data(), dir + "/r"), "--crop", "98")), "train",
                         "not larger");
  }
  SUBCASE("a run directory from another version") {
    const std::string run = dir + "/oldrun";
    std::filesystem::create_directories(run);
    std::string cfg = read_file(trained_run() + "/config.json");
    cfg.replace(cfg.find("\"version\": 1"), 12, "\"version\": 99");
    std::ofstream(run + "/config.json") << cfg;
    check_one_line_error(run_app("eval", {"--run", run, "--data", synthetic_data(), "--out", dir + "/e"}), "eval",
                         "version 99");
  }
  SUBCASE("a checkpoint that does not fit the configuration") {
    const std::string run = dir + "/mixed";
    std::filesystem::create_directories(run);
    std::string cfg = read_file(trained_run() + "/config.json");
    cfg.replace(cfg.find("\"test-tiny\""), 11, "\"test-small\"");
    std::ofstream(run + "/config.json") << cfg;
    std::filesystem::copy_file(trained_run() + "/model.safetensors", run + "/model.safetensors");
    check_one_line_error(run_app("eval", {"--run", run, "--data", synthetic_data(), "--out", dir + "/e"}), "eval",
                         "does not fit the model");
  }
  SUBCASE("an unwritable --out") {
    check_one_line_error(run_app("eval", {"--run", trained_run(), "--data", synthetic_data(), "--out",
                                          "/dev/null/out"}), "eval", "/dev/null/out");
  }
  SUBCASE("a full disk leaves the earlier reports as they were") {
    const std::string out = dir + "/full";
    REQUIRE(run_app("eval", {"--run", trained_run(), "--data", synthetic_data(), "--out", out, "--vis", "0"}).code == 0);
    const std::string before = read_file(out + "/metrics.json");
    // The file-size limit makes writes fail as on a full disk (SIGXFSZ ignored: write returns an error).
    Run r = run_app("eval", {"--run", trained_run(), "--data", synthetic_data(), "--out", out, "--vis", "0"},
                    "trap '' XFSZ; ulimit -f 1;");
    check_one_line_error(r, "eval", out);
    CHECK(read_file(out + "/metrics.json") == before);
  }
  SUBCASE("train refuses to overwrite a run, and --resume refuses other settings") {
    check_one_line_error(run_app("train", train_args(synthetic_data(), trained_run())), "train", "already holds a run");
    auto args = with(train_args(synthetic_data(), trained_run()), "--lr", "1e-3");
    args.push_back("--resume");
    check_one_line_error(run_app("train", args), "train", "different settings");
  }
  SUBCASE("--help and unknown flags") {
    CHECK(run_app("train", {"--help"}).code == 0);
    Run r = run_app("predict", {"--nonsense"});
    CHECK(r.code == 2);
    CHECK(count_lines(r.err) == 1);
  }
}

// The real magnetic-tile images (../shared/data) trained together with a synthetic class,
// then evaluated. With a random encoder and a few steps the numbers mean little: the test
// records them and fails only on a broken pipeline (missing outputs, malformed reports, NaN).
TEST_CASE("magnetic tile with a synthetic class: a short multi-class run, then eval" *
          doctest::test_suite("shared-data")) {
  const char* shared = std::getenv("DN_SHARED_DATA");
  const std::string tiles = shared ? std::string(shared) + "/magnetic_tile" : "";
  if (tiles.empty() || !exists(tiles + "/train/good"))
    DN_SKIP("../shared/data/magnetic_tile is not present on this machine");
  const std::string base = temp_dir("mixed"), root = base + "/data", run = base + "/run";
  std::filesystem::create_directories(root);
  std::filesystem::create_directory_symlink(std::filesystem::absolute(tiles), root + "/magnetic_tile");
  std::filesystem::create_directory_symlink(std::filesystem::absolute(synthetic_data() + "/woven"), root + "/woven");
  auto args = with(with(train_args(root, run), "--iters", "20"), "--batch", "8");
  const auto start = std::chrono::steady_clock::now();
  Run r = run_app("train", args);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE_MESSAGE(r.code == 0, r.err);
  check_metrics_json(run + "/eval/metrics.json", 2);
  nlohmann::json j = nlohmann::json::parse(read_file(run + "/eval/metrics.json"));
  const auto& mt = j.at("classes").at("magnetic_tile");
  CHECK(mt.at("n_test").get<int>() == 582);
  CHECK(mt.at("n_anomalous").get<int>() == 392);
  const double i_auroc = mt.at("i_auroc").get<double>(), p_auroc = mt.at("p_auroc").get<double>();
  CHECK(std::isfinite(i_auroc));
  CHECK(std::isfinite(p_auroc));
  // The pictures of the real class: one strip per defect folder (--vis 1), the score
  // distributions and the ROC curve, each a real PNG.
  const std::string vis = run + "/eval/vis";
  auto is_png = [](const std::string& path) { return read_file(path).rfind("\x89PNG\r\n\x1a\n", 0) == 0; };
  CHECK(is_png(vis + "/magnetic_tile_scores.png"));
  CHECK(is_png(vis + "/magnetic_tile_roc.png"));
  int strips = 0;
  for (const auto& e : std::filesystem::directory_iterator(vis + "/magnetic_tile"))
    if (e.path().extension() == ".png" && is_png(e.path().string())) strips++;
  CHECK(strips == 6);  // blowhole, break, crack, fray, good, uneven
  std::printf("magnetic_tile (test-tiny, random encoder, 70 px, 20 steps): train + eval %.1f s, I-AUROC %.3f, P-AUROC %.3f\n",
              seconds, i_auroc, p_auroc);
}
