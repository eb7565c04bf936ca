// The one translation unit that compiles stb_image and stb_image_write (single-header
// libraries: the implementation is emitted where the macro is defined, and must be
// emitted exactly once in the program). Only the decoders we use are compiled: PNG and
// BMP for pixels, JPEG for header-only size queries (JPEG pixels come from libjpeg-turbo,
// see jpeg_decode.cpp). stb keeps its failure reason in a thread_local under C++11, so
// loader threads may decode concurrently.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_JPEG
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#include <stb_image.h>
#include <stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
