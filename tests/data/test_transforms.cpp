// The rest of the reference's preprocessing against torchvision/PyTorch fixtures: ToTensor
// + Normalize of every byte value, CenterCrop's rounding, whole image and mask chains, and
// the evaluation ground truth (legacy nearest to 256, then > 0).
#include <doctest/doctest.h>

#include <cstring>
#include <sstream>

#include "data/transforms.h"
#include "fixtures.h"
#include "tensor/error.h"

using namespace dn::data;
using namespace dn::data::test;

namespace {

// generate.py's procedural_mask, reproduced: blobs, a diagonal line, a 128-valued band.
Image procedural_mask(int w, int h) {
  Image m(w, h, 1);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t v = 0;
      const double dx = x - w * 0.3, dy = y - h * 0.4, r = std::min(w, h) * 0.12;
      if (dx * dx + dy * dy < r * r) v = 255;
      if (std::abs(x - y * double(w) / h) < 2) v = 255;
      if (y > h * 0.8 && x > w * 0.6) v = 128;
      m.pixels[size_t(y) * w + x] = v;
    }
  return m;
}

}  // namespace

TEST_CASE("ToTensor + Normalize of every byte value equals torchvision's float32 result") {
  const auto expected = read_bytes(fixture("normalize.f32"));
  REQUIRE(expected.size() == 3 * 256 * 4);
  Image row(256, 1, 3);
  for (int v = 0; v < 256; ++v) row.pixels[size_t(v) * 3] = row.pixels[size_t(v) * 3 + 1] = row.pixels[size_t(v) * 3 + 2] = uint8_t(v);
  std::vector<float> out(3 * 256);
  normalize_to_planes(row, Preprocess{}, out.data());
  CHECK(std::memcmp(out.data(), expected.data(), expected.size()) == 0);
  // A gray (1-channel) crop gives the same planes as its RGB replica.
  Image gray(256, 1, 1);
  for (int v = 0; v < 256; ++v) gray.pixels[v] = uint8_t(v);
  std::vector<float> out_gray(3 * 256);
  normalize_to_planes(gray, Preprocess{}, out_gray.data());
  CHECK(out_gray == out);
}

TEST_CASE("center crop offsets round halves to even, as torchvision's CenterCrop") {
  const auto lines = read_lines(fixture("crop_offsets.txt"));
  REQUIRE(lines.size() > 10);
  for (const auto& line : lines) {
    std::istringstream is(line);
    int size, crop, offset;
    is >> size >> crop >> offset;
    CAPTURE(line);
    CHECK(center_crop_offset(size, crop) == offset);
  }
  CHECK(center_crop_offset(448, 392) == 28);
  CHECK_THROWS_AS(center_crop_offset(100, 101), dn::Error);
}

TEST_CASE("whole image and mask chains equal torchvision's, float for float") {
  const auto lines = read_lines(fixture("preprocess.txt"));
  REQUIRE(lines.size() > 20);
  for (const auto& line : lines) {
    std::istringstream is(line);
    std::string kind, source, expected;
    int resize, crop;
    is >> kind >> source >> resize >> crop >> expected;
    CAPTURE(line);
    Preprocess p;
    p.resize = resize;
    p.crop = crop;
    dn::Tensor t;
    if (kind == "image") {
      t = image_to_tensor(read_image(fixture("decode/" + source), 0), p);
    } else if (kind == "procedural_rgb") {
      t = image_to_tensor(procedural(300, 211, 3), p);
    } else {
      REQUIRE(kind == "procedural_mask");
      t = mask_to_tensor(procedural_mask(300, 211), p);
    }
    CHECK(t.size(1) == crop);
    CHECK(t.size(2) == crop);
    CHECK(crc32_hex(t.data<float>(), size_t(t.numel()) * 4) == expected);
  }
}

TEST_CASE("legacy nearest indices equal PyTorch's F.interpolate(mode='nearest')") {
  for (const auto& line : read_lines(fixture("nearest.txt"))) {
    std::istringstream is(line);
    int in, out;
    is >> in >> out;
    CAPTURE(line);
    for (int i = 0; i < out; ++i) {
      int expected;
      is >> expected;
      CHECK(legacy_nearest_source(i, in, out) == expected);
    }
  }
}

TEST_CASE("evaluation ground truth: bilinear 448, crop 392, nearest 256, > 0") {
  for (const auto& line : read_lines(fixture("gt_eval.txt"))) {
    std::istringstream is(line);
    std::string name, expected;
    long count;
    is >> name >> expected >> count;
    CAPTURE(line);
    const int w = std::stoi(name.substr(5)), h = std::stoi(name.substr(name.find('x') + 1));
    const Image cropped = resize_and_crop(procedural_mask(w, h), Preprocess{});
    const Image gt = ground_truth_for_evaluation(cropped, 256);
    long ones = 0;
    for (uint8_t v : gt.pixels) ones += v;
    CHECK(ones == count);
    CHECK(crc32_hex(gt.pixels.data(), gt.pixels.size()) == expected);
    // The tensor form gives the same bytes.
    dn::Tensor masks = mask_to_tensor(procedural_mask(w, h), Preprocess{});
    dn::Tensor batch = dn::empty({1, 1, 392, 392});
    std::memcpy(batch.data<float>(), masks.data<float>(), 392 * 392 * 4);
    dn::Tensor g = ground_truth_for_evaluation(batch, 256);
    CHECK(crc32_hex(g.data<uint8_t>(), 256 * 256) == expected);
  }
}

TEST_CASE("preprocess settings are validated") {
  Preprocess p;
  p.crop = 500;
  CHECK_THROWS_WITH_AS(p.validate(), doctest::Contains("larger than resize"), dn::Error);
  p = Preprocess{};
  p.std[1] = 0;
  CHECK_THROWS_AS(p.validate(), dn::Error);
}
