// Files written by Debian's PyTorch 1.13 with torch.save (tools/io/make_fixtures.py): every
// tensor's dtype, shape, strides, storage offset and values, and which tensors share storage.
#include <doctest/doctest.h>

#include <map>

#include "tensor/io/pth.h"
#include "tests/io/helpers.h"

using namespace dn;
using namespace dn::io;

namespace {

void check_case(const PthContents& file, const std::string& case_name) {
  nlohmann::json expected = dn::test::read_json(dn::test::io_fixture(case_name + ".json"));
  const auto& records = expected["tensors"];
  REQUIRE(file.tensors.size() == records.size());
  std::map<int, const Storage*> storage_of_group;
  std::map<const Storage*, int> group_of_storage;
  for (size_t i = 0; i < records.size(); ++i) {
    CHECK(file.tensors[i].first == records[i]["name"].get<std::string>());  // pickle order kept
    const Tensor& t = file.tensors[i].second;
    dn::test::check_tensor(t, records[i]);
    // Same storage group in PyTorch <=> same dn::Storage here.
    int group = records[i]["storage_group"];
    const Storage* storage = t.storage().get();
    auto [g, new_group] = storage_of_group.emplace(group, storage);
    CHECK(g->second == storage);
    auto [s, new_storage] = group_of_storage.emplace(storage, group);
    CHECK(s->second == group);
  }
  CHECK(file.skipped == expected["skipped"].get<std::vector<std::string>>());
}

}  // namespace

TEST_CASE("pth: a plain OrderedDict of every dtype torch saves") {
  check_case(read_pth(dn::test::io_fixture("plain.pth")), "plain");
}

TEST_CASE("pth: views keep their storage offset and strides (narrow, transpose, step, expand)") {
  PthContents file = read_pth(dn::test::io_fixture("views.pth"));
  check_case(file, "views");
  CHECK(file.tensors[4].first == "expanded");
  CHECK(file.tensors[4].second.strides() == Shape{1, 0});
}

TEST_CASE("pth: tensors that shared a storage share one dn::Storage; Parameters load as tensors") {
  PthContents file = read_pth(dn::test::io_fixture("shared.pth"));
  check_case(file, "shared");
  TensorMap map = to_map(file.tensors, "shared.pth");
  CHECK(map.at("a").storage() == map.at("a_tail").storage());
  CHECK(map.at("a").storage() != map.at("independent").storage());
}

TEST_CASE("pth: nested dicts become dotted names; other entries are skipped and listed") {
  PthContents file = read_pth(dn::test::io_fixture("nested.pth"));
  check_case(file, "nested");
  CHECK(file.tensors[2].first == "teacher.backbone.blocks.0.ls1.gamma");
  CHECK(file.skipped == std::vector<std::string>{"epoch", "optimizer.lr", "optimizer.betas", "name", "flags"});
}

TEST_CASE("pth: a module's state_dict, with its _metadata attribute") {
  check_case(read_pth(dn::test::io_fixture("module.pth")), "module");
}

TEST_CASE("pth: deflate-compressed entries and a hand-written archive load too") {
  check_case(read_pth(dn::test::io_fixture("hostile/deflate.pth")), "plain");
  PthContents hand = read_pth(dn::test::io_fixture("hostile/hand_ok.pth"));
  REQUIRE(hand.tensors.size() == 1);
  CHECK(to_vector<float>(hand.tensors[0].second) == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("pth: parse_pth reads the same bytes from memory") {
  std::vector<uint8_t> bytes = dn::test::read_bytes(dn::test::io_fixture("views.pth"));
  check_case(parse_pth(bytes.data(), bytes.size(), "views.pth in memory"), "views");
}
