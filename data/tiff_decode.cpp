// TIFF decoding through libtiff, from memory, with Pillow's 16-to-8-bit rules (tiff_decode.h).
#include "data/tiff_decode.h"

#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <memory>
#include <vector>

#include "tensor/error.h"

namespace dn::data {
namespace {

// libtiff reads through these procedures from a byte buffer (the loader reads whole files).
struct MemoryFile {
  const uint8_t* data;
  toff_t size, pos = 0;
  std::string error;  // libtiff's last error message for this file (its handler is per file)
};

tmsize_t read_proc(thandle_t h, void* buf, tmsize_t n) {
  auto* f = static_cast<MemoryFile*>(h);
  const toff_t left = f->pos < f->size ? f->size - f->pos : 0;
  const toff_t count = std::min<toff_t>(toff_t(n), left);
  std::memcpy(buf, f->data + f->pos, size_t(count));
  f->pos += count;
  return tmsize_t(count);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) { return -1; }
toff_t seek_proc(thandle_t h, toff_t off, int whence) {
  auto* f = static_cast<MemoryFile*>(h);
  if (whence == SEEK_CUR) off += f->pos;
  else if (whence == SEEK_END) off += f->size;
  f->pos = off;
  return off;
}
int close_proc(thandle_t) { return 0; }
toff_t size_proc(thandle_t h) { return static_cast<MemoryFile*>(h)->size; }
int map_proc(thandle_t, void**, toff_t*) { return 0; }  // no mapping: libtiff reads through read_proc
void unmap_proc(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  char text[512];
  std::vsnprintf(text, sizeof text, fmt, ap);
  *static_cast<std::string*>(user) = std::string(module ? module : "libtiff") + ": " + text;
  return 1;  // handled: nothing printed
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }  // unknown tags and such: silent

using TiffPtr = std::unique_ptr<TIFF, void (*)(TIFF*)>;

// Opens from memory (file != nullptr) or from the path `name`; libtiff's messages go to *error.
TiffPtr open_tiff(MemoryFile* file, const std::string& name, std::string* error) {
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, on_error, error);
  TIFFOpenOptionsSetWarningHandlerExtR(options, on_warning, nullptr);
  TIFF* tif = file ? TIFFClientOpenExt(name.c_str(), "rm", file, read_proc, write_proc, seek_proc, close_proc,
                                       size_proc, map_proc, unmap_proc, options)
                   : TIFFOpenExt(name.c_str(), "r", options);
  TIFFOpenOptionsFree(options);
  if (!tif) fail("cannot decode '", name, "': ", error->empty() ? "not a readable TIFF" : *error);
  return TiffPtr(tif, TIFFClose);
}

struct Layout {
  uint32_t width = 0, height = 0;
  uint16_t bits = 0, samples = 0, photometric = 0, planar = PLANARCONFIG_CONTIG, format = SAMPLEFORMAT_UINT;
  bool associated_alpha = false;
  int planes() const { return planar == PLANARCONFIG_SEPARATE ? samples : 1; }
  int per_plane() const { return planar == PLANARCONFIG_SEPARATE ? 1 : samples; }
  size_t row_bytes() const { return (size_t(width) * per_plane() * bits + 7) / 8; }
};

Layout read_layout(TIFF* tif, const std::string& name) {
  Layout l;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &l.width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &l.height))
    fail("cannot decode '", name, "': the TIFF has no image size");
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &l.bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &l.samples);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &l.planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &l.format);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &l.photometric))
    fail("cannot decode '", name, "': the TIFF has no photometric interpretation");
  uint16_t extra_count = 0;
  uint16_t* extra = nullptr;
  if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra) && extra_count > 0)
    l.associated_alpha = extra[0] == EXTRASAMPLE_ASSOCALPHA;
  return l;
}

// The channels of the 8-bit image a layout becomes, or an error saying what we do not read.
int output_channels(const Layout& l, const std::string& name) {
  auto refuse = [&](const std::string& what) {
    fail("cannot decode '", name, "': ", what, " TIFFs are not supported (8- and 16-bit gray and RGB, "
         "with or without alpha, and 1-bit are); convert it to PNG");
  };
  if (l.format != SAMPLEFORMAT_UINT) refuse("float or signed-integer");
  if (l.bits != 1 && l.bits != 8 && l.bits != 16) refuse(std::to_string(l.bits) + "-bit");
  if (l.associated_alpha) refuse("premultiplied-alpha");
  const bool gray = l.photometric == PHOTOMETRIC_MINISBLACK || l.photometric == PHOTOMETRIC_MINISWHITE;
  if (gray) {
    if (l.bits == 1 && l.samples == 1) return 1;
    if (l.bits == 8 && l.samples == 1) return 1;
    if (l.bits == 8 && l.samples == 2 && l.photometric == PHOTOMETRIC_MINISBLACK) return 2;
    if (l.bits == 16 && l.samples == 1) return 1;
    refuse(std::to_string(l.bits) + "-bit gray with " + std::to_string(l.samples) + " samples per pixel");
  }
  if (l.photometric == PHOTOMETRIC_RGB && l.bits >= 8 && (l.samples == 3 || l.samples == 4)) return l.samples;
  if (l.photometric == PHOTOMETRIC_RGB) refuse(std::to_string(l.bits) + "-bit RGB with " + std::to_string(l.samples) + " samples per pixel");
  refuse("palette, CMYK, YCbCr and other colour-space (photometric " + std::to_string(l.photometric) + ")");
  return 0;
}

