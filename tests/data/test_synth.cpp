// The synthetic data: deterministic, defects visible and masked exactly, a fair test (mean
// brightness does not separate defective from normal images), and the writer's layout and
// its refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "data/dataset.h"
#include "data/synth.h"
#include "fixtures.h"

using namespace dn::data;
using namespace dn::data::test;

namespace {

double mean_brightness(const Image& rgb) {
  double sum = 0;
  for (uint8_t v : rgb.pixels) sum += v;
  return sum / double(rgb.pixels.size());
}

// Probability that a random defective image is brighter than a random normal one (ties
// count half): the AUROC of "mean brightness" as an anomaly score.
double brightness_auroc(const std::vector<double>& normal, const std::vector<double>& defective) {
  double wins = 0;
  for (double d : defective)
    for (double n : normal) wins += d > n ? 1.0 : d == n ? 0.5 : 0.0;
  return wins / double(normal.size() * defective.size());
}

}  // namespace

TEST_CASE("synthetic samples are deterministic and differ across seeds and streams") {
  const SynthSample a = render_synth_sample(2, 1, 5, 77, 64);
  const SynthSample b = render_synth_sample(2, 1, 5, 77, 64);
  CHECK(a.image.pixels == b.image.pixels);
  CHECK(a.mask.pixels == b.mask.pixels);
  CHECK(render_synth_sample(2, 1, 6, 77, 64).image.pixels != a.image.pixels);
  CHECK(render_synth_sample(2, 1, 5, 78, 64).image.pixels != a.image.pixels);
}

TEST_CASE("every class and defect: a visible defect exactly where the mask says") {
  const int size = 128;
  for (int c = 0; c < int(synth_class_names().size()); ++c) {
    const SynthSample normal = render_synth_sample(c, -1, 1, 1000, size);
    CHECK(normal.image.pixels == normal.clean.pixels);
    CHECK(std::all_of(normal.mask.pixels.begin(), normal.mask.pixels.end(), [](uint8_t v) { return v == 0; }));
    for (int d = 0; d < int(synth_defect_names().size()); ++d) {
      CAPTURE(synth_class_names()[size_t(c)]);
      CAPTURE(synth_defect_names()[size_t(d)]);
      for (uint64_t stream = 0; stream < 4; ++stream) {
        const SynthSample s = render_synth_sample(c, d, 1, stream, size);
        double inside = 0, outside = 0;
        int n_in = 0, n_out = 0;
        for (int i = 0; i < size * size; ++i) {
          double diff = 0;
          for (int ch = 0; ch < 3; ++ch)
            diff = std::max(diff, std::abs(double(s.image.pixels[size_t(i) * 3 + ch]) - s.clean.pixels[size_t(i) * 3 + ch]));
          if (s.mask.pixels[size_t(i)]) {
            inside += diff;
            ++n_in;
          } else {
            outside += diff;
            ++n_out;
          }
        }
        REQUIRE(n_in >= 12);
        CHECK(n_in < size * size / 20);  // a defect, not a different image
        CHECK(inside / n_in > 40);       // clearly visible: > 40 grey levels on average
        CHECK(outside / n_out < 1.0);    // nothing changes outside (only the antialiased rim)
      }
    }
  }
}

TEST_CASE("mean brightness does not separate defective from normal images") {
  // 40 normal and 40 defective images per class (all five kinds), as the writer draws them.
  for (int c = 0; c < int(synth_class_names().size()); ++c) {
    std::vector<double> normal, defective;
    for (int i = 0; i < 40; ++i) {
      normal.push_back(mean_brightness(render_synth_sample(c, -1, 3, (1u << 20) + i, 96).image));
      defective.push_back(mean_brightness(render_synth_sample(c, i % 5, 3, (2u << 20) + i, 96).image));
    }
    const double auroc = brightness_auroc(normal, defective);
    MESSAGE("mean-brightness AUROC, ", synth_class_names()[size_t(c)], ": ", auroc);
    CHECK(auroc > 0.3);
    CHECK(auroc < 0.7);
  }
}

TEST_CASE("the writer lays out MVTec folders that open as a data set") {
  ScratchDir dir("synth");
  SynthOptions o;
  o.classes = 2;
  o.train = 3;
  o.test = 7;
  o.size = 64;
  const SynthSummary s = write_synthetic_dataset(dir / "set", o);
  CHECK(s.classes == std::vector<std::string>{"woven", "grain"});
  CHECK(s.masks == 6);
  const Dataset ds = open_dataset(dir / "set");
  CHECK(ds.classes == std::vector<std::string>{"grain", "woven"});
  CHECK(ds.train.size() == 6);
  CHECK(ds.test.size() == 14);
  CHECK(ds.test.count_label(1) == 6);
  CHECK(ds.test.has_masks);
  CHECK(std::filesystem::exists(dir / "set/synth.json"));
  for (const auto& e : std::filesystem::directory_iterator(dir.path))
    CHECK(e.path().filename().string().find("partial") == std::string::npos);

  // The same seed writes the same bytes.
  write_synthetic_dataset(dir / "again", o);
  CHECK(read_bytes(dir / "set/woven/test/crack/000.png") == read_bytes(dir / "again/woven/test/crack/000.png"));

  // Refusals: an existing synthetic set without replace, a folder of other things, bad options.
  CHECK(error_of([&] { write_synthetic_dataset(dir / "set", o); }).find("--force") != std::string::npos);
  o.replace = true;
  CHECK_NOTHROW(write_synthetic_dataset(dir / "set", o));
  write_text(dir / "mine/thesis.txt", "precious");
  CHECK(error_of([&] { write_synthetic_dataset(dir / "mine", o); }).find("not an earlier synthetic") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "mine/thesis.txt"));
  SynthOptions bad = o;
  bad.classes = 9;
  CHECK(error_of([&] { write_synthetic_dataset(dir / "x", bad); }).find("classes") != std::string::npos);
  bad = o;
  bad.size = 8;
  CHECK(error_of([&] { write_synthetic_dataset(dir / "x", bad); }).find("size") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "x"));
}
