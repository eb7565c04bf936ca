// JPEG decoding through libjpeg-turbo, set up as Pillow sets it up (internal to data/).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "data/image.h"

namespace dn::data {

// Decodes a baseline or progressive JPEG: 1 component gives a gray image, 3 components an
// RGB image (libjpeg converts YCbCr with its accurate integer IDCT and fancy upsampling,
// the defaults Pillow keeps). CMYK/YCCK files are refused: Pillow's CMYK handling is not
// reproduced. A file that ends early is an error, as in Pillow (libjpeg itself would only
// warn and fill the rest with gray). Throws dn::Error naming `name`.
Image decode_jpeg(const uint8_t* data, size_t size, const std::string& name);

}  // namespace dn::data
