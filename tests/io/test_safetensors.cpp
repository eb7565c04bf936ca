// safetensors: round trips of every dtype, the memory map, atomic writes, and a file
// written by an independent writer (tools/io/make_fixtures.py, by hand with struct + json).
#include <doctest/doctest.h>

#include <cstring>

#include "tensor/io/checkpoint.h"
#include "tensor/io/safetensors.h"
#include "tensor/ops.h"
#include "tests/io/helpers.h"

using namespace dn;
using namespace dn::io;
using dn::test::ScratchDir;

namespace {

constexpr DType kAllDTypes[] = {DType::f32, DType::f64, DType::f16, DType::bf16, DType::f8_e4m3,
                                DType::f8_e5m2, DType::i64, DType::i32, DType::i16, DType::i8,
                                DType::u64, DType::u32, DType::u16, DType::u8, DType::bool_};

// A tensor whose bytes follow a pattern that differs per dtype (bools: 0 and 1 only).
Tensor patterned(DType dtype, const Shape& shape, int salt) {
  Tensor t = empty(shape, dtype);
  auto* p = static_cast<uint8_t*>(t.data_ptr());
  size_t n = size_t(t.numel()) * dtype_size(dtype);
  for (size_t i = 0; i < n; ++i) p[i] = dtype == DType::bool_ ? uint8_t((i + salt) % 2) : uint8_t(i * 37 + salt * 11 + 5);
  return t;
}

uint64_t header_length(const std::string& path) {
  std::vector<uint8_t> bytes = dn::test::read_bytes(path);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  return n;
}

}  // namespace

TEST_CASE("safetensors: every dtype survives a round trip, in map and copy mode") {
  ScratchDir dir;
  NamedTensors tensors;
  int salt = 0;
  for (DType d : kAllDTypes) tensors.emplace_back(std::string("t_") + dtype_name(d), patterned(d, {2, 3}, ++salt));
  tensors.emplace_back("scalar", patterned(DType::f32, {}, 99));
  tensors.emplace_back("empty", empty({0, 5}, DType::f16));
  tensors.emplace_back("odd", patterned(DType::u8, {7}, 3));  // breaks alignment for what follows
  tensors.emplace_back("after_odd", patterned(DType::f64, {3}, 4));
  std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "héllo"}};
  std::string path = dir.file("all.safetensors");
  write_safetensors(path, tensors, metadata);
  CHECK((8 + header_length(path)) % 8 == 0);

  for (ReadMode mode : {ReadMode::map, ReadMode::copy}) {
    SafetensorsContents back = read_safetensors(path, mode);
    CHECK(back.metadata == metadata);
    REQUIRE(back.tensors.size() == tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
      INFO("tensor ", tensors[i].first);
      CHECK(back.tensors[i].first == tensors[i].first);  // file order = the order written
      const Tensor& t = back.tensors[i].second;
      CHECK(t.dtype() == tensors[i].second.dtype());
      CHECK(t.shape() == tensors[i].second.shape());
      CHECK(t.is_contiguous());
      CHECK(reinterpret_cast<uintptr_t>(t.data_ptr()) % dtype_size(t.dtype()) == 0);
      CHECK(dn::test::raw_bytes(t) == dn::test::raw_bytes(tensors[i].second));
    }
  }
}

TEST_CASE("safetensors: non-contiguous tensors are written contiguous, with their values") {
  ScratchDir dir;
  Tensor base = from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4});
  Tensor transposed = kernel::transpose(base, 0, 1);
  Tensor column = kernel::narrow(base, 1, 1, 2);
  write_safetensors(dir.file("v.safetensors"), {{"transposed", transposed}, {"column", column}});
  TensorMap back = to_map(read_safetensors(dir.file("v.safetensors")).tensors, "v");
  CHECK(back.at("transposed").shape() == Shape{4, 3});
  CHECK(to_vector<float>(back.at("transposed")) == to_vector<float>(transposed));
  CHECK(to_vector<float>(back.at("column")) == std::vector<float>{1, 2, 5, 6, 9, 10});
}

