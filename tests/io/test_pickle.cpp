// The restricted unpickler on hand-written programs: what it builds, and what it refuses.
#include <doctest/doctest.h>

#include <string>

#include "tensor/io/pickle.h"
#include "tensor/error.h"

using namespace dn::io::pickle;
using namespace std::string_literals;  // "..."s keeps embedded NUL bytes

namespace {

Document run(const std::string& program) {
  return unpickle(reinterpret_cast<const uint8_t*>(program.data()), program.size(), "test");
}

// BINUNICODE with its 4-byte length.
std::string binunicode(const std::string& s) {
  std::string out = "X";
  uint32_t n = uint32_t(s.size());
  out.append(reinterpret_cast<const char*>(&n), 4);
  return out + s;
}

const std::string kProto = std::string("\x80\x02", 2);

}  // namespace

TEST_CASE("pickle: scalars, strings, containers and the memo") {
  // {'a': 7, 'b': (1.5, None, True), 'c': [300, -2], 'd': 'a'}  with 'a' stored in memo 0.
  std::string program = kProto + "}(" + binunicode("a") + "q\x00"s + "K\x07" + binunicode("b") +
                        "G\x3f\xf8\x00\x00\x00\x00\x00\x00"s + "N\x88\x87" + binunicode("c") + "]" +
                        "(M\x2c\x01J\xfe\xff\xff\xff" + "e" + binunicode("d") + "h\x00"s + "u.";
  Document doc = run(program);
  REQUIRE(doc.root.kind == Kind::dict);
  const auto& entries = doc.entries(doc.root);
  REQUIRE(entries.size() == 4);
  CHECK(doc.text(entries[0].first) == "a");
  CHECK(entries[0].second.kind == Kind::integer);
  CHECK(entries[0].second.number == 7);
  const auto& tuple = doc.items(entries[1].second);
  REQUIRE(tuple.size() == 3);
  CHECK(tuple[0].real == 1.5);
  CHECK(tuple[1].kind == Kind::none);
  CHECK(tuple[2].kind == Kind::boolean);
  const auto& list = doc.items(entries[2].second);
  REQUIRE(list.size() == 2);
  CHECK(list[0].number == 300);
  CHECK(list[1].number == -2);
  CHECK(doc.text(entries[3].second) == "a");  // BINGET fetched the memoised string
}

TEST_CASE("pickle: LONG1 integers, sign-extended") {
  Document doc = run(kProto + "\x8a\x02\xff\x7f.");
  CHECK(doc.root.number == 0x7fff);
  doc = run(kProto + "\x8a\x01\xff.");
  CHECK(doc.root.number == -1);
  doc = run(kProto + "\x8a\x00."s);
  CHECK(doc.root.number == 0);
  CHECK_THROWS_WITH_AS(run(kProto + "\x8a\x09" + std::string(9, '\x01') + "."), doctest::Contains("64 bits"),
                       dn::Error);
}

TEST_CASE("pickle: a storage shared by two tensors is recorded once") {
  auto tensor = [](const std::string& offset) {
    return std::string("ctorch._utils\n_rebuild_tensor_v2\n(") + "(" + binunicode("storage") +
           "ctorch\nFloatStorage\n" + binunicode("0") + binunicode("cpu") + "K\x06tQ" + offset + "K\x02\x85K\x01\x85\x89}tR";
  };
  std::string program = kProto + "}(" + binunicode("x") + tensor("K\x00"s) + binunicode("y") + tensor("K\x04") + "u.";
  Document doc = run(program);
  REQUIRE(doc.storages.size() == 1);
  CHECK(doc.storages[0].numel == 6);
  CHECK(doc.storages[0].dtype == dn::DType::f32);
  REQUIRE(doc.tensors.size() == 2);
  CHECK(doc.tensors[1].offset == 4);
  CHECK(doc.tensors[1].shape == dn::Shape{2});
  // A view that would read element 6 of 6 is refused.
  CHECK_THROWS_WITH_AS(run(kProto + "}(" + binunicode("x") + tensor("K\x05") + "u."),
                       doctest::Contains("reaches past the end of storage '0'"), dn::Error);
}

