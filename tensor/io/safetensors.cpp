#include "tensor/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "tensor/io/atomic_file.h"
#include "tensor/io/mapped_file.h"
#include "tensor/ops.h"

namespace dn::io {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swaps");

using Json = nlohmann::ordered_json;  // keeps the header's keys in document order

namespace {

// The reference implementation refuses headers above 100 MB; a real one is a few hundred KB.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DTypeName {
  DType dtype;
  const char* name;
};
constexpr DTypeName kDTypeNames[] = {
    {DType::f64, "F64"},     {DType::f32, "F32"},         {DType::f16, "F16"},
    {DType::bf16, "BF16"},   {DType::f8_e4m3, "F8_E4M3"}, {DType::f8_e5m2, "F8_E5M2"},
    {DType::i64, "I64"},     {DType::i32, "I32"},         {DType::i16, "I16"},
    {DType::i8, "I8"},       {DType::u64, "U64"},         {DType::u32, "U32"},
    {DType::u16, "U16"},     {DType::u8, "U8"},           {DType::bool_, "BOOL"},
};

// One tensor's entry in the header, checked.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

class HeaderParser {
 public:
  HeaderParser(std::string origin, uint64_t data_size)
      : origin_(std::move(origin)), data_size_(data_size) {}

  template <class... Parts>
  [[noreturn]] void bad(const Parts&... parts) const {
    fail("safetensors ", origin_, ": ", parts...);
  }

  // Parses the JSON text, refusing duplicate top-level keys (JSON allows them; a header
  // with two entries for one name is corrupt).
  Json parse_json(const char* text, size_t size) {
    // nlohmann stops at a NUL byte as if the text ended there; JSON text cannot hold one.
    if (std::memchr(text, 0, size)) bad("the header contains a NUL byte");
    std::string duplicate;
    std::set<std::string> seen;
    auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
      if (depth == 1 && event == Json::parse_event_t::key && duplicate.empty() &&
          !seen.insert(parsed.get<std::string>()).second)
        duplicate = parsed.get<std::string>();
      return true;
    };
    Json header;
    try {
      header = Json::parse(text, text + size, callback);
    } catch (const Json::exception& e) {
      bad("the header is not valid JSON (", e.what(), ")");
    }
    if (!duplicate.empty()) bad("the header names '", duplicate, "' twice");
    if (!header.is_object()) bad("the header is not a JSON object");
    return header;
  }

  std::map<std::string, std::string> metadata(const Json& value) const {
    if (!value.is_object()) bad("__metadata__ is not an object");
    std::map<std::string, std::string> out;
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string()) bad("__metadata__ entry '", key, "' is not a string");
      out[key] = item.get<std::string>();
    }
    return out;
  }

  Entry entry(const std::string& name, const Json& value) const {
    if (!value.is_object()) bad("tensor '", name, "': entry is not an object");
    for (const char* field : {"dtype", "shape", "data_offsets"})
      if (!value.contains(field)) bad("tensor '", name, "': missing '", field, "'");
    Entry e{name, dtype(name, value["dtype"]), {}, 0, 0};

    const Json& shape = value["shape"];
    if (!shape.is_array()) bad("tensor '", name, "': shape is not an array");
    uint64_t numel = 1;
    for (const Json& d : shape) {
      uint64_t size = count(name, "shape", d);
      if (size > uint64_t(INT64_MAX) || __builtin_mul_overflow(numel, size, &numel))
        bad("tensor '", name, "': absurd shape ", shape.dump(), " (the element count overflows)");
      e.shape.push_back(int64_t(size));
    }
    uint64_t nbytes;
    if (__builtin_mul_overflow(numel, uint64_t(dtype_size(e.dtype)), &nbytes) || numel > uint64_t(INT64_MAX))
      bad("tensor '", name, "': absurd shape ", shape.dump(), " (the byte count overflows)");

    const Json& offsets = value["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2)
      bad("tensor '", name, "': data_offsets is not a pair [begin, end]");
    e.begin = count(name, "data_offsets", offsets[0]);
    e.end = count(name, "data_offsets", offsets[1]);
    if (e.begin > e.end) bad("tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] end before they begin");
    if (e.end > data_size_)
      bad("tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] run past the end of the data (",
          data_size_, " bytes)");
    if (e.end - e.begin != nbytes)
      bad("tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] hold ", e.end - e.begin,
          " bytes, but shape ", shape_str(e.shape), " of ", safetensors_dtype_name(e.dtype), " needs ", nbytes);
    return e;
  }

 private:
  DType dtype(const std::string& name, const Json& value) const {
    if (!value.is_string()) bad("tensor '", name, "': dtype is not a string");
    std::string text = value.get<std::string>();
    for (const DTypeName& d : kDTypeNames)
      if (text == d.name) return d.dtype;
    bad("tensor '", name, "': unknown dtype '", text, "'");
  }

  uint64_t count(const std::string& name, const char* field, const Json& value) const {
    if (!value.is_number_unsigned())
      bad("tensor '", name, "': ", field, " holds ", value.dump(), ", not a non-negative integer");
    return value.get<uint64_t>();
  }

  std::string origin_;
  uint64_t data_size_;
};

