// File-system helpers: std::filesystem with every failure turned into a dn::Error that
// names the path (std::filesystem's own exceptions would leak through as std::exceptions
// with less readable messages).
#include "data/files.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "tensor/error.h"
#include "tensor/io/atomic_file.h"

namespace dn::data {
namespace fs = std::filesystem;

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail("cannot read '", path, "': it is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open '", path, "': ", std::strerror(errno));
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) fail("cannot read '", path, "': size unknown");
  in.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
    fail("cannot read '", path, "': short read");
  return bytes;
}

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  io::write_file_atomic(path, [&](std::FILE* f) { io::write_bytes(f, bytes.data(), bytes.size(), path); });
}

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  if (!ext.empty() && ext[0] == '.') ext.erase(0, 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

std::string file_stem(const std::string& path) { return fs::path(path).stem().string(); }

std::string base_name(const std::string& path) {
  fs::path p(path);
  while (!p.empty() && p.filename().empty()) p = p.parent_path();  // "a/b/" -> "a/b"
  std::string name = p.filename().string();
  if (name == "." || name == "..") name = fs::absolute(p).lexically_normal().filename().string();
  if (name.empty()) name = fs::absolute(p).lexically_normal().parent_path().filename().string();
  return name;
}

std::string join_path(const std::string& a, const std::string& b) {
  return (fs::path(a) / fs::path(b)).string();
}

bool has_image_extension(const std::string& path) {
  const std::string ext = lower_extension(path);
  return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp" || ext == "tif" || ext == "tiff";
}

bool has_unsupported_image_extension(const std::string& path) {
  const std::string ext = lower_extension(path);
  for (const char* e : {"webp", "gif", "jp2", "j2k", "heic", "avif", "jxl",
                        "pgm", "ppm", "pnm", "tga", "exr", "hdr", "ico"})
    if (ext == e) return true;
  return false;
}

bool is_directory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

void make_directories(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) fail("cannot create folder '", path, "': ", ec.message());
}

bool is_regular_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

namespace {

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// The entries of a folder, or a dn::Error naming it.
std::vector<fs::directory_entry> entries_of(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) fail("folder '", dir, "' does not exist");
  if (!fs::is_directory(dir, ec)) fail("'", dir, "' is not a folder");
  std::vector<fs::directory_entry> out;
  fs::directory_iterator it(dir, ec), end;
  if (ec) fail("cannot list folder '", dir, "': ", ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) fail("cannot list folder '", dir, "': ", ec.message());
    out.push_back(*it);
  }
  return out;
}

}  // namespace

std::vector<std::string> list_subdirectories(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : entries_of(dir)) {
    std::error_code ec;
    if (!hidden(e.path()) && e.is_directory(ec)) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> list_image_files(const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& e : entries_of(dir)) {
    std::error_code ec;
    if (hidden(e.path()) || !e.is_regular_file(ec)) continue;
    const std::string p = e.path().string();
    if (has_unsupported_image_extension(p))
      fail("'", p, "': ", lower_extension(p),
           " images are not supported (PNG, JPEG, BMP and TIFF are); convert the data set to PNG");
    if (has_image_extension(p)) paths.push_back(p);
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace dn::data
