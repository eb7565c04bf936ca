// Data set layouts on small folders made here: MVTec (multi- and single-class), BTAD-style
// names, test sets without ground truth, Real-IAD JSON, VisA conversion, plain folders;
// and every kind of bad input a data set can hold.
#include <doctest/doctest.h>

#include <filesystem>

#include "data/dataset.h"
#include "data/files.h"
#include "data/visa.h"
#include "fixtures.h"

using namespace dn::data;
using namespace dn::data::test;

namespace {

void put_image(const std::string& path, int w = 24, int h = 16, int channels = 3, int seed = 0) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  Image img = procedural(w, h, channels);
  for (auto& v : img.pixels) v = uint8_t(v + seed);
  write_png(path, img);
}

void put_mask(const std::string& path, int w = 24, int h = 16, uint8_t on = 255) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  Image m(w, h, 1);
  for (int y = 4; y < 9; ++y)
    for (int x = 5; x < 12; ++x) m.pixels[size_t(y) * w + x] = on;
  write_png(path, m);
}

// <root>/<cls>/train/good/{0..n_train-1}.png, test/good, test/<defect>, ground_truth.
void make_mvtec_class(const std::string& dir, int n_train, bool with_gt, const std::string& normal = "good",
                      const std::string& defect = "crack", const std::string& mask_suffix = "_mask") {
  for (int i = 0; i < n_train; ++i) put_image(dir + "/train/" + normal + "/" + std::to_string(100 + i) + ".png", 24, 16, 3, i);
  put_image(dir + "/test/" + normal + "/000.png");
  put_image(dir + "/test/" + normal + "/001.png");
  for (int i = 0; i < 3; ++i) {
    const std::string stem = "00" + std::to_string(i);
    put_image(dir + "/test/" + defect + "/" + stem + ".png", 24, 16, 3, 7 * i);
    if (with_gt) put_mask(dir + "/ground_truth/" + defect + "/" + stem + mask_suffix + ".png");
  }
}

bool file_stem_matches(const Sample& s) {
  return file_stem(s.mask_path) == file_stem(s.image_path) + "_mask";
}

}  // namespace

TEST_CASE("MVTec layout: classes, splits, labels and masks paired by name") {
  ScratchDir root("mvtec");
  make_mvtec_class(root / "bottle", 5, true);
  make_mvtec_class(root / "alpha", 4, true, "good", "scratch");
  write_text(root / "bottle/train/good/notes.txt", "not an image");  // ignored
  write_text(root / "readme.md", "ignored");
  std::filesystem::create_directories(root / "license_folder");     // not a class: no train/test

  const Dataset ds = open_dataset(root.path.string());
  CHECK(ds.layout == Layout::mvtec);
  REQUIRE(ds.classes == std::vector<std::string>{"alpha", "bottle"});
  CHECK(ds.train.size() == 9);
  CHECK(ds.train.count_label(1) == 0);
  CHECK(ds.test.size() == 10);
  CHECK(ds.test.count_label(1) == 6);
  CHECK(ds.test.has_masks);
  for (const auto& s : ds.test.samples) {
    if (s.label == 1) {
      CHECK(file_stem_matches(s));
    } else {
      CHECK(s.mask_path.empty());
      CHECK(s.defect == "good");
    }
  }
  // Order: classes sorted, then defect folders sorted, then names.
  CHECK(ds.test.samples.front().class_name == "alpha");
  CHECK(ds.train.samples.front().image_path.find("alpha/train/good/100.png") != std::string::npos);

  const SampleSet bottle = ds.test.only_class("bottle");
  CHECK(bottle.size() == 5);
  CHECK(bottle.has_masks);
  CHECK_THROWS_AS(ds.test.only_class("nothing"), dn::Error);

  DatasetOptions only;
  only.classes = {"bottle"};
  const Dataset filtered = open_dataset(root.path.string(), only);
  CHECK(filtered.classes == std::vector<std::string>{"bottle"});
  CHECK(filtered.train.size() == 5);

  // The root may be one class folder itself; its name is the class name.
  const Dataset single = open_dataset(root / "bottle");
  CHECK(single.classes == std::vector<std::string>{"bottle"});
  CHECK(single.test.size() == 5);
}

TEST_CASE("BTAD names (ok/ko, masks named like their images) and sets without ground truth") {
  ScratchDir root("btad");
  make_mvtec_class(root / "01", 3, true, "ok", "ko", "");
  make_mvtec_class(root / "02", 3, false);
  const Dataset ds = open_dataset(root.path.string());
  CHECK(ds.classes == std::vector<std::string>{"01", "02"});
  CHECK(ds.test.count_label(1) == 6);
  CHECK_FALSE(ds.test.has_masks);  // class 02 has no ground truth
  const SampleSet btad = ds.test.only_class("01");
  CHECK(btad.has_masks);
  for (const auto& s : btad.samples)
    if (s.label == 1) CHECK(file_stem(s.mask_path) == file_stem(s.image_path));
  const SampleSet no_gt = ds.test.only_class("02");
  CHECK_FALSE(no_gt.has_masks);
  CHECK(no_gt.count_label(1) == 3);
}

