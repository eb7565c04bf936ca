#include "data/pfm.h"

#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tensor/error.h"
#include "tensor/io/atomic_file.h"

namespace dn::data {

namespace {

constexpr bool kLittleEndian = std::endian::native == std::endian::little;

uint32_t swap_bytes(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

// One float's bytes in the requested order.
void put_float(float v, bool little_endian, unsigned char* out) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  if (little_endian != kLittleEndian) bits = swap_bytes(bits);
  std::memcpy(out, &bits, 4);
}

float get_float(const unsigned char* in, bool little_endian) {
  uint32_t bits;
  std::memcpy(&bits, in, 4);
  if (little_endian != kLittleEndian) bits = swap_bytes(bits);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

}  // namespace

void write_pfm(const std::string& path, const FloatMap& map) {
  DN_CHECK(map.width > 0 && map.height > 0 && map.values.size() == size_t(map.width) * size_t(map.height), path,
           ": a PFM of ", map.width, " x ", map.height, " cannot hold ", map.values.size(), " values");
  const std::string header = "Pf\n" + std::to_string(map.width) + " " + std::to_string(map.height) + "\n-1\n";
  std::vector<unsigned char> row(size_t(map.width) * 4);
  io::write_file_atomic(path, [&](std::FILE* f) {
    io::write_bytes(f, header.data(), header.size(), path);
    for (int y = map.height - 1; y >= 0; --y) {  // the format stores the bottom row first
      const float* src = map.values.data() + size_t(y) * map.width;
      for (int x = 0; x < map.width; ++x) put_float(src[x], /*little_endian*/ true, &row[size_t(x) * 4]);
      io::write_bytes(f, row.data(), row.size(), path);
    }
  });
}

FloatMap read_pfm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  DN_CHECK(in.good(), path, ": cannot open (missing or unreadable)");
  std::string magic;
  FloatMap map;
  double scale = 0;
  in >> magic;
  DN_CHECK(in.good() && magic == "Pf", path, ": not a grayscale PFM (the file must start with \"Pf\")");
  in >> map.width >> map.height >> scale;
  DN_CHECK(!in.fail(), path, ": PFM header unreadable (expected width, height and scale)");
  DN_CHECK(map.width > 0 && map.height > 0 && map.width <= (1 << 16) && map.height <= (1 << 16), path,
           ": PFM size ", map.width, " x ", map.height, " out of range (1 .. 65536 each)");
  DN_CHECK(scale != 0, path, ": PFM scale is 0 (its sign gives the byte order)");
  DN_CHECK(std::isspace(in.get()), path, ": PFM header not followed by one whitespace character");
  const size_t count = size_t(map.width) * size_t(map.height);
  std::vector<unsigned char> bytes(count * 4);
  in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
  DN_CHECK(size_t(in.gcount()) == bytes.size(), path, ": PFM truncated: ", in.gcount(), " bytes of data, expected ",
           bytes.size());
  const bool little_endian = scale < 0;
  map.values.resize(count);
  for (int y = 0; y < map.height; ++y) {  // file row y is image row height - 1 - y
    const unsigned char* src = bytes.data() + size_t(y) * map.width * 4;
    float* dst = map.values.data() + size_t(map.height - 1 - y) * map.width;
    for (int x = 0; x < map.width; ++x) dst[x] = get_float(src + size_t(x) * 4, little_endian);
  }
  return map;
}

}  // namespace dn::data
