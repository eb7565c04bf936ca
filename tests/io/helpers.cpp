#include "tests/io/helpers.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <doctest/doctest.h>
#include <fstream>

#include "tensor/ops.h"

namespace dn::test {

std::string io_fixture(const std::string& relative) {
  const char* root = std::getenv("DN_FIXTURES");
  REQUIRE_MESSAGE(root, "DN_FIXTURES is not set (run the suite through meson test)");
  return std::string(root) + "/io/" + relative;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open ", path);
  return nlohmann::json::parse(in);
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open ", path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_bytes_to(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f);
  REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
  std::fclose(f);
}

ScratchDir::ScratchDir() {
  char name[] = "/tmp/dn_io_test.XXXXXX";
  REQUIRE(::mkdtemp(name) != nullptr);
  path_ = name;
}

ScratchDir::~ScratchDir() {
  for (const std::string& e : entries()) ::unlink(file(e).c_str());
  ::rmdir(path_.c_str());
}

std::vector<std::string> ScratchDir::entries() const {
  std::vector<std::string> out;
  if (DIR* dir = ::opendir(path_.c_str())) {
    while (dirent* e = ::readdir(dir))
      if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) out.emplace_back(e->d_name);
    ::closedir(dir);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint8_t> raw_bytes(const Tensor& t) {
  Tensor c = kernel::contiguous(t);
  const uint8_t* p = static_cast<const uint8_t*>(c.data_ptr());
  return std::vector<uint8_t>(p, p + size_t(c.numel()) * dtype_size(c.dtype()));
}

void check_tensor(const Tensor& t, const nlohmann::json& record) {
  const std::string name = record.at("name");
  INFO("tensor ", name);
  CHECK(std::string(dtype_name(t.dtype())) == record.at("dtype").get<std::string>());
  CHECK(t.shape() == record.at("shape").get<Shape>());
  if (record.contains("stride")) CHECK(t.strides() == record.at("stride").get<Shape>());
  if (record.contains("offset")) CHECK(t.offset() == record.at("offset").get<int64_t>());
  const auto& values = record.at("values");
  REQUIRE(int64_t(values.size()) == t.numel());
  if (t.dtype() == DType::u64) {  // beyond int64 and double: compare the raw words
    std::vector<uint8_t> bytes = raw_bytes(t);
    for (size_t i = 0; i < values.size(); ++i) {
      uint64_t v;
      std::memcpy(&v, bytes.data() + 8 * i, 8);
      CHECK(v == values[i].get<uint64_t>());
    }
  } else if (is_floating(t.dtype())) {
    std::vector<double> got = to_vector<double>(t);
    for (size_t i = 0; i < values.size(); ++i) CHECK(got[i] == values[i].get<double>());
  } else {
    std::vector<int64_t> got = to_vector<int64_t>(t);
    for (size_t i = 0; i < values.size(); ++i) CHECK(got[i] == values[i].get<int64_t>());
  }
}

}  // namespace dn::test