// Sorts the entries by position and checks that they tile the data buffer exactly.
void check_layout(std::vector<Entry>& entries, uint64_t data_size, const HeaderParser& p) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < covered)
      p.bad("tensors '", previous->name, "' and '", e.name, "' overlap (bytes ", e.begin, " to ",
            std::min(covered, e.end), ")");
    if (e.begin > covered) p.bad("bytes ", covered, " to ", e.begin, " of the data belong to no tensor");
    covered = e.end;
    previous = &e;
  }
  if (covered != data_size)
    p.bad("the data is ", data_size, " bytes but the tensors cover only ", covered,
          " (trailing bytes, or a truncated header)");
}

// A bool tensor must hold bytes 0 and 1 only: any other byte is not a valid C++ bool.
void check_bools(const Entry& e, const uint8_t* bytes, const HeaderParser& p) {
  for (uint64_t i = 0; i < e.end - e.begin; ++i)
    if (bytes[i] > 1) p.bad("tensor '", e.name, "': BOOL element ", i, " holds the byte ", int(bytes[i]));
}

// `mapping` keeps the bytes alive when tensors view them; null means copy everything.
SafetensorsContents parse(const uint8_t* data, size_t size, const std::string& origin,
                          const std::shared_ptr<MappedFile>& mapping) {
  HeaderParser early(origin, 0);
  if (size < 8) early.bad("the file is ", size, " bytes, too short to hold the 8-byte header length");
  uint64_t header_size = 0;
  std::memcpy(&header_size, data, 8);
  if (header_size > size - 8)
    early.bad("the header length ", header_size, " runs past the end of the file (", size, " bytes)");
  if (header_size > kMaxHeaderBytes)
    early.bad("the header length ", header_size, " is larger than the ", kMaxHeaderBytes, " bytes allowed");

  const uint8_t* buffer = data + 8 + header_size;
  uint64_t data_size = size - 8 - header_size;
  HeaderParser parser(origin, data_size);
  Json header = parser.parse_json(reinterpret_cast<const char*>(data + 8), header_size);

  SafetensorsContents out;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__")
      out.metadata = parser.metadata(value);
    else
      entries.push_back(parser.entry(key, value));
  }
  check_layout(entries, data_size, parser);

  for (const Entry& e : entries) {
    const uint8_t* bytes = buffer + e.begin;
    size_t nbytes = size_t(e.end - e.begin);
    if (e.dtype == DType::bool_) check_bools(e, bytes, parser);
    bool aligned = reinterpret_cast<uintptr_t>(bytes) % dtype_size(e.dtype) == 0;
    std::shared_ptr<Storage> storage;
    if (mapping && aligned) {
      // The deleter owns a reference to the mapping: the last tensor to go unmaps it.
      storage = Storage::wrap(const_cast<uint8_t*>(bytes), nbytes, Device::cpu(),
                              [mapping](void*) {});
    } else {
      storage = Storage::allocate(nbytes, Device::cpu());
      if (nbytes) std::memcpy(storage->data(), bytes, nbytes);
    }
    out.tensors.emplace_back(e.name, make_view(storage, e.shape, contiguous_strides(e.shape), 0, e.dtype));
  }
  return out;
}

}  // namespace

const char* safetensors_dtype_name(DType dtype) {
  for (const DTypeName& d : kDTypeNames)
    if (d.dtype == dtype) return d.name;
  fail("safetensors: dtype ", dtype_name(dtype), " has no safetensors name");
}

SafetensorsContents parse_safetensors(const uint8_t* data, size_t size, const std::string& origin) {
  return parse(data, size, origin, nullptr);
}

SafetensorsContents read_safetensors(const std::string& path, ReadMode mode) {
  std::shared_ptr<MappedFile> file = MappedFile::open(path);
  return parse(file->data(), file->size(), path, mode == ReadMode::map ? file : nullptr);
}

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> contiguous;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    DN_CHECK(tensor.defined(), "write_safetensors ", path, ": tensor '", name, "' is undefined");
    DN_CHECK(name != "__metadata__", "write_safetensors ", path, ": '__metadata__' cannot name a tensor");
    DN_CHECK(names.insert(name).second, "write_safetensors ", path, ": tensor name '", name, "' occurs twice");
    Tensor c = kernel::contiguous(kernel::to(tensor, Device::cpu()));
    uint64_t nbytes = uint64_t(c.numel()) * dtype_size(c.dtype());
    header[name] = {{"dtype", safetensors_dtype_name(c.dtype())},
                    {"shape", c.shape()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    contiguous.push_back(c);
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception& e) {  // a name or metadata string that is not UTF-8
    fail("write_safetensors ", path, ": ", e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // 8 + header length: a multiple of 8

  write_file_atomic(path, [&](std::FILE* out) {
    uint64_t header_size = text.size();
    write_bytes(out, &header_size, 8, path);
    write_bytes(out, text.data(), text.size(), path);
    for (const Tensor& c : contiguous)
      write_bytes(out, c.data_ptr(), size_t(c.numel()) * dtype_size(c.dtype()), path);
  });
}

}  // namespace dn::io
