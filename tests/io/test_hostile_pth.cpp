// Broken and hostile .pth files (tests/fixtures/io/hostile, made by tools/io/make_fixtures.py):
// each gives a dn::Error naming the file and the fault, and nothing is ever executed.
#include <doctest/doctest.h>

#include <unistd.h>

#include "tensor/io/pth.h"
#include "tests/io/helpers.h"

using namespace dn;
using namespace dn::io;

TEST_CASE("hostile pth: every fault is named") {
  struct Case {
    const char* file;
    const char* message;
  };
  const Case cases[] = {
      {"legacy.pth", "not a readable zip archive"},
      {"truncated.pth", "not a readable zip archive"},
      {"no_pickle.pth", "without <name>/data.pkl"},
      {"missing_storage.pth", "no entry 'plain/data/0'"},
      {"short_storage.pth", "storage '0' should hold 12 float32 (48 bytes) but its entry has 44 bytes"},
      {"bzip2.pth", "compression method 12 (only stored and deflate are supported)"},
      {"big_endian.pth", "byteorder is 'big'"},
      {"bad_crc.pth", "CRC"},
      {"view_out_of_range.pth", "reaches past the end of storage '0' (4 elements)"},
      {"offset_out_of_range.pth", "at offset 3 reaches past the end"},
      {"absurd_size.pth", "absurd tensor size"},
      {"bad_opcode.pth", "unsupported opcode 0x81"},
      {"not_a_dict.pth", "holds a int, not a dict"},
      {"deep_dicts.pth", "nested more than 64 deep"},
      {"self_dict.pth", "the dict at 'k' appears twice"},
      {"shared_dict.pth", "the dict at 'b' appears twice"},
  };
  for (const Case& c : cases) {
    std::string path = dn::test::io_fixture(std::string("hostile/") + c.file);
    INFO(c.file, ", expecting: ", c.message);
    CHECK_THROWS_WITH_AS(read_pth(path), doctest::Contains(c.message), dn::Error);
    CHECK_THROWS_WITH_AS(read_pth(path), doctest::Contains(c.file), dn::Error);
  }
}

TEST_CASE("hostile pth: a pickle that would run os.system is refused, and runs nothing") {
  const char* marker = "/tmp/dn_io_pwned";  // what the pickled command would create
  ::unlink(marker);
  CHECK_THROWS_WITH_AS(read_pth(dn::test::io_fixture("hostile/evil_global.pth")),
                       doctest::Contains("global 'posix.system' is not allowed"), dn::Error);
  CHECK(::access(marker, F_OK) != 0);
}

TEST_CASE("hostile pth: every truncation and every flipped byte of a real file") {
  std::vector<uint8_t> good = dn::test::read_bytes(dn::test::io_fixture("views.pth"));
  for (size_t n = 0; n < good.size(); ++n) {
    INFO("truncated to ", n, " bytes");
    CHECK_THROWS_AS(parse_pth(good.data(), n, "truncated"), dn::Error);
  }
  size_t errors = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x5a;
    try {
      parse_pth(bad.data(), bad.size(), "flipped");
    } catch (const dn::Error&) {
      ++errors;
    }
  }
  MESSAGE(errors, " of ", good.size(), " single-byte corruptions detected");
  CHECK(errors > good.size() / 2);
}
