// Decoding against Pillow (bit for bit, every encoding in tests/fixtures/data/decode), PNG
// writing, and the errors a user sees for missing, corrupt and truncated files.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include "data/image.h"
#include "fixtures.h"
#include "tensor/error.h"

using namespace dn::data;
using namespace dn::data::test;

namespace {

struct Entry {
  std::string file, mode;
  int width, height;
};

std::vector<Entry> manifest() {
  std::vector<Entry> out;
  for (const auto& line : read_lines(fixture("decode/manifest.txt"))) {
    std::istringstream is(line);
    Entry e;
    is >> e.file >> e.width >> e.height >> e.mode;
    out.push_back(e);
  }
  return out;
}

size_t count_differences(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a.size() != b.size()) return std::max(a.size(), b.size());
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += a[i] != b[i];
  return n;
}

}  // namespace

TEST_CASE("decoding matches Pillow's convert('RGB') and convert('L') for every fixture encoding") {
  const auto entries = manifest();
  REQUIRE(entries.size() >= 20);
  for (const auto& e : entries) {
    CAPTURE(e.file);
    CAPTURE(e.mode);
    const std::string stem = e.file.substr(0, e.file.rfind('.'));
    const Image rgb = read_image(fixture("decode/" + e.file), 3);
    CHECK(rgb.width == e.width);
    CHECK(rgb.height == e.height);
    CHECK(rgb.channels == 3);
    CHECK(count_differences(rgb.pixels, read_bytes(fixture("decode/" + stem + ".rgb"))) == 0);
    const Image gray = read_image(fixture("decode/" + e.file), 1);
    CHECK(gray.channels == 1);
    CHECK(count_differences(gray.pixels, read_bytes(fixture("decode/" + stem + ".l"))) == 0);
  }
}

TEST_CASE("want_channels 0 keeps the stored channels") {
  CHECK(read_image(fixture("decode/png_gray8.png"), 0).channels == 1);
  CHECK(read_image(fixture("decode/png_gray_alpha8.png"), 0).channels == 2);
  CHECK(read_image(fixture("decode/png_rgb8.png"), 0).channels == 3);
  CHECK(read_image(fixture("decode/png_rgba8.png"), 0).channels == 4);
  CHECK(read_image(fixture("decode/jpeg_gray.jpg"), 0).channels == 1);
  CHECK(read_image(fixture("decode/jpeg_rgb420.jpg"), 0).channels == 3);
  CHECK_THROWS_WITH_AS(read_image(fixture("decode/png_rgb8.png"), 2),
                       doctest::Contains("want_channels"), dn::Error);
}

TEST_CASE("read_image_info reads sizes from headers") {
  const ImageInfo a = read_image_info(fixture("decode/jpeg_rgb420_big.jpg"));
  CHECK(a.width == 131);
  CHECK(a.height == 97);
  const ImageInfo b = read_image_info(fixture("decode/png_gray16.png"));
  CHECK(b.width == 37);
  CHECK(b.height == 23);
  CHECK_THROWS_WITH_AS(read_image_info("/nonexistent/x.png"), doctest::Contains("/nonexistent/x.png"),
                       dn::Error);
}

TEST_CASE("PNG writing round-trips exactly and is atomic") {
  ScratchDir dir("png");
  for (int channels : {1, 2, 3, 4}) {
    CAPTURE(channels);
    Image img(29, 17, channels);
    for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = uint8_t(i * 37 + 11);
    const std::string path = dir / ("out" + std::to_string(channels) + ".png");
    write_png(path, img);
    const Image back = read_image(path, 0);
    CHECK(back.width == 29);
    CHECK(back.height == 17);
    CHECK(back.channels == channels);
    CHECK(back.pixels == img.pixels);
  }
  // Overwriting replaces the file; no temporary files are left beside it.
  Image small(3, 2, 1);
  write_png(dir / "out1.png", small);
  CHECK(read_image(dir / "out1.png", 1).width == 3);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    CHECK(entry.path().extension() == ".png");
    ++files;
  }
  CHECK(files == 4);
  // A folder that does not exist: an error naming the path, nothing written.
  CHECK(error_of([&] { write_png(dir / "missing/sub/x.png", small); }).find("missing/sub/x.png") !=
        std::string::npos);
  CHECK_THROWS_AS(write_png(dir / "empty.png", Image()), dn::Error);
}

