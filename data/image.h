// An 8-bit image in memory, and reading/writing image files (stb_image, stb_image_write).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dn::data {

// Rows top to bottom, channels interleaved: pixel (x, y) channel c is
// pixels[(y * width + x) * channels + c]. channels is 1 (gray), 3 (RGB) or 4 (RGBA).
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(int w, int h, int c) : width(w), height(h), channels(c), pixels(size_t(w) * h * c, 0) {}
  uint8_t* at(int x, int y) { return &pixels[(size_t(y) * width + x) * channels]; }
  const uint8_t* at(int x, int y) const { return &pixels[(size_t(y) * width + x) * channels]; }
};

// Decodes PNG (8 and 16 bit), JPEG or BMP. want_channels = 3 gives RGB as Pillow's
// convert('RGB') does (gray and palette replicated); 1 gives one channel (masks).
// Throws dn::Error naming the file when it is missing, truncated or not an image.
Image read_image(const std::string& path, int want_channels);

// Writes a PNG atomically (temporary file, then rename). Throws dn::Error on failure.
void write_png(const std::string& path, const Image& image);

}  // namespace dn::data
