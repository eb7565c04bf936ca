#include "tensor/io/zip_archive.h"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>

#include "tensor/error.h"

namespace dn::io {

struct ZipArchive::Handle {
  zip_t* zip = nullptr;
  ~Handle() {
    if (zip) zip_discard(zip);  // read-only: close without writing anything
  }
};

namespace {

// Deflate cannot expand data by more than about 1032:1; a larger claimed size is forged.
constexpr uint64_t kMaxDeflateRatio = 1032;

std::string error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

}  // namespace

ZipArchive::ZipArchive(std::unique_ptr<Handle> handle, std::string origin, uint64_t archive_size)
    : handle_(std::move(handle)), origin_(std::move(origin)), archive_size_(archive_size) {}
ZipArchive::ZipArchive(ZipArchive&&) noexcept = default;
ZipArchive& ZipArchive::operator=(ZipArchive&&) noexcept = default;
ZipArchive::~ZipArchive() = default;

ZipArchive ZipArchive::open_file(const std::string& path) {
  struct stat info {};
  DN_CHECK(::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode), path, ": cannot open (no such file)");
  int code = 0;
  auto handle = std::make_unique<Handle>();
  handle->zip = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  DN_CHECK(handle->zip, path, ": not a readable zip archive (", error_text(code), ")");
  return ZipArchive(std::move(handle), path, uint64_t(info.st_size));
}

ZipArchive ZipArchive::open_memory(const uint8_t* data, size_t size, const std::string& origin) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data, size, 0, &error);
  if (!source) {
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    fail(origin, ": ", text);
  }
  auto handle = std::make_unique<Handle>();
  handle->zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!handle->zip) {
    zip_source_free(source);  // on failure the source still belongs to us
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    fail(origin, ": not a readable zip archive (", text, ")");
  }
  zip_error_fini(&error);
  return ZipArchive(std::move(handle), origin, size);
}

std::vector<std::string> ZipArchive::names() const {
  std::vector<std::string> out;
  zip_int64_t n = zip_get_num_entries(handle_->zip, 0);
  for (zip_int64_t i = 0; i < n; ++i)
    if (const char* name = zip_get_name(handle_->zip, zip_uint64_t(i), 0)) out.emplace_back(name);
  return out;
}

bool ZipArchive::contains(const std::string& name) const {
  return zip_name_locate(handle_->zip, name.c_str(), 0) >= 0;
}

uint64_t ZipArchive::index_of(const std::string& name) const {
  zip_int64_t index = zip_name_locate(handle_->zip, name.c_str(), 0);
  DN_CHECK(index >= 0, origin_, ": the archive has no entry '", name, "'");
  return uint64_t(index);
}

uint64_t ZipArchive::entry_size(const std::string& name) const {
  zip_stat_t st;
  zip_stat_init(&st);
  DN_CHECK(zip_stat_index(handle_->zip, index_of(name), 0, &st) == 0, origin_, ": entry '", name,
           "': ", zip_strerror(handle_->zip));
  const zip_uint64_t needed = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
  DN_CHECK((st.valid & needed) == needed, origin_, ": entry '", name, "': sizes unknown");
  DN_CHECK(st.encryption_method == ZIP_EM_NONE, origin_, ": entry '", name, "' is encrypted");
  DN_CHECK(st.comp_method == ZIP_CM_STORE || st.comp_method == ZIP_CM_DEFLATE, origin_, ": entry '",
           name, "' uses compression method ", st.comp_method, " (only stored and deflate are supported)");
  DN_CHECK(st.comp_size <= archive_size_, origin_, ": entry '", name, "' claims ", st.comp_size,
           " compressed bytes in a ", archive_size_, "-byte archive");
  uint64_t limit = st.comp_method == ZIP_CM_STORE ? st.comp_size : st.comp_size * kMaxDeflateRatio + 1024;
  DN_CHECK(st.size <= limit, origin_, ": entry '", name, "' claims ", st.size, " bytes from ",
           st.comp_size, " compressed bytes, which is impossible");
  return st.size;
}

void ZipArchive::read(const std::string& name, void* dest, uint64_t size) const {
  DN_CHECK(entry_size(name) == size, origin_, ": entry '", name, "' is not ", size, " bytes");
  zip_file_t* file = zip_fopen_index(handle_->zip, index_of(name), 0);
  DN_CHECK(file, origin_, ": entry '", name, "': ", zip_strerror(handle_->zip));
  uint64_t done = 0;
  std::string problem;
  while (done < size) {
    zip_uint64_t chunk = std::min<uint64_t>(size - done, uint64_t(1) << 30);
    zip_int64_t got = zip_fread(file, static_cast<uint8_t*>(dest) + done, chunk);
    if (got <= 0) {
      problem = got < 0 ? zip_file_strerror(file) : "the entry ends early";
      break;
    }
    done += uint64_t(got);
  }
  // Reading once more reaches the end of the entry, where libzip checks the CRC-32.
  uint8_t extra;
  if (problem.empty()) {
    zip_int64_t got = zip_fread(file, &extra, 1);
    if (got < 0) problem = zip_file_strerror(file);
    if (got > 0) problem = "the entry is longer than its declared size";
  }
  zip_fclose(file);
  DN_CHECK(problem.empty(), origin_, ": entry '", name, "': ", problem);
}

std::string ZipArchive::read_text(const std::string& name, uint64_t max_size) const {
  uint64_t size = entry_size(name);
  DN_CHECK(size <= max_size, origin_, ": entry '", name, "' is ", size, " bytes, more than the ",
           max_size, " expected");
  std::string text(size_t(size), '\0');
  read(name, text.data(), size);
  return text;
}

}  // namespace dn::io
