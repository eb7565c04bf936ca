// Image decoding and encoding: format detection by content, the decoder per format, and
// Pillow's channel conversions. See image.h for why JPEG goes through libjpeg-turbo.
#include "data/image.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <stb_image.h>
#include <stb_image_write.h>

#include "data/files.h"
#include "data/jpeg_decode.h"
#include "data/tiff_decode.h"
#include "tensor/error.h"

namespace dn::data {
namespace {

enum class Format { png, jpeg, bmp, tiff, unknown };

// By content, not by extension: a ".png" that holds a JPEG still decodes correctly.
Format sniff(const std::vector<uint8_t>& b) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() >= 8 && std::memcmp(b.data(), kPng, 8) == 0) return Format::png;
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return Format::jpeg;
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return Format::bmp;
  if (looks_like_tiff(b.data(), b.size())) return Format::tiff;
  return Format::unknown;
}

uint32_t le32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24); }
uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }

// stb_image reads past the end of a BMP as zeros instead of failing, so a truncated BMP
// would decode "successfully" with black rows. For the uncompressed encodings the
// pixel-array size follows from the header; check the file holds it.
void check_bmp_complete(const std::vector<uint8_t>& b, const std::string& name) {
  if (b.size() < 26) fail("cannot decode '", name, "': the BMP file is truncated (header)");
  const uint32_t pixel_offset = le32(&b[10]);
  const uint32_t header_size = le32(&b[14]);
  int64_t width, height;
  int bpp;
  uint32_t compression = 0;
  if (header_size == 12) {  // OS/2 BITMAPCOREHEADER
    width = le16(&b[18]);
    height = le16(&b[20]);
    bpp = le16(&b[24]);
  } else {
    if (b.size() < 34) fail("cannot decode '", name, "': the BMP file is truncated (header)");
    width = int32_t(le32(&b[18]));
    height = int32_t(le32(&b[22]));
    bpp = le16(&b[28]);
    compression = le32(&b[30]);
  }
  const bool uncompressed = compression == 0 || compression == 3 || compression == 6;
  if (!uncompressed || width <= 0 || bpp <= 0) return;  // stb validates the rest
  const int64_t row_bytes = ((width * bpp + 31) / 32) * 4;
  const int64_t needed = int64_t(pixel_offset) + row_bytes * (height < 0 ? -height : height);
  if (int64_t(b.size()) < needed)
    fail("cannot decode '", name, "': the BMP file is truncated (", b.size(), " bytes, ",
         needed, " needed)");
}

// stb's reason for the last failure on this thread, never empty.
std::string stb_reason() {
  const char* r = stbi_failure_reason();
  return r && *r ? r : "unreadable data";
}

// Wraps an stb result (freed with stbi_image_free) into an Image.
Image from_stb(uint8_t* data, int w, int h, int c) {
  Image image(w, h, c);
  std::memcpy(image.pixels.data(), data, image.pixels.size());
  stbi_image_free(data);
  return image;
}

Image decode_png(const std::vector<uint8_t>& b, const std::string& name) {
  const int n = int(b.size());
  // IHDR is always the first chunk: bit depth at byte 24, colour type at byte 25.
  if (b.size() >= 26 && b[24] == 16 && b[25] == 0) {
    // 16-bit grayscale: Pillow opens it in mode "I" (32-bit integers), and convert('RGB')
    // or convert('L') then *clip* each value to 255 rather than scaling it. We reproduce
    // that, odd as it is, so that such images preprocess as in the reference. (16-bit RGB,
    // RGBA and gray+alpha keep the high byte in Pillow, which stb does as well.)
    int w, h, c;
    uint16_t* data = stbi_load_16_from_memory(b.data(), n, &w, &h, &c, 1);
    if (!data) fail("cannot decode '", name, "': ", stb_reason());
    Image image(w, h, 1);
    for (size_t i = 0; i < image.pixels.size(); ++i)
      image.pixels[i] = uint8_t(std::min<int>(data[i], 255));
    stbi_image_free(data);
    return image;
  }
  int w, h, c;
  uint8_t* data = stbi_load_from_memory(b.data(), n, &w, &h, &c, 0);
  if (!data) fail("cannot decode '", name, "': ", stb_reason(), " (corrupt or truncated PNG)");
  return from_stb(data, w, h, c);
}

Image decode_bmp(const std::vector<uint8_t>& b, const std::string& name) {
  check_bmp_complete(b, name);
  int w, h, c;
  uint8_t* data = stbi_load_from_memory(b.data(), int(b.size()), &w, &h, &c, 0);
  if (!data) fail("cannot decode '", name, "': ", stb_reason(), " (corrupt BMP)");
  return from_stb(data, w, h, c);
}

