// End to end on the real magnetic-tile set (../shared/data, DN_SHARED_DATA): every test
// image goes through ClassEvaluator and ClassPictures, then the four report files and the
// pictures are written and read back.
//
// The anomaly maps here are NOT Dinomaly's: this suite must run without a trained model,
// so it uses a transparent baseline, the per-pixel z-score of the image against the mean
// and spread of 100 training images (after the reference's resize and crop), box-smoothed.
// Its numbers say nothing about Dinomaly; they exercise the evaluator on real images,
// real masks (soft edges, several regions, non-square sources) and real file names.
//
// Set DN_EVAL_EXAMPLES_OUT to keep the output (example pictures for the README).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "data/dataset.h"
#include "data/image.h"
#include "data/transforms.h"
#include "eval/class_evaluator.h"
#include "eval/class_pictures.h"
#include "eval/draw.h"
#include "eval/report.h"
#include "tests/support/skip.h"

using namespace dn::eval;
namespace fs = std::filesystem;

namespace {

constexpr int kMap = 256;

// The gray crop as the model would see it, and its 256x256 float version in [0, 1].
struct Prepared {
  dn::data::Image crop;
  std::vector<float> small;
};

Prepared prepare(const std::string& path) {
  Prepared p;
  p.crop = dn::data::resize_and_crop(dn::data::read_image(path, 1), dn::data::Preprocess{});
  dn::data::Image s = resize_rgb(p.crop, kMap, kMap);
  p.small.resize(size_t(kMap) * kMap);
  for (size_t i = 0; i < p.small.size(); ++i) p.small[i] = s.pixels[i * 3] / 255.0f;
  return p;
}

// 5x5 box mean, edges averaged over the pixels inside.
std::vector<float> box5(const std::vector<float>& m) {
  std::vector<float> out(m.size());
  for (int y = 0; y < kMap; ++y)
    for (int x = 0; x < kMap; ++x) {
      float sum = 0;
      int n = 0;
      for (int dy = -2; dy <= 2; ++dy)
        for (int dx = -2; dx <= 2; ++dx) {
          int yy = y + dy, xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= kMap || xx >= kMap) continue;
          sum += m[size_t(yy) * kMap + xx];
          ++n;
        }
      out[size_t(y) * kMap + x] = sum / float(n);
    }
  return out;
}