TEST_CASE("bad files give errors that name the file") {
  ScratchDir dir("bad");
  CHECK(error_of([] { read_image("/nonexistent/image.png", 3); }).find("/nonexistent/image.png") !=
        std::string::npos);
  CHECK(error_of([&] { read_image(dir.path.string(), 3); }).find("folder") != std::string::npos);

  write_text(dir / "empty.png", "");
  CHECK(error_of([&] { read_image(dir / "empty.png", 3); }).find("empty") != std::string::npos);
  write_text(dir / "text.png", "this is not an image at all");
  const std::string text_error = error_of([&] { read_image(dir / "text.png", 3); });
  CHECK(text_error.find("text.png") != std::string::npos);
  CHECK(text_error.find("not a PNG, JPEG, BMP or TIFF") != std::string::npos);

  // Every truncation of every encoding fails cleanly (never a crash, never a silent
  // partial image), at many cut points. The last cut leaves out 13 bytes: a PNG's final
  // IEND chunk is 12, and stb ignores the CRC of IEND (a PNG short of its last byte
  // decodes, in Pillow too).
  for (const char* name : {"png_rgb8.png", "png_gray16.png", "png_palette.png", "jpeg_rgb420_big.jpg",
                           "jpeg_gray_big.jpg", "jpeg_progressive.jpg", "bmp_rgb24.bmp",
                           "bmp_gray8.bmp", "bmp_rgba32.bmp"}) {
    const auto bytes = read_bytes(fixture(std::string("decode/") + name));
    REQUIRE(bytes.size() > 40);
    for (size_t cut : {size_t(1), size_t(5), size_t(20), bytes.size() / 4, bytes.size() / 2,
                       bytes.size() * 9 / 10, bytes.size() - 13}) {
      CAPTURE(std::string(name));
      CAPTURE(cut);
      const std::string path = dir / (std::string("cut_") + std::to_string(cut) + "_" + name);
      write_raw(path, std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(cut)));
      const std::string err = error_of([&] { read_image(path, 3); });
      CHECK(err.find(path) != std::string::npos);
    }
  }
  const auto whole = read_bytes(fixture("decode/png_rgb8.png"));
  write_raw(dir / "no_iend.png", std::vector<uint8_t>(whole.begin(), whole.end() - 12));
  // Stricter than Pillow, which decodes a PNG whose IEND chunk is missing: an error, named.
  CHECK(error_of([&] { read_image(dir / "no_iend.png", 3); }).find("no_iend.png") != std::string::npos);

  // A corrupt body (bytes flipped in the middle of a PNG's compressed data).
  auto png = read_bytes(fixture("decode/png_rgb8.png"));
  for (size_t i = png.size() / 3; i < png.size() / 3 + 40; ++i) png[i] ^= 0x5A;
  write_raw(dir / "corrupt.png", png);
  CHECK(error_of([&] { read_image(dir / "corrupt.png", 3); }).find("corrupt.png") != std::string::npos);
}

TEST_CASE("to_gray uses Pillow's luma and to_rgb replicates") {
  Image rgb(2, 1, 3);
  rgb.pixels = {255, 0, 0, 10, 200, 30};
  const Image g = to_gray(rgb);
  CHECK(g.pixels[0] == (255 * 19595 + 0x8000) >> 16);
  CHECK(g.pixels[1] == (10 * 19595 + 200 * 38470 + 30 * 7471 + 0x8000) >> 16);
  const Image back = to_rgb(g);
  CHECK(back.pixels[3] == g.pixels[1]);
  CHECK(back.pixels[5] == g.pixels[1]);
}
