// Small file-system helpers shared by the data layer: reading a whole file, listing the
// image files of a folder in a stable order, and telling images from other files by name.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dn::data {

// The whole file as bytes. Throws dn::Error naming the path when it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// Writes `bytes` to `path` atomically: a temporary file beside it is written, flushed to
// disk (fsync) and renamed over `path`. rename() within a folder is atomic on POSIX, so a
// reader, a crash or a full disk sees the old file or the new one, never half of one.
// Throws dn::Error naming the path; the temporary file is removed on failure.
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);

// The extension in lower case without the dot ("JPG" -> "jpg"); "" when there is none.
std::string lower_extension(const std::string& path);
// The file name without folder and extension ("a/b/000_x.png" -> "000_x").
std::string file_stem(const std::string& path);
// The last component of a path, ignoring trailing slashes ("data/bottle/" -> "bottle").
std::string base_name(const std::string& path);
std::string join_path(const std::string& a, const std::string& b);

// Extensions we decode: png, jpg, jpeg, bmp, tif, tiff (any case).
bool has_image_extension(const std::string& path);
// Extensions of image formats we cannot decode (webp, gif, ...). A data folder
// holding such files is almost certainly a user's real data in a format we lack, so the
// dataset code stops with a clear error instead of silently training on nothing.
bool has_unsupported_image_extension(const std::string& path);

bool is_directory(const std::string& path);
// Creates a folder and its parents (fine if it exists); throws dn::Error naming it.
void make_directories(const std::string& path);
bool is_regular_file(const std::string& path);

// Sorted (byte order) names of the sub-folders of `dir`, hidden ones (".x") excluded.
std::vector<std::string> list_subdirectories(const std::string& dir);
// Sorted full paths of the decodable image files directly in `dir` (not recursive).
// Files that are not images by extension are ignored; hidden files too. A file with an
// unsupported image extension throws dn::Error naming it.
std::vector<std::string> list_image_files(const std::string& dir);

}  // namespace dn::data