TEST_CASE("a plain folder of normal images, and explicit test folders") {
  ScratchDir root("folder");
  for (int i = 0; i < 4; ++i) put_image(root / ("line7/img" + std::to_string(i) + ".jpg.png"));
  write_text(root / "line7/Thumbs.db", "x");
  const Dataset ds = open_dataset(root / "line7");
  CHECK(ds.layout == Layout::folder);
  CHECK(ds.classes == std::vector<std::string>{"line7"});
  CHECK(ds.train.size() == 4);
  CHECK(ds.test.empty());

  put_image(root / "ok/a.png");
  put_image(root / "bad/b.png");
  put_image(root / "bad/c.png");
  put_mask(root / "masks/b_mask.png");
  put_mask(root / "masks/c.png");
  FolderSpec spec;
  spec.train_dirs = {root / "line7"};
  spec.test_normal_dirs = {root / "ok"};
  spec.test_anomalous_dirs = {root / "bad"};
  spec.mask_dir = root / "masks";
  const Dataset own = open_folder_dataset(spec);
  CHECK(own.test.size() == 3);
  CHECK(own.test.has_masks);
  CHECK(own.test.samples[0].mask_path.find("b_mask.png") != std::string::npos);  // "bad" sorts before "good"
  spec.mask_dir.clear();
  CHECK_FALSE(open_folder_dataset(spec).test.has_masks);
}

TEST_CASE("Real-IAD: JSON records, OK means normal, masks relative to the class folder") {
  ScratchDir root("realiad");
  const std::string cls = root / "realiad_1024/audiojack";
  put_image(cls + "/OK/S0001/a_C1.jpg.png");
  put_image(cls + "/OK/S0002/b_C1.png");
  put_image(cls + "/NG/AK/S0100/c_C1.png");
  put_mask(cls + "/NG/AK/S0100/c_C1_mask.png");
  put_image(cls + "/OK/S0003/d_C1.png");
  write_text(root / "realiad_jsons/realiad_jsons/audiojack.json", R"({
    "meta": {"prefix": "", "normal_class": "OK"},
    "train": [{"category": "audiojack", "anomaly_class": "OK", "image_path": "OK/S0001/a_C1.jpg.png", "mask_path": null},
              {"category": "audiojack", "anomaly_class": "OK", "image_path": "OK/S0002/b_C1.png", "mask_path": null}],
    "test": [{"category": "audiojack", "anomaly_class": "AK", "image_path": "NG/AK/S0100/c_C1.png",
              "mask_path": "NG/AK/S0100/c_C1_mask.png"},
             {"category": "audiojack", "anomaly_class": "OK", "image_path": "OK/S0003/d_C1.png", "mask_path": null}]
  })");
  const Dataset ds = open_dataset(root.path.string());
  CHECK(ds.layout == Layout::realiad);
  CHECK(ds.classes == std::vector<std::string>{"audiojack"});
  CHECK(ds.train.size() == 2);
  REQUIRE(ds.test.size() == 2);
  CHECK(ds.test.samples[0].label == 1);
  CHECK(ds.test.samples[0].defect == "AK");
  CHECK(ds.test.samples[1].label == 0);
  CHECK(ds.test.has_masks);

  write_text(root / "realiad_jsons/realiad_jsons/audiojack.json", R"({"train": [{"anomaly_class": "OK", "image_path": "OK/none.png"}]})");
  CHECK(error_of([&] { open_dataset(root.path.string()); }).find("OK/none.png") != std::string::npos);
  write_text(root / "realiad_jsons/realiad_jsons/audiojack.json", "{ not json");
  CHECK(error_of([&] { open_dataset(root.path.string()); }).find("audiojack.json") != std::string::npos);
}

