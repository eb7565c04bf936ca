// TIFF (1-, 8- and 16-bit gray and RGB; strips, tiles, planar, compressed, both byte
// orders) and 16-bit PNG against Pillow's convert('RGB') / convert('L'), bit for bit
// (tests/fixtures/data/generate_tiff.py made the expected bytes); errors for TIFFs we
// refuse or that are cut short; .tif files in data set folders.
#include <doctest/doctest.h>

#include <sstream>

#include "data/dataset.h"
#include "data/image.h"
#include "fixtures.h"

using namespace dn::data;
using namespace dn::data::test;

TEST_CASE("TIFF and 16-bit PNG decode to Pillow's bytes") {
  const auto lines = read_lines(fixture("tiff/manifest.txt"));
  REQUIRE(lines.size() >= 20);
  for (const auto& line : lines) {
    std::istringstream is(line);
    std::string file, mode;
    int width = 0, height = 0;
    is >> file >> width >> height >> mode;
    CAPTURE(file);
    CAPTURE(mode);
    const std::string stem = "tiff/" + file.substr(0, file.rfind('.'));
    const Image rgb = read_image(fixture("tiff/" + file), 3);
    CHECK(rgb.width == width);
    CHECK(rgb.height == height);
    CHECK(rgb.pixels == read_bytes(fixture(stem + ".rgb")));
    const Image gray = read_image(fixture("tiff/" + file), 1);
    CHECK(gray.pixels == read_bytes(fixture(stem + ".l")));
    const ImageInfo info = read_image_info(fixture("tiff/" + file));
    CHECK(info.width == width);
    CHECK(info.height == height);
  }
}

TEST_CASE("TIFFs we refuse, and TIFFs cut short, are errors naming the file") {
  ScratchDir dir("tiff-bad");
  // A 4-bit TIFF: the bits-per-sample field (tag 258) of the hand-written 8-bit gray file.
  auto bytes = read_bytes(fixture("tiff/tiff_gray8_miniswhite.tif"));
  bool patched = false;
  for (size_t i = 10; i + 12 <= bytes.size() && !patched; i += 12)
    if (bytes[i] == 0x02 && bytes[i + 1] == 0x01 && bytes[i + 8] == 8) {  // tag 258, little-endian
      bytes[i + 8] = 4;
      patched = true;
    }
  REQUIRE(patched);
  write_raw(dir / "four_bit.tif", bytes);
  const std::string e = error_of([&] { read_image(dir / "four_bit.tif", 3); });
  CHECK(e.find("four_bit.tif") != std::string::npos);
  CHECK(e.find("4-bit") != std::string::npos);

  for (const char* name : {"tiff_rgb8.tif", "tiff_rgb16.tif", "tiff_gray8_lzw.tif", "tiff_rgb8_tiled.tif",
                           "tiff_rgb8_planar.tif"}) {
    const auto whole = read_bytes(fixture(std::string("tiff/") + name));
    // Pillow's files end with tag values an image can do without (Pillow decodes them one
    // byte short, and so do we); the hand-written ones end with pixels.
    const bool pixels_last = std::string(name) != "tiff_rgb8.tif" && std::string(name) != "tiff_gray8_lzw.tif";
    for (size_t cut : {size_t(3), size_t(8), whole.size() / 2, whole.size() - (pixels_last ? 1 : whole.size() / 3)}) {
      CAPTURE(std::string(name));
      CAPTURE(cut);
      const std::string path = dir / ("cut_" + std::to_string(cut) + "_" + name);
      write_raw(path, std::vector<uint8_t>(whole.begin(), whole.begin() + long(cut)));
      CHECK(error_of([&] { read_image(path, 3); }).find(path) != std::string::npos);
    }
  }
}

TEST_CASE("data set folders list .tif and .tiff images") {
  ScratchDir root("tiff-folder");
  write_raw(root / "good/a.tif", read_bytes(fixture("tiff/tiff_rgb8.tif")));
  write_raw(root / "good/b.TIFF", read_bytes(fixture("tiff/tiff_gray16.tif")));
  const Dataset ds = open_dataset(root / "good");
  REQUIRE(ds.train.size() == 2);
  CHECK(read_image(ds.train.samples[1].image_path, 3).width == 37);
}