TEST_CASE("safetensors: map mode views the file without copying, and never changes it") {
  ScratchDir dir;
  std::string path = dir.file("m.safetensors");
  write_safetensors(path, {{"a", patterned(DType::f32, {64}, 1)}, {"b", patterned(DType::i64, {8}, 2)}});
  std::vector<uint8_t> original = dn::test::read_bytes(path);

  size_t before = cpu_memory_stats().allocations;
  Tensor a = to_map(read_safetensors(path, ReadMode::map).tensors, path).at("a");
  CHECK(cpu_memory_stats().allocations == before);  // no tensor memory was allocated
  size_t before_copy = cpu_memory_stats().allocations;
  read_safetensors(path, ReadMode::copy);
  CHECK(cpu_memory_stats().allocations == before_copy + 2);

  // The mapping outlives the file's name and the contents object.
  std::vector<uint8_t> expected = dn::test::raw_bytes(a);
  REQUIRE(::unlink(path.c_str()) == 0);
  CHECK(dn::test::raw_bytes(a) == expected);
  // Writing to a mapped tensor is private to this process.
  dn::test::write_bytes_to(path, original);
  Tensor mapped = to_map(read_safetensors(path, ReadMode::map).tensors, path).at("a");
  kernel::fill_(mapped, 42.0);
  CHECK(to_vector<float>(mapped)[0] == 42.0f);
  CHECK(dn::test::read_bytes(path) == original);
}

TEST_CASE("safetensors: a failed write leaves the old file intact and no temporary behind") {
  ScratchDir dir;
  std::string path = dir.file("w.safetensors");
  write_safetensors(path, {{"x", full({3}, 1.0)}});
  std::vector<uint8_t> good = dn::test::read_bytes(path);

  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"x", full({3}, 2.0)}, {"x", full({3}, 3.0)}}),
                       doctest::Contains("'x' occurs twice"), dn::Error);
  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"__metadata__", full({1}, 2.0)}}),
                       doctest::Contains("cannot name a tensor"), dn::Error);
  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"u", Tensor()}}), doctest::Contains("undefined"), dn::Error);
  CHECK(dn::test::read_bytes(path) == good);
  CHECK(dir.entries() == std::vector<std::string>{"w.safetensors"});

  CHECK_THROWS_WITH_AS(write_safetensors(dir.file("no/such/dir.safetensors"), {{"x", full({1}, 1.0)}}),
                       doctest::Contains("no/such/dir.safetensors"), dn::Error);

  // A successful overwrite replaces the content completely.
  write_safetensors(path, {{"y", full({2}, 5.0)}});
  TensorMap back = to_map(read_safetensors(path).tensors, path);
  CHECK(back.size() == 1);
  CHECK(to_vector<float>(back.at("y")) == std::vector<float>{5, 5});
  CHECK(dir.entries() == std::vector<std::string>{"w.safetensors"});
}

TEST_CASE("safetensors: a file from an independent writer (unpadded, keys out of data order)") {
  nlohmann::json expected = dn::test::read_json(dn::test::io_fixture("independent.json"));
  for (ReadMode mode : {ReadMode::map, ReadMode::copy}) {
    SafetensorsContents file = read_safetensors(dn::test::io_fixture("independent.safetensors"), mode);
    CHECK(nlohmann::json(file.metadata) == expected["metadata"]);
    REQUIRE(file.tensors.size() == expected["tensors"].size());
    for (size_t i = 0; i < file.tensors.size(); ++i) {
      CHECK(file.tensors[i].first == expected["order"][i].get<std::string>());
      CHECK(file.tensors[i].first == expected["tensors"][i]["name"].get<std::string>());
      dn::test::check_tensor(file.tensors[i].second, expected["tensors"][i]);
      CHECK(reinterpret_cast<uintptr_t>(file.tensors[i].second.data_ptr()) %
                dtype_size(file.tensors[i].second.dtype()) == 0);
    }
  }
}

TEST_CASE("read_checkpoint tells safetensors and .pth apart by content") {
  NamedTensors st = read_checkpoint(dn::test::io_fixture("independent.safetensors"));
  CHECK(st.size() == 18);
  NamedTensors pth = read_checkpoint(dn::test::io_fixture("plain.pth"));
  CHECK(pth.size() == 12);
  CHECK(pth.front().first == "f32");
  CHECK_THROWS_WITH_AS(read_checkpoint(dn::test::io_fixture("hostile/legacy.pth")),
                       doctest::Contains("legacy"), dn::Error);
  CHECK_THROWS_WITH_AS(read_checkpoint(dn::test::io_fixture("does_not_exist.safetensors")),
                       doctest::Contains("does_not_exist.safetensors"), dn::Error);
}