TEST_CASE("VisA: the split CSV converts to the 1cls layout, masks binarised") {
  ScratchDir visa("visa");
  put_image(visa / "candle/Data/Images/Normal/0001.JPG");
  put_image(visa / "candle/Data/Images/Normal/0002.JPG");
  put_image(visa / "candle/Data/Images/Normal/0003.JPG");
  put_image(visa / "candle/Data/Images/Anomaly/000.JPG");
  put_mask(visa / "candle/Data/Masks/Anomaly/000.png", 24, 16, 1);  // VisA masks hold small labels
  write_text(visa / "split_csv/1cls.csv",
             "object,split,label,image,mask\r\n"
             "candle,train,normal,candle/Data/Images/Normal/0001.JPG,\r\n"
             "candle,train,normal,candle/Data/Images/Normal/0002.JPG,\r\n"
             "candle,test,normal,candle/Data/Images/Normal/0003.JPG,\r\n"
             "candle,test,anomaly,candle/Data/Images/Anomaly/000.JPG,candle/Data/Masks/Anomaly/000.png\r\n");
  CHECK(error_of([&] { open_dataset(visa.path.string()); }).find("convert") != std::string::npos);

  ScratchDir out("visa-out");
  const VisaConversion c = convert_visa(visa.path.string(), out / "1cls");
  CHECK(c.classes == std::vector<std::string>{"candle"});
  CHECK(c.train == 2);
  CHECK(c.test_normal == 1);
  CHECK(c.test_anomalous == 1);
  const Image mask = read_image(out / "1cls/candle/ground_truth/bad/000.png", 0);
  CHECK(mask.channels == 1);
  CHECK(mask.at(6, 5)[0] == 255);
  CHECK(mask.at(0, 0)[0] == 0);
  const Dataset ds = open_dataset(out / "1cls");
  CHECK(ds.train.size() == 2);
  CHECK(ds.test.size() == 2);
  CHECK(ds.test.has_masks);
  CHECK(ds.test.samples[0].defect == "bad");

  write_text(visa / "split_csv/1cls.csv", "object,split,label,image,mask\ncandle,test,anomaly,candle/x.JPG,\n");
  CHECK(error_of([&] { convert_visa(visa.path.string(), out / "2"); }).find("candle/x.JPG") != std::string::npos);
  write_text(visa / "split_csv/1cls.csv", "a,b\n");
  CHECK(error_of([&] { convert_visa(visa.path.string(), out / "3"); }).find("header") != std::string::npos);
}

TEST_CASE("bad input: clear errors naming the folder or file") {
  ScratchDir root("bad");
  CHECK(error_of([&] { open_dataset(root / "nope"); }).find("nope") != std::string::npos);
  CHECK(error_of([&] { open_dataset(root.path.string()); }).find("cannot tell the layout") != std::string::npos);

  make_mvtec_class(root / "a", 2, true);
  DatasetOptions want_b;
  want_b.classes = {"b"};
  const std::string missing_class = error_of([&] { open_dataset(root.path.string(), want_b); });
  CHECK(missing_class.find("'b' not found") != std::string::npos);
  CHECK(missing_class.find("a") != std::string::npos);

  SUBCASE("an empty train/good") {
    std::filesystem::remove_all(root / "a/train/good");
    std::filesystem::create_directories(root / "a/train/good");
    write_text(root / "a/train/good/list.txt", "no images here");
    const std::string e = error_of([&] { open_dataset(root.path.string()); });
    CHECK(e.find("a/train/good") != std::string::npos);
    CHECK(e.find("no images") != std::string::npos);
  }
  SUBCASE("no train/good at all") {
    std::filesystem::remove_all(root / "a/train/good");
    CHECK(error_of([&] { open_dataset(root.path.string()); }).find("train/good") != std::string::npos);
  }
  SUBCASE("a missing mask") {
    std::filesystem::remove(root / "a/ground_truth/crack/001_mask.png");
    const std::string e = error_of([&] { open_dataset(root.path.string()); });
    CHECK(e.find("missing mask") != std::string::npos);
    CHECK(e.find("crack/001.png") != std::string::npos);
  }
  SUBCASE("a mask folder missing for one defect") {
    std::filesystem::remove_all(root / "a/ground_truth/crack");
    CHECK(error_of([&] { open_dataset(root.path.string()); }).find("ground_truth/crack") != std::string::npos);
  }
  SUBCASE("an extra mask without its image") {
    put_mask(root / "a/ground_truth/crack/009_mask.png");
    CHECK(error_of([&] { open_dataset(root.path.string()); }).find("009_mask.png") != std::string::npos);
  }
  SUBCASE("a mask whose size differs from its image") {
    put_mask(root / "a/ground_truth/crack/002_mask.png", 30, 16);
    const std::string e = error_of([&] { open_dataset(root.path.string()); });
    CHECK(e.find("002_mask.png") != std::string::npos);
    CHECK(e.find("30x16") != std::string::npos);
    CHECK(e.find("24x16") != std::string::npos);
    DatasetOptions lazy;
    lazy.check_mask_sizes = false;  // then the loader finds it (tested in test_loader.cpp)
    CHECK_NOTHROW(open_dataset(root.path.string(), lazy));
  }
  SUBCASE("an image format we cannot decode is an error, not silently skipped") {
    write_text(root / "a/train/good/scan.webp", "II*");
    CHECK(error_of([&] { open_dataset(root.path.string()); }).find("scan.webp") != std::string::npos);
  }
  SUBCASE("unknown non-image files are ignored") {
    write_text(root / "a/test/crack/.DS_Store", "x");
    write_text(root / "a/test/crack/labels.csv", "x");
    write_text(root / "a/ground_truth/crack/notes.txt", "x");
    CHECK(open_dataset(root.path.string()).test.size() == 5);
  }
  SUBCASE("layout names") {
    CHECK(parse_layout("realiad") == Layout::realiad);
    CHECK_THROWS_WITH_AS(parse_layout("coco"), doctest::Contains("coco"), dn::Error);
  }
}
