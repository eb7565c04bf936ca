// Pictures: font and colour map, the strip layout, the fixed class colour scale (a normal,
// low-scoring image must not light up), the outline of the thresholded region, and the
// per-class plots.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <unistd.h>

#include "eval/class_pictures.h"
#include "eval/colormap.h"
#include "eval/colour_scale.h"
#include "eval/draw.h"
#include "eval/font.h"
#include "eval/plots.h"
#include "eval/vis.h"
#include "tensor/error.h"

using namespace dn::eval;
using dn::data::Image;

namespace {

// A map with a low background and, optionally, a hot disc.
std::vector<float> make_map(int w, int h, float background, float peak, int cx, int cy, int r) {
  std::vector<float> m(size_t(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float d2 = float((x - cx) * (x - cx) + (y - cy) * (y - cy));
      m[size_t(y) * w + x] = background + (peak - background) * std::exp(-d2 / float(2 * r * r)) +
                             0.002f * float((x * 7 + y * 3) % 5);
    }
  return m;
}

// Pixels of the image region [x0, x0+w) x [y0, y0+h) that are "hot": jet's red end.
int hot_pixels(const Image& img, int x0, int y0, int w, int h) {
  int hot = 0;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      const uint8_t* p = img.at(x, y);
      hot += p[0] > 180 && p[2] < 90;
    }
  return hot;
}

}  // namespace

TEST_CASE("font: every printable character has 7 rows of 5 columns, and they differ") {
  for (char c = ' '; c <= '~'; ++c)
    for (int r = 0; r < kGlyphHeight; ++r) {
      const char* row = glyph_row(c, r);
      REQUIRE(std::strlen(row) == size_t(kGlyphWidth));
      for (int i = 0; i < kGlyphWidth; ++i) CHECK((row[i] == '#' || row[i] == '.'));
    }
  auto same = [](char a, char b) {
    for (int r = 0; r < kGlyphHeight; ++r)
      if (std::strcmp(glyph_row(a, r), glyph_row(b, r)) != 0) return false;
    return true;
  };
  for (char a = '!'; a <= '~'; ++a)
    for (char b = char(a + 1); b <= '~'; ++b) CHECK_MESSAGE(!same(a, b), a, " and ", b, " look the same");
  CHECK(same('\x01', '?'));  // unprintable characters draw as '?'
}

TEST_CASE("text drawing puts ink where the glyph has it") {
  Image img = blank_rgb(40, 20, {255, 255, 255});
  int w = draw_text(img, 2, 3, "T1", {0, 0, 0}, 2);
  CHECK(w == text_width("T1", 2));
  CHECK(w == (2 * kCellWidth - 1) * 2);
  CHECK(img.at(2, 3)[0] == 0);        // T's top bar, first column
  CHECK(img.at(2, 3 + 2 * 2)[0] == 255);  // below it, left of the stem: paper
  CHECK(img.at(2 + 2 * 2, 3 + 2 * 6)[0] == 0);  // the stem, bottom row
}

TEST_CASE("jet runs from dark blue through green to dark red") {
  Rgb lo = jet(0.0f), mid = jet(0.5f), hi = jet(1.0f);
  CHECK(lo.b > 100);
  CHECK(lo.r == 0);
  CHECK(mid.g == 255);
  CHECK(hi.r > 100);
  CHECK(hi.b == 0);
  CHECK(jet(-3.0f).b == lo.b);  // clamped
}

TEST_CASE("a strip has four panels at the map size, and the class scale keeps a normal image cold") {
  const int W = 64, H = 48;
  Image input(90, 70, 1);  // grey input of another size: shown at the map size
  for (size_t i = 0; i < input.pixels.size(); ++i) input.pixels[i] = uint8_t(100 + i % 50);

  std::vector<float> normal = make_map(W, H, 0.05f, 0.08f, 30, 20, 6);
  std::vector<float> defect = make_map(W, H, 0.05f, 0.60f, 20, 30, 5);
  std::vector<uint8_t> mask(size_t(W) * H, 0);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) mask[size_t(y) * W + x] = (x - 20) * (x - 20) + (y - 30) * (y - 30) <= 16;

  ColourScaleBuilder builder;  // over ALL maps of the class
  builder.add(normal);
  builder.add(defect);
  StripStyle style;
  style.scale = builder.min_max();
  style.pixel_threshold = 0.3f;
  style.image_threshold = 0.2f;
  style.threshold_note = "F1-optimal on the test set";

  StripInput in{&input, normal, H, W, {}, 0.07f, 0, "cls/test/good/000.png"};
  Image a = render_strip(in, style);
  CHECK(a.channels == 3);
  CHECK(a.width == 2 * 8 + 4 * W + 3 * 8);
  CHECK(a.height > H);
  // Heat panel: third panel from the left. Find its top from the layout constants.
  const int panels_y = 84, heat_x = 8 + 2 * (W + 8);
  int hot_normal = hot_pixels(a, heat_x, panels_y, W, H);

  in = {&input, defect, H, W, mask, 0.5f, 1, "cls/test/crack/001.png"};
  Image b = render_strip(in, style);
  int hot_defect = hot_pixels(b, heat_x, panels_y, W, H);
  CHECK(hot_normal == 0);  // the class scale: nothing in a normal map reaches the top
  CHECK(hot_defect > 20);

  // Normalising the normal map on its own (what we must NOT do) would make it light up.
  StripStyle per_image = style;
  ColourScaleBuilder own;
  own.add(normal);
  per_image.scale = own.min_max();
  in = {&input, normal, H, W, {}, 0.07f, 0, "cls/test/good/000.png"};
  CHECK(hot_pixels(render_strip(in, per_image), heat_x, panels_y, W, H) > 10);

  // Region panel: red outline of map >= 0.3 around the disc, green outline of the mask.
  const int region_x = 8 + 3 * (W + 8);
  int red = 0, green = 0;
  for (int y = panels_y; y < panels_y + H; ++y)
    for (int x = region_x; x < region_x + W; ++x) {
      const uint8_t* p = b.at(x, y);
      red += p[0] == 255 && p[1] == 0 && p[2] == 0;
      green += p[0] == 0 && p[1] == 200 && p[2] == 0;
    }
  CHECK(red > 10);
  CHECK(green > 10);
}

