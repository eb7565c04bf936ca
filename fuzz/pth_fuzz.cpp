// libFuzzer target: .pth loading from memory. Any input must either load into tensors that
// lie inside their storages, or throw dn::Error. Built and run by tools/fuzz.sh.
//
// Two modes, chosen by the input:
//   starts with "PK"  the input is a whole zip archive (the zip layer, entry checks, CRCs)
//   anything else     the input is a data.pkl; a valid archive is built around it with
//                     storages "0".."3" of 0, 4, 16 and 64 bytes, so that mutations reach
//                     storage resolution and the dict flattening instead of failing a CRC
#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "fuzz/touch.h"
#include "tensor/io/pth.h"

namespace {

// Stores `entries` (name, bytes) uncompressed into a zip archive in memory.
std::vector<uint8_t> make_archive(const std::vector<std::pair<const char*, std::vector<uint8_t>>>& entries) {
  std::vector<uint8_t> out;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);  // survive zip_close, which writes the archive into it
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!archive) __builtin_trap();
  for (const auto& [name, bytes] : entries) {
    zip_source_t* s = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    zip_int64_t index = zip_file_add(archive, name, s, ZIP_FL_OVERWRITE);
    if (index < 0) __builtin_trap();
    zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_STORE, 0);
  }
  if (zip_close(archive) != 0) __builtin_trap();
  zip_source_open(buffer);
  zip_source_seek(buffer, 0, SEEK_END);
  out.resize(size_t(zip_source_tell(buffer)));
  zip_source_seek(buffer, 0, SEEK_SET);
  zip_source_read(buffer, out.data(), out.size());
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&error);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> archive;
  if (!(size >= 2 && data[0] == 'P' && data[1] == 'K')) {
    std::vector<uint8_t> storage(64);
    for (size_t i = 0; i < storage.size(); ++i) storage[i] = uint8_t(i % 2);  // valid bools too
    archive = make_archive({{"archive/data.pkl", std::vector<uint8_t>(data, data + size)},
                            {"archive/data/0", {}},
                            {"archive/data/1", std::vector<uint8_t>(storage.begin(), storage.begin() + 4)},
                            {"archive/data/2", std::vector<uint8_t>(storage.begin(), storage.begin() + 16)},
                            {"archive/data/3", storage},
                            {"archive/version", {'3', '\n'}}});
    data = archive.data();
    size = archive.size();
  }
  try {
    dn::io::PthContents file = dn::io::parse_pth(data, size, "fuzz input");
    touch_tensors(file.tensors);
  } catch (const dn::Error&) {
  }
  return 0;
}
