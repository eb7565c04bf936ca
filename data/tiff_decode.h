// TIFF through libtiff, converted to 8 bits as Pillow converts what it opens:
//   8-bit gray (min-is-black or min-is-white), gray+alpha, RGB, RGBA: as stored
//     (min-is-white inverted, as Pillow's "L;I" does);
//   1-bit: 0 or 255 (min-is-white inverted);
//   16-bit gray: *clipped* to 255 (Pillow opens it as "I;16", and convert('RGB') /
//     convert('L') clip; Pillow ignores min-is-white here, and so do we);
//   16-bit RGB and RGBA: the high byte of each sample (Pillow's "RGB;16" unpackers).
// Strips or tiles, any compression libtiff reads, either byte order, either planar
// configuration. Refused with an error naming the file: palette, CMYK, YCbCr and other
// colour spaces, premultiplied alpha, float or signed samples, and other bit depths.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "data/image.h"

namespace dn::data {

// True when the bytes start like a TIFF ("II*\0", "MM\0*", or BigTIFF's "II+\0", "MM\0+").
bool looks_like_tiff(const uint8_t* data, size_t size);

Image decode_tiff(const uint8_t* data, size_t size, const std::string& name);
// Size and channels from the file's header (libtiff reads the directory, not the pixels).
ImageInfo read_tiff_info(const std::string& path);

}  // namespace dn::data
