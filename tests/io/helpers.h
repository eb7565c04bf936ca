// Shared by the io tests: fixture paths, a scratch directory, and comparing a tensor with
// what the generator script (tools/io/make_fixtures.py) recorded about it.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dn::test {

std::string io_fixture(const std::string& relative);  // $DN_FIXTURES/io/<relative>
nlohmann::json read_json(const std::string& path);
std::vector<uint8_t> read_bytes(const std::string& path);
void write_bytes_to(const std::string& path, const std::vector<uint8_t>& bytes);

// A fresh directory under /tmp, removed with its contents when the object goes away.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::vector<std::string> entries() const;  // file names, sorted

 private:
  std::string path_;
};

// The tensor's dtype name, shape and every value (row-major) equal the record's; when the
// record has "stride"/"offset", those too.
void check_tensor(const Tensor& t, const nlohmann::json& record);

// The tensor's bytes, row-major (made contiguous first).
std::vector<uint8_t> raw_bytes(const Tensor& t);

}  // namespace dn::test
