// Helpers for the data tests: where the fixtures are, CRC-32 of bytes (the fixtures store
// hashes of large expected outputs), the procedural source images that
// tests/fixtures/data/generate.py also builds, and a scratch folder per test.
#pragma once
#include <cstdint>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "data/image.h"
#include "tensor/error.h"

namespace dn::data::test {

inline std::string fixture_dir() {
  const char* env = std::getenv("DN_FIXTURES");
  return std::string(env ? env : "tests/fixtures") + "/data";
}

inline std::string fixture(const std::string& name) { return fixture_dir() + "/" + name; }

// The real data sets live beside the repository (tests/meson.build sets DN_SHARED_DATA).
inline std::string shared_data(const std::string& name) {
  const char* env = std::getenv("DN_SHARED_DATA");
  return env ? std::string(env) + "/" + name : std::string();
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  return lines;
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// zlib's CRC-32, as Python's zlib.crc32, printed as 8 hex digits.
inline std::string crc32_hex(const void* data, size_t size) {
  static uint32_t table[256];
  static bool ready = false;
  if (!ready) {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    ready = true;
  }
  uint32_t crc = 0xFFFFFFFFu;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", crc ^ 0xFFFFFFFFu);
  return buf;
}

// The procedural source of generate.py (see its docstring).
inline Image procedural(int w, int h, int channels) {
  Image img(w, h, channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const uint32_t hh = (uint32_t(x) * 73856093u) ^ (uint32_t(y) * 19349663u);
      const int c0 = int((uint64_t(x) * 255) / uint64_t(w - 1 > 1 ? w - 1 : 1));
      const int c1 = int((hh >> 8) & 255);
      const int c2 = ((x / 7 + y / 5) % 2 == 1) ? 255 : 0;
      uint8_t* p = img.at(x, y);
      if (channels == 3) {
        p[0] = uint8_t(c0); p[1] = uint8_t(c1); p[2] = uint8_t(c2);
      } else {
        p[0] = uint8_t((c0 + c1 + c2) / 3);
      }
    }
  return img;
}

// A fresh empty folder under the system temp dir, removed when the object goes away.
struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& tag) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("dn-data-test-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& rel) const { return (path / rel).string(); }
};

inline void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline void write_raw(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              std::streamsize(bytes.size()));
}

// The message of the dn::Error that f throws; "" when it throws none.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dn::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace dn::data::test