TEST_CASE("render_strip refuses mismatched sizes") {
  Image input(8, 8, 3);
  std::vector<float> map(16, 0.1f);
  std::vector<uint8_t> mask(15, 0);
  StripStyle style;
  CHECK_THROWS_AS(render_strip({&input, map, 4, 5, {}, 0, 0, "x"}, style), dn::Error);
  CHECK_THROWS_AS(render_strip({&input, map, 4, 4, mask, 0, 0, "x"}, style), dn::Error);
  CHECK_THROWS_AS(render_strip({nullptr, map, 4, 4, {}, 0, 0, "x"}, style), dn::Error);
}

TEST_CASE("colour scale: percentiles ignore a few extreme pixels, min_max does not") {
  ColourScaleBuilder b;
  std::vector<float> m(10000);
  for (size_t i = 0; i < m.size(); ++i) m[i] = 0.1f + 0.1f * float(i) / float(m.size());
  m[0] = 50.0f;  // one outlier
  b.add(m);
  CHECK(b.min_max().high == 50.0f);
  ColourScale robust = b.percentiles(0.01, 0.99);
  CHECK(robust.high < 0.21f);
  CHECK(robust.low > 0.1f);
  CHECK(robust.position(0.05f) == 0.0f);
  CHECK(robust.position(1.0f) == 1.0f);
  CHECK(ColourScale{0.5f, 0.5f}.position(0.7f) == 0.0f);  // empty scale: no crash
}

TEST_CASE("per-class plots: score histogram and ROC") {
  std::vector<float> scores = {0.1f, 0.12f, 0.2f, 0.15f, 0.5f, 0.45f, 0.3f, 0.11f};
  std::vector<uint8_t> labels = {0, 0, 0, 0, 1, 1, 1, 1};
  Image h = render_score_histogram(scores, labels, 0.25f, "bottle: image scores");
  CHECK(h.width == 640);
  CHECK(h.channels == 3);
  // Both colours appear (blended bars), and the dashed threshold line is drawn in black.
  int bluish = 0, reddish = 0;
  for (int y = 0; y < h.height; ++y)
    for (int x = 0; x < h.width; ++x) {
      const uint8_t* p = h.at(x, y);
      bluish += p[2] > 150 && p[0] < 150;
      reddish += p[0] > 150 && p[2] < 150 && p[1] < 150;
    }
  CHECK(bluish > 100);
  CHECK(reddish > 100);
  Image roc = render_roc(scores, labels, 0.25f, "bottle: ROC");
  CHECK(roc.width == 440);
  std::vector<uint8_t> one_class(8, 0);
  CHECK_NOTHROW(render_roc(scores, one_class, std::nullopt, "one class"));
  CHECK_NOTHROW(render_score_histogram(std::vector<float>(3, 0.5f), std::vector<uint8_t>(3, 0), std::nullopt, "flat"));
  CHECK_THROWS_AS(render_roc({}, {}, std::nullopt, "empty"), dn::Error);
}

TEST_CASE("class pictures: two test images with the same folder and stem get two strips") {
  const std::vector<std::string> paths = {"/data/lineA/cam1/001.png", "/data/lineB/cam1/001.png",
                                          "/data/a b/1.png", "/data/a_b/1.png"};
  ClassPictures pictures("parts", 2, OutputNames(paths));
  const Image crop(16, 16, 3);
  const std::vector<float> map = make_map(32, 32, 0.1f, 0.9f, 16, 16, 4);
  for (const std::string& p : paths) pictures.add(p, 0, 0.5f, crop, map, {}, 32, 32);
  ClassMetrics metrics;
  metrics.name = "parts";
  const auto dir = std::filesystem::temp_directory_path() / ("dn_eval_names_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::vector<std::string> written = pictures.write(dir.string(), metrics, {});
  CHECK(written.size() == 4);  // the four strips (no scores: no plots)
  std::set<std::string> files;
  for (const std::string& p : paths) {
    const std::string file = pictures.strip_file(p);
    CAPTURE(p);
    CHECK(std::filesystem::is_regular_file(dir / file));
    files.insert(file);
  }
  CHECK(files == std::set<std::string>{"parts/lineA_cam1_001.png", "parts/lineB_cam1_001.png", "parts/a%20b_1.png",
                                       "parts/a_b_1.png"});
  CHECK(pictures.strip_file("/data/other/9.png").empty());  // not kept: no strip
  std::filesystem::remove_all(dir);
}
