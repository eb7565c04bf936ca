// JPEG decoding with libjpeg(-turbo).
//
// libjpeg reports fatal errors through a callback that must not return. The classic C
// answer is setjmp/longjmp: the callback jumps back to the decoding function, which then
// cleans up. That is safe here because the only frames skipped by the jump are libjpeg's
// own C frames; every C++ object with a destructor lives in the frame that called setjmp.
#include "data/jpeg_decode.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <jpeglib.h>
#include <jerror.h>

#include "tensor/error.h"

namespace dn::data {
namespace {

struct ErrorState {
  jpeg_error_mgr mgr;           // must stay first: libjpeg sees a jpeg_error_mgr*
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {0};
  bool truncated = false;       // libjpeg warned that the data ended early
};

void on_fatal_error(j_common_ptr cinfo) {
  auto* state = reinterpret_cast<ErrorState*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, state->message);
  std::longjmp(state->jump, 1);
}

// Warnings (msg_level -1) are ignored as Pillow ignores them, except "premature end of
// JPEG file", which Pillow reports as "image file is truncated".
void on_message(j_common_ptr cinfo, int msg_level) {
  auto* state = reinterpret_cast<ErrorState*>(cinfo->err);
  if (msg_level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) state->truncated = true;
}

}  // namespace

Image decode_jpeg(const uint8_t* data, size_t size, const std::string& name) {
  jpeg_decompress_struct cinfo;
  ErrorState err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_fatal_error;
  err.mgr.emit_message = on_message;
  Image image;  // constructed before setjmp: the jump never skips its destructor

  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    fail("cannot decode '", name, "': not a valid JPEG (", err.message, ")");
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);

  const int components = cinfo.num_components;
  if (components == 1) {
    cinfo.out_color_space = JCS_GRAYSCALE;
  } else if (components == 3) {
    cinfo.out_color_space = JCS_RGB;
  } else {
    jpeg_destroy_decompress(&cinfo);
    fail("cannot decode '", name, "': JPEG with ", components,
         " components (CMYK/YCCK) is not supported; convert it to RGB");
  }
  // Pillow's defaults, spelled out so that a reader sees what is being matched.
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;

  jpeg_start_decompress(&cinfo);
  const int w = int(cinfo.output_width), h = int(cinfo.output_height);
  const int c = int(cinfo.output_components);
  image.width = w;
  image.height = h;
  image.channels = c;
  image.pixels.resize(size_t(w) * h * c);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = image.pixels.data() + size_t(cinfo.output_scanline) * w * c;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  if (err.truncated) fail("cannot decode '", name, "': the JPEG file is truncated");
  return image;
}

}  // namespace dn::data
