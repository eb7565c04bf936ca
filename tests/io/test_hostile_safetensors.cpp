// Broken and hostile safetensors files: each gives a dn::Error naming the file and the
// fault; none crashes or allocates from an unchecked size (run under ASan/UBSan by
// tools/sanitize.sh).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "tensor/io/safetensors.h"
#include "tests/io/helpers.h"

using namespace dn;
using namespace dn::io;

namespace {

// A file: 8-byte header length (the true one unless `claimed` is given), header, data.
std::vector<uint8_t> file_with(const std::string& header, size_t data_bytes, uint64_t claimed = ~uint64_t(0)) {
  uint64_t n = claimed == ~uint64_t(0) ? header.size() : claimed;
  std::vector<uint8_t> out(8 + header.size() + data_bytes, 0);
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  return out;
}

void expect_error(const std::vector<uint8_t>& bytes, const char* message) {
  INFO("expecting: ", message);
  CHECK_THROWS_WITH_AS(parse_safetensors(bytes.data(), bytes.size(), "case.safetensors"),
                       doctest::Contains(message), dn::Error);
}

}  // namespace

TEST_CASE("hostile safetensors: every fault is named") {
  expect_error({}, "too short");
  expect_error({1, 2, 3, 4, 5}, "too short");
  expect_error(file_with("{}", 0, 1000), "header length 1000 runs past the end");
  expect_error(file_with("{}", 0, ~uint64_t(0) - 1), "runs past the end");
  expect_error(file_with("{\"a\": ", 0), "not valid JSON");
  expect_error(file_with(std::string("{}\0", 3), 0), "NUL byte");
  expect_error(file_with("[1, 2]", 0), "not a JSON object");
  expect_error(file_with(R"({"a": 3})", 0), "'a': entry is not an object");
  expect_error(file_with(R"({"a": {"shape": [1], "data_offsets": [0, 4]}})", 4), "missing 'dtype'");
  expect_error(file_with(R"({"a": {"dtype": "F32", "data_offsets": [0, 4]}})", 4), "missing 'shape'");
  expect_error(file_with(R"({"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}})", 8),
               "unknown dtype 'C64'");
  expect_error(file_with(R"({"a": {"dtype": 7, "shape": [1], "data_offsets": [0, 4]}})", 4), "dtype is not a string");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4),
               "holds -1, not a non-negative integer");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 4]}})", 4),
               "not a non-negative integer");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}})", 4),
               "absurd shape");
  expect_error(file_with(R"({"a": {"dtype": "F64", "shape": [2305843009213693952], "data_offsets": [0, 4]}})", 4),
               "byte count overflows");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [99999999999999999999], "data_offsets": [0, 4]}})", 4),
               "not a non-negative integer");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", 4), "not a pair");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", 8),
               "run past the end of the data (8 bytes)");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}})", 8), "end before they begin");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8),
               "hold 8 bytes, but shape [3] of F32 needs 12");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                             "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})", 12),
               "'a' and 'b' overlap");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                             "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})", 12),
               "bytes 4 to 8 of the data belong to no tensor");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", 8), "cover only 4");
  expect_error(file_with(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                             "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", 8),
               "names 'a' twice");
  expect_error(file_with(R"({"__metadata__": {"k": 1}})", 0), "__metadata__ entry 'k' is not a string");
  expect_error(file_with(R"({"__metadata__": [1]})", 0), "__metadata__ is not an object");
  std::vector<uint8_t> bad_bool = file_with(R"({"m": {"dtype": "BOOL", "shape": [3], "data_offsets": [0, 3]}})", 3);
  bad_bool[bad_bool.size() - 2] = 2;
  expect_error(bad_bool, "BOOL element 1 holds the byte 2");
  // The file name is in the message.
  CHECK_THROWS_WITH_AS(parse_safetensors(nullptr, 0, "weights/model.safetensors"),
                       doctest::Contains("weights/model.safetensors"), dn::Error);
}

TEST_CASE("hostile safetensors: a header larger than 100 MB is refused before it is parsed") {
  dn::test::ScratchDir dir;
  std::string path = dir.file("huge.safetensors");
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
  REQUIRE(fd >= 0);
  uint64_t claimed = 150'000'000;
  REQUIRE(::write(fd, &claimed, 8) == 8);
  REQUIRE(::ftruncate(fd, 200'000'000) == 0);  // sparse: takes no disk space
  ::close(fd);
  CHECK_THROWS_WITH_AS(read_safetensors(path), doctest::Contains("larger than the 100000000 bytes allowed"), dn::Error);
  CHECK_THROWS_WITH_AS(read_safetensors(dir.file("missing.safetensors")), doctest::Contains("missing.safetensors"),
                       dn::Error);
}

TEST_CASE("hostile safetensors: every truncation and every flipped byte of a real file") {
  std::vector<uint8_t> good = dn::test::read_bytes(dn::test::io_fixture("independent.safetensors"));
  for (size_t n = 0; n < good.size(); ++n) {
    INFO("truncated to ", n, " bytes");
    CHECK_THROWS_AS(parse_safetensors(good.data(), n, "truncated"), dn::Error);
  }
  // A flipped byte in the data is undetectable (no checksum), in the header it is an error
  // or a different valid header; either way no crash and no other exception type.
  size_t errors = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x5a;
    try {
      parse_safetensors(bad.data(), bad.size(), "flipped");
    } catch (const dn::Error&) {
      ++errors;
    }
  }
  MESSAGE(errors, " of ", good.size(), " single-byte corruptions detected");
  CHECK(errors > 0);
}
