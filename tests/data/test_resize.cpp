// Pillow's bilinear resize, bit for bit: procedural sources (built identically by
// generate.py and fixtures.h) resized over many size pairs (down, up, odd, non-square,
// one axis only, 1-pixel), compared with what Pillow produced.
#include <doctest/doctest.h>

#include <sstream>

#include "data/pil_resize.h"
#include "fixtures.h"
#include "tensor/error.h"

using namespace dn::data;
using namespace dn::data::test;

TEST_CASE("the procedural source matches the generator's") {
  // Spot values computed by hand from the formula in generate.py.
  const Image rgb = procedural(10, 6, 3);
  CHECK(rgb.at(9, 0)[0] == 255);
  CHECK(rgb.at(3, 0)[0] == 85);
  CHECK(rgb.at(7, 0)[2] == 255);
  CHECK(rgb.at(0, 5)[2] == 255);
  CHECK(rgb.at(0, 0)[2] == 0);
  CHECK(rgb.at(1, 2)[1] == ((((1u * 73856093u) ^ (2u * 19349663u)) >> 8) & 255));
}

TEST_CASE("bilinear resize matches Pillow with zero differing bytes") {
  const auto lines = read_lines(fixture("resize.txt"));
  REQUIRE(lines.size() >= 50);
  int checked_raw = 0;
  for (const auto& line : lines) {
    std::istringstream is(line);
    std::string kind, expected_crc;
    int channels, sw, sh, dw, dh;
    long long expected_sum;
    is >> kind >> channels >> sw >> sh >> dw >> dh >> expected_crc >> expected_sum;
    CAPTURE(line);
    const Image out = pil_resize_bilinear(procedural(sw, sh, channels), dw, dh);
    REQUIRE(out.width == dw);
    REQUIRE(out.height == dh);
    REQUIRE(out.channels == channels);
    long long sum = 0;
    for (uint8_t v : out.pixels) sum += v;
    CHECK(sum == expected_sum);
    CHECK(crc32_hex(out.pixels.data(), out.pixels.size()) == expected_crc);
    if (dw * dh <= 64 * 64) {
      const std::string raw = fixture("resize/" + kind + "_" + std::to_string(sw) + "x" + std::to_string(sh) +
                                      "_" + std::to_string(dw) + "x" + std::to_string(dh) + ".raw");
      const auto expected = read_bytes(raw);
      REQUIRE(expected.size() == out.pixels.size());
      size_t differing = 0;
      for (size_t i = 0; i < expected.size(); ++i) differing += expected[i] != out.pixels[i];
      CHECK(differing == 0);
      ++checked_raw;
    }
  }
  CHECK(checked_raw >= 10);
}

TEST_CASE("taps: the triangle stretches when downscaling and the weights sum to 2^22") {
  const ResampleTaps up = pillow_bilinear_taps(248, 448);
  CHECK(up.taps_per_output == 3);
  const ResampleTaps down = pillow_bilinear_taps(1024, 448);
  CHECK(down.taps_per_output == 2 * 3 + 1);  // support = 1024/448 = 2.29 -> ceil 3
  for (const ResampleTaps* t : {&up, &down})
    for (int i = 0; i < t->out_size; ++i) {
      long sum = 0;
      for (int k = 0; k < t->count[i]; ++k) sum += t->weights[size_t(i) * t->taps_per_output + k];
      CHECK(std::abs(sum - (1L << 22)) <= t->count[i]);  // rounding of each weight
      CHECK(t->first[i] >= 0);
      CHECK(t->first[i] + t->count[i] <= t->in_size);
    }
}

TEST_CASE("resize refuses empty images and sizes") {
  CHECK_THROWS_WITH_AS(pil_resize_bilinear(Image(), 4, 4), doctest::Contains("empty"), dn::Error);
  CHECK_THROWS_WITH_AS(pil_resize_bilinear(Image(3, 3, 1), 0, 4), doctest::Contains("positive"), dn::Error);
}