Image convert(Image image, int want_channels, const std::string& name) {
  switch (want_channels) {
    case 0: return image;
    case 1: return image.channels == 1 ? image : to_gray(image);
    case 3: return image.channels == 3 ? image : to_rgb(image);
    default: fail("read_image('", name, "'): want_channels must be 0, 1 or 3, not ", want_channels);
  }
}

}  // namespace

Image decode_image(const std::vector<uint8_t>& bytes, const std::string& name, int want_channels) {
  if (bytes.empty()) fail("cannot decode '", name, "': the file is empty");
  const Format format = sniff(bytes);
  if (format == Format::unknown)
    fail("cannot decode '", name, "': not a PNG, JPEG, BMP or TIFF image");
  if (bytes.size() > size_t(0x7fffffff)) fail("cannot decode '", name, "': file larger than 2 GiB");
  // libtiff checks the header itself, and decode_tiff the size limit below.
  if (format == Format::tiff) return convert(decode_tiff(bytes.data(), bytes.size(), name), want_channels, name);

  // Refuse absurd sizes before allocating (a corrupt header can claim 60000 x 60000).
  int w = 0, h = 0, c = 0;
  if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &w, &h, &c))
    fail("cannot decode '", name, "': ", stb_reason(), " (corrupt or truncated header)");
  if (int64_t(w) * h > (int64_t(1) << 28))
    fail("cannot decode '", name, "': ", w, "x", h, " pixels is too large (limit 2^28)");

  Image image;
  switch (format) {
    case Format::png: image = decode_png(bytes, name); break;
    case Format::jpeg: image = decode_jpeg(bytes.data(), bytes.size(), name); break;
    case Format::bmp: image = decode_bmp(bytes, name); break;
    case Format::tiff:  // decoded above
    case Format::unknown: break;
  }
  return convert(std::move(image), want_channels, name);
}

Image read_image(const std::string& path, int want_channels) {
  return decode_image(read_file_bytes(path), path, want_channels);
}

ImageInfo read_image_info(const std::string& path) {
  if (!is_regular_file(path)) fail("cannot open '", path, "': no such file");
  {
    uint8_t head[4] = {0, 0, 0, 0};
    if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
      const size_t n = std::fread(head, 1, 4, f);
      std::fclose(f);
      if (looks_like_tiff(head, n)) return read_tiff_info(path);
    }
  }
  ImageInfo info;
  if (!stbi_info(path.c_str(), &info.width, &info.height, &info.channels))
    fail("cannot read '", path, "': ", stb_reason(), " (not a PNG, JPEG, BMP or TIFF image?)");
  return info;
}

Image to_rgb(const Image& in) {
  DN_CHECK(in.channels >= 1 && in.channels <= 4, "to_rgb: image with ", in.channels, " channels");
  Image out(in.width, in.height, 3);
  const size_t n = size_t(in.width) * in.height;
  const uint8_t* s = in.pixels.data();
  uint8_t* d = out.pixels.data();
  const int c = in.channels;
  for (size_t i = 0; i < n; ++i, s += c, d += 3) {
    if (c <= 2) {
      d[0] = d[1] = d[2] = s[0];
    } else {
      d[0] = s[0]; d[1] = s[1]; d[2] = s[2];
    }
  }
  return out;
}

Image to_gray(const Image& in) {
  DN_CHECK(in.channels >= 1 && in.channels <= 4, "to_gray: image with ", in.channels, " channels");
  Image out(in.width, in.height, 1);
  const size_t n = size_t(in.width) * in.height;
  const uint8_t* s = in.pixels.data();
  const int c = in.channels;
  for (size_t i = 0; i < n; ++i, s += c) {
    out.pixels[i] = c <= 2 ? s[0]
                           : uint8_t((s[0] * 19595u + s[1] * 38470u + s[2] * 7471u + 0x8000u) >> 16);
  }
  return out;
}

std::vector<uint8_t> encode_png(const Image& image) {
  DN_CHECK(image.channels >= 1 && image.channels <= 4 && image.width > 0 && image.height > 0,
           "encode_png: cannot encode a ", image.width, "x", image.height, "x", image.channels, " image");
  DN_CHECK(image.pixels.size() == size_t(image.width) * image.height * image.channels,
           "encode_png: pixel buffer size does not match ", image.width, "x", image.height, "x",
           image.channels);
  std::vector<uint8_t> out;
  auto append = [](void* ctx, void* data, int size) {
    auto* v = static_cast<std::vector<uint8_t>*>(ctx);
    v->insert(v->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  if (!stbi_write_png_to_func(append, &out, image.width, image.height, image.channels,
                              image.pixels.data(), image.width * image.channels))
    fail("encode_png: stb_image_write failed for a ", image.width, "x", image.height, " image");
  return out;
}

void write_png(const std::string& path, const Image& image) {
  const std::vector<uint8_t> bytes = encode_png(image);
  write_file_atomic(path, bytes);
}

}  // namespace dn::data