// The decoded rows of each plane (one plane unless the samples are stored planar).
std::vector<std::vector<uint8_t>> read_planes(TIFF* tif, const Layout& l, MemoryFile& file, const std::string& name) {
  const size_t row = l.row_bytes();
  std::vector<std::vector<uint8_t>> planes(size_t(l.planes()), std::vector<uint8_t>(row * l.height));
  auto failed = [&]() {
    fail("cannot decode '", name, "': ", file.error.empty() ? "corrupt or truncated TIFF data" : file.error);
  };
  if (TIFFIsTiled(tif)) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    if (tw == 0 || th == 0) failed();
    const size_t tile_row = (size_t(tw) * l.per_plane() * l.bits + 7) / 8;
    std::vector<uint8_t> tile(size_t(TIFFTileSize(tif)));
    if (tile.size() < tile_row * th) failed();
    for (int p = 0; p < l.planes(); ++p)
      for (uint32_t y0 = 0; y0 < l.height; y0 += th)
        for (uint32_t x0 = 0; x0 < l.width; x0 += tw) {
          if (TIFFReadTile(tif, tile.data(), x0, y0, 0, uint16_t(p)) < 0) failed();
          // Whole bytes only: 1-bit tiles would need bit shifts, and tile widths are multiples of 16.
          const size_t x_bytes = (size_t(x0) * l.per_plane() * l.bits) / 8;
          const size_t n = std::min(tile_row, row - x_bytes);
          for (uint32_t y = y0; y < std::min(l.height, y0 + th); ++y)
            std::memcpy(&planes[p][y * row + x_bytes], &tile[(y - y0) * tile_row], n);
        }
    return planes;
  }
  uint32_t rows_per_strip = 0;
  TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
  rows_per_strip = std::min(std::max(rows_per_strip, 1u), l.height);
  const uint32_t strips_per_plane = (l.height + rows_per_strip - 1) / rows_per_strip;
  for (int p = 0; p < l.planes(); ++p)
    for (uint32_t k = 0; k < strips_per_plane; ++k) {
      const uint32_t first = k * rows_per_strip, rows = std::min(rows_per_strip, l.height - first);
      const tmsize_t want = tmsize_t(rows * row);
      const tstrip_t strip = tstrip_t(uint32_t(p) * strips_per_plane + k);
      if (TIFFReadEncodedStrip(tif, strip, &planes[p][first * row], want) != want) failed();
    }
  return planes;
}

}  // namespace

bool looks_like_tiff(const uint8_t* b, size_t n) {
  if (n < 4) return false;
  return (b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0) ||
         (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43));
}

ImageInfo read_tiff_info(const std::string& path) {
  std::string error;
  TiffPtr tif = open_tiff(nullptr, path, &error);
  const Layout l = read_layout(tif.get(), path);
  return {int(l.width), int(l.height), output_channels(l, path)};
}

Image decode_tiff(const uint8_t* data, size_t size, const std::string& name) {
  MemoryFile file{data, toff_t(size), 0, {}};
  TiffPtr tif = open_tiff(&file, name, &file.error);
  const Layout l = read_layout(tif.get(), name);
  const int channels = output_channels(l, name);
  if (l.width == 0 || l.height == 0) fail("cannot decode '", name, "': the TIFF is empty (0 pixels)");
  if (int64_t(l.width) * l.height > (int64_t(1) << 28))
    fail("cannot decode '", name, "': ", l.width, "x", l.height, " pixels is too large (limit 2^28)");
  const auto planes = read_planes(tif.get(), l, file, name);
  const size_t row = l.row_bytes();
  const bool invert = l.photometric == PHOTOMETRIC_MINISWHITE && l.bits <= 8;  // Pillow's "L;I" and "1;I"

  Image image(int(l.width), int(l.height), channels);
  for (uint32_t y = 0; y < l.height; ++y)
    for (uint32_t x = 0; x < l.width; ++x)
      for (int c = 0; c < channels; ++c) {
        const int plane = l.planar == PLANARCONFIG_SEPARATE ? c : 0;
        const size_t index = size_t(x) * l.per_plane() + (l.planar == PLANARCONFIG_SEPARATE ? 0 : c);
        const uint8_t* r = &planes[plane][y * row];
        uint8_t v;
        if (l.bits == 1) {
          v = ((r[index / 8] >> (7 - index % 8)) & 1) ? 255 : 0;
        } else if (l.bits == 8) {
          v = r[index];
        } else {
          uint16_t s;  // libtiff has already swapped the bytes into the machine's order
          std::memcpy(&s, r + 2 * index, 2);
          v = channels == 1 ? uint8_t(std::min<int>(s, 255)) : uint8_t(s >> 8);  // clip gray, high byte of RGB
        }
        image.at(int(x), int(y))[c] = invert ? uint8_t(255 - v) : v;
      }
  return image;
}

}  // namespace dn::data
