// map_to_original_frame: the crop's map read back at every pixel of the original image.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "data/original_frame.h"

using namespace dn::data;

namespace {

Preprocess geometry(int resize, int crop) {
  Preprocess p;
  p.resize = resize;
  p.crop = crop;
  return p;
}

}  // namespace

TEST_CASE("original frame: with nothing resized or cropped the map comes back unchanged") {
  std::vector<float> map(16 * 16);
  for (size_t i = 0; i < map.size(); ++i) map[i] = float(i) * 0.37f;
  CHECK(map_to_original_frame(map, 16, 16, 16, geometry(16, 16)) == map);
}

TEST_CASE("original frame: bilinear between pixel centres, held at the edges") {
  // A 4 x 4 map whose value is its column, read at twice its size: original pixel x sits at
  // map position (x + 0.5) / 2 - 0.5, clamped to [0, 3].
  std::vector<float> map(16);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) map[size_t(y) * 4 + x] = float(x);
  const std::vector<float> out = map_to_original_frame(map, 4, 8, 8, geometry(8, 8));
  const float expected[8] = {0, 0.25f, 0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3};
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      CAPTURE(x);
      CAPTURE(y);
      CHECK(out[size_t(y) * 8 + x] == expected[x]);
    }
}

TEST_CASE("original frame: what the centre crop leaves out is NaN, on each axis by its own scale") {
  // 100 x 50 -> 16 x 16, crop 8 at offset 4: across, pixel centres (x + 0.5) * 0.16 fall in
  // [4, 12) for x = 25 .. 74; down, (y + 0.5) * 0.32 for y = 12 .. 36.
  const std::vector<float> map(8 * 8, 1.0f);
  const std::vector<float> out = map_to_original_frame(map, 8, 100, 50, geometry(16, 8));
  REQUIRE(out.size() == 100 * 50);
  int wrong = 0;
  for (int y = 0; y < 50; ++y)
    for (int x = 0; x < 100; ++x) {
      const bool inside = x >= 25 && x <= 74 && y >= 12 && y <= 36;
      const float v = out[size_t(y) * 100 + x];
      wrong += inside ? !(v == 1.0f) : !std::isnan(v);
    }
  CHECK(wrong == 0);
}

TEST_CASE("original frame: a map of the wrong length or an empty image is an error") {
  const std::vector<float> map(10);
  CHECK_THROWS_WITH(map_to_original_frame(map, 4, 8, 8, geometry(8, 8)),
                    doctest::Contains("10 values is not 4 x 4"));
  const std::vector<float> square(16);
  CHECK_THROWS_WITH(map_to_original_frame(square, 4, 0, 8, geometry(8, 8)), doctest::Contains("0 x 8"));
}