float top_mean(std::vector<float> m, size_t k) {  // mean of the k largest values
  std::partial_sort(m.begin(), m.begin() + k, m.end(), std::greater<float>());
  double s = 0;
  for (size_t i = 0; i < k; ++i) s += m[i];
  return float(s / double(k));
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("magnetic tile: reports and pictures end to end (baseline maps, not Dinomaly)" *
          doctest::test_suite("shared-data")) {
  const char* shared = std::getenv("DN_SHARED_DATA");
  const fs::path root = fs::path(shared ? shared : "") / "magnetic_tile";
  if (!shared || !fs::is_directory(root)) DN_SKIP("the magnetic-tile set is not at " + root.string());
  auto start = std::chrono::steady_clock::now();
  dn::data::Dataset ds = dn::data::open_dataset(root.string());
  REQUIRE(ds.classes.size() == 1);
  const std::string cls = ds.classes[0];

  // Baseline statistics: mean and spread of 100 training images, pixel by pixel.
  std::vector<double> sum(size_t(kMap) * kMap, 0), sum2(sum.size(), 0);
  const size_t n_train = std::min<size_t>(100, ds.train.size());
  for (size_t i = 0; i < n_train; ++i) {
    Prepared p = prepare(ds.train.samples[i * ds.train.size() / n_train].image_path);
    for (size_t j = 0; j < sum.size(); ++j) {
      sum[j] += p.small[j];
      sum2[j] += double(p.small[j]) * p.small[j];
    }
  }
  std::vector<float> mean(sum.size()), spread(sum.size());
  for (size_t j = 0; j < sum.size(); ++j) {
    mean[j] = float(sum[j] / n_train);
    spread[j] = float(std::sqrt(std::max(0.0, sum2[j] / n_train - double(mean[j]) * mean[j])));
  }

  ClassEvaluator evaluator(cls);
  std::vector<std::string> test_paths;
  for (const dn::data::Sample& s : ds.test.samples) test_paths.push_back(s.image_path);
  ClassPictures pictures(cls, 2, OutputNames(test_paths));
  for (const dn::data::Sample& s : ds.test.samples) {
    Prepared p = prepare(s.image_path);
    std::vector<float> z(p.small.size());
    for (size_t j = 0; j < z.size(); ++j) z[j] = std::fabs(p.small[j] - mean[j]) / (spread[j] + 0.02f);
    std::vector<float> map = box5(z);
    std::vector<uint8_t> mask;
    if (!s.mask_path.empty()) {
      dn::data::Image m = dn::data::resize_and_crop(dn::data::read_image(s.mask_path, 1), dn::data::Preprocess{});
      mask = dn::data::ground_truth_for_evaluation(m, kMap).pixels;
    }
    float score = top_mean(map, 655);  // the reference's image score: mean of the top 1%
    evaluator.add(s.image_path, s.label, score, map, mask, kMap, kMap);
    pictures.add(s.image_path, s.label, score, p.crop, map, mask, kMap, kMap);
  }
  ClassMetrics metrics = evaluator.finish();
  RunReport report{"separate", {metrics}};

  const char* keep = std::getenv("DN_EVAL_EXAMPLES_OUT");
  const fs::path out = keep ? fs::path(keep) : fs::temp_directory_path() / ("dn_eval_mt_" + std::to_string(::getpid()));
  fs::remove_all(out);
  write_reports(out.string(), report, evaluator.scores());
  std::vector<std::string> files = pictures.write((out / "vis").string(), metrics, evaluator.scores());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("magnetic tile with baseline maps (" << seconds << " s):\n" << summary_table(report));

  // The report files, read back.
  nlohmann::json j = nlohmann::json::parse(read_text(out / "metrics.json"));
  CHECK(j["setting"] == "separate");
  const auto& c = j["classes"][cls];
  CHECK(c["n_test"] == int64_t(ds.test.size()));
  CHECK(c["n_anomalous"] == int64_t(ds.test.count_label(1)));
  CHECK(c["n_test"] == 582);
  CHECK(c["n_anomalous"] == 392);
  for (int k = 0; k < kMetricCount; ++k) {
    CAPTURE(kMetricKeys[k]);
    REQUIRE(c[kMetricKeys[k]].is_number());
    CHECK(c[kMetricKeys[k]].get<double>() >= 0.0);
    CHECK(c[kMetricKeys[k]].get<double>() <= 1.0);
    CHECK(j["mean"][kMetricKeys[k]] == c[kMetricKeys[k]]);  // one class: the mean is its value
  }
  CHECK(metrics.pixel.exact);  // 582 maps of 256x256 fit the default budget
  CHECK(metrics.pixel.regions >= 392);
  std::string scores = read_text(out / "scores.csv");
  CHECK(std::count(scores.begin(), scores.end(), '\n') == 583);
  CHECK(read_text(out / "metrics.md").find("| " + cls + " |") != std::string::npos);
  CHECK(read_text(out / "metrics.csv").find("\nmean,") != std::string::npos);

  // The pictures: 2 strips for each of the 6 folders, the histogram and the ROC.
  CHECK(files.size() == 6 * 2 + 2);
  for (const std::string& f : files) {
    CAPTURE(f);
    REQUIRE(fs::is_regular_file(f));
    dn::data::Image img = dn::data::read_image(f, 3);
    CHECK(img.width > 0);
  }
  dn::data::Image strip = dn::data::read_image(files.front(), 3);
  CHECK(strip.width == 2 * 8 + 4 * kMap + 3 * 8);
  if (!keep) fs::remove_all(out);
}
