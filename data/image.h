// An 8-bit image in memory, and reading/writing image files.
//
// Decoding follows what the reference does with `PIL.Image.open(p).convert('RGB')`, so the
// pixels we feed the network are the pixels Pillow would have produced:
//   - JPEG goes through libjpeg-turbo (the library Pillow itself links, with the same
//     defaults: accurate integer IDCT, fancy upsampling). stb_image's own JPEG decoder
//     rounds differently: on the magnetic-tile set it differs from Pillow in 0.26 % of the
//     bytes (by ±1), in every one of the 1 344 images, which the resize then spreads.
//   - PNG and BMP go through stb_image, which for these formats produces Pillow's bytes.
//   - TIFF goes through libtiff (tiff_decode.h), 16-bit samples reduced as Pillow does.
//   - Channel conversions use Pillow's rules (see to_rgb / to_gray below).
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

// Decodes PNG (1 to 16 bit), JPEG, BMP or TIFF (1, 8 and 16 bit). want_channels = 3 gives RGB as Pillow's
// convert('RGB') does (gray and palette replicated); 1 gives one channel (masks);
// 0 keeps the channels as stored (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
// Throws dn::Error naming the file when it is missing, truncated or not an image.
Image read_image(const std::string& path, int want_channels);

// The same from bytes already in memory; `name` is used in error messages.
Image decode_image(const std::vector<uint8_t>& bytes, const std::string& name, int want_channels);

// Size and stored channel count from the file header only (cheap: used to check that a
// mask matches its image without decoding either). Throws dn::Error naming the file.
struct ImageInfo {
  int width = 0, height = 0, channels = 0;
};
ImageInfo read_image_info(const std::string& path);

// Pillow's conversions of an image with 1..4 channels (1 L, 2 LA, 3 RGB, 4 RGBA):
//   to_rgb: L and LA replicate the gray value, RGBA drops alpha (no compositing onto a
//           background: convert('RGB') does not composite either).
//   to_gray: RGB and RGBA use Pillow's ITU-R 601-2 luma in 16-bit fixed point,
//           L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16; LA drops alpha.
Image to_rgb(const Image& image);
Image to_gray(const Image& image);

// PNG bytes of an image (1, 2, 3 or 4 channels).
std::vector<uint8_t> encode_png(const Image& image);

// Writes a PNG atomically (temporary file, then rename). Throws dn::Error on failure.
void write_png(const std::string& path, const Image& image);

}  // namespace dn::data