TEST_CASE("pickle: globals outside the whitelist are refused by name, never called") {
  CHECK_THROWS_WITH_AS(run(kProto + "cposix\nsystem\n" + binunicode("echo pwned") + "\x85R."),
                       doctest::Contains("global 'posix.system' is not allowed"), dn::Error);
  CHECK_THROWS_WITH_AS(run(kProto + "c__builtin__\neval\n."), doctest::Contains("'__builtin__.eval'"), dn::Error);
  CHECK_THROWS_WITH_AS(run(kProto + binunicode("builtins") + binunicode("exec") + "\x93."), doctest::Contains("'builtins.exec'"),
                       dn::Error);
  // Whitelisted names still cannot be called in ways they are not meant to be.
  CHECK_THROWS_WITH_AS(run(kProto + "ctorch\nFloatStorage\n)R."), doctest::Contains("cannot be called"), dn::Error);
  CHECK_THROWS_WITH_AS(run(kProto + "ccollections\nOrderedDict\nK\x01\x85R."), doctest::Contains("with arguments"),
                       dn::Error);
  CHECK_THROWS_WITH_AS(run(kProto + binunicode("x") + ")R."), doctest::Contains("only globals can be called"), dn::Error);
}

TEST_CASE("pickle: malformed programs give errors with the byte offset") {
  struct Case {
    std::string program, message;
  };
  const Case cases[] = {
      {"", "truncated"},
      {kProto + "K\x01", "truncated"},                           // no STOP
      {kProto + "X\xff\xff\xff\x7f" "abc.", "truncated"},       // length past the end
      {kProto + ".", "stack underflow"},
      {kProto + "(.", "stack underflow"},                        // STOP cannot pop across a MARK
      {kProto + "t.", "no MARK"},
      {kProto + "h\x05.", "memo entry 5 was never stored"},
      {kProto + "K\x01K\x02" "a.", "APPEND needs a list"},
      {kProto + "}K\x01s.", "stack underflow"},
      {kProto + "}(K\x01u.", "odd number of items"},
      {kProto + "\x81.", "unsupported opcode 0x81"},
      {kProto + "i__main__\nX\n.", "unsupported opcode 0x69 ('i')"},
      {std::string("\x80\x06", 2) + "N.", "unsupported pickle protocol 6"},
      {kProto + "c" + std::string(300, 'a') + "\nb\n.", "longer than 256"},
      {kProto + "cposix", "truncated GLOBAL"},
      {kProto + "K\x01Q.", "must be a tuple"},
      {kProto + "(" + binunicode("storage") + "ctorch\nFloatStorage\n" + binunicode("k") + binunicode("cpu") + "J\xff\xff\xff\xfftQ.",
       "absurd element count"},
      {kProto + "(" + binunicode("other") + "tQ.", "unsupported persistent id"},
      {kProto + "]K\x01" "b.", "BUILD on a list"},
  };
  for (const Case& c : cases) {
    INFO("program of ", c.program.size(), " bytes, expecting: ", c.message);
    CHECK_THROWS_WITH_AS(run(c.program), doctest::Contains(c.message.c_str()), dn::Error);
  }
}

TEST_CASE("pickle: hostile shapes of data do not crash or blow up") {
  // A list that contains itself: no reference cycle in memory (arenas), no infinite loop.
  Document self = run(kProto + "]q\x00h\x00"s + "a.");
  CHECK(self.items(self.root).size() == 1);
  // 100 000 nested lists: no recursion anywhere, destroyed flat.
  std::string deep = kProto;
  for (int i = 0; i < 100000; ++i) deep += "]";
  for (int i = 0; i < 99999; ++i) deep += "a";
  Document nested = run(deep + ".");
  CHECK(nested.sequences.size() == 100000);
  // A long string fetched from the memo many times is stored once.
  std::string many = kProto + "]" + binunicode(std::string(100000, 'x')) + "q\x00"s + "0(";
  for (int i = 0; i < 10000; ++i) many += "h\x00"s;
  Document shared = run(many + "e.");
  CHECK(shared.strings.size() == 1);
  CHECK(shared.items(shared.root).size() == 10000);
}
