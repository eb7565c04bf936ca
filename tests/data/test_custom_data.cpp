// A user's own data: folders given one by one (masks per defect folder or all in one
// folder) and CSV manifests, including every manifest error naming its line and column.
#include <doctest/doctest.h>

#include <filesystem>

#include "data/dataset.h"
#include "data/datasets/manifest.h"
#include "data/files.h"
#include "fixtures.h"

using namespace dn::data;
using namespace dn::data::test;

namespace {

void put_small_png(const std::string& path, int w = 24, int h = 16) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  write_png(path, procedural(w, h, 3));
}

void put_small_mask(const std::string& path, int w = 24, int h = 16) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  Image m(w, h, 1);
  m.pixels[5] = 255;
  write_png(path, m);
}

// normal/{a,b,c}.png, good/{g1,g2}.png, crack/{000,001}.png, dent/{000}.png
void make_folders(const ScratchDir& root) {
  for (const char* n : {"c", "a", "b"}) put_small_png(root / ("normal/" + std::string(n) + ".png"));
  put_small_png(root / "good/g1.png");
  put_small_png(root / "good/g2.png");
  put_small_png(root / "crack/000.png");
  put_small_png(root / "crack/001.png");
  put_small_png(root / "dent/000.png");
}

std::vector<std::string> defects(const SampleSet& set) {
  std::vector<std::string> out;
  for (const auto& s : set.samples) out.push_back(s.defect);
  return out;
}

}  // namespace

TEST_CASE("folders: defect type from the folder name, masks per defect folder, the MVTec order") {
  ScratchDir root("own");
  make_folders(root);
  put_small_mask(root / "gt/crack/000_mask.png");
  put_small_mask(root / "gt/crack/001_mask.png");
  put_small_mask(root / "gt/dent/000.png");
  FolderSpec spec;
  spec.train_dirs = {root / "normal"};
  spec.test_normal_dirs = {root / "good"};
  spec.test_anomalous_dirs = {root / "dent", root / "crack"};
  spec.mask_dir = root / "gt";
  spec.class_name = "widget";
  const Dataset ds = open_folder_dataset(spec);
  CHECK(ds.classes == std::vector<std::string>{"widget"});
  REQUIRE(ds.train.size() == 3);
  CHECK(file_stem(ds.train.samples[0].image_path) == "a");
  CHECK(defects(ds.test) == std::vector<std::string>{"crack", "crack", "dent", "good", "good"});
  CHECK(ds.test.has_masks);
  CHECK(ds.test.samples[2].mask_path == root / "gt/dent/000.png");
  CHECK(ds.test.count_label(1) == 3);

  // All masks in one folder: the two "000" images of crack and dent would share a mask.
  ScratchDir flat("own-flat");
  put_small_mask(flat / "000_mask.png");
  put_small_mask(flat / "001_mask.png");
  spec.mask_dir = flat.path.string();
  CHECK(error_of([&] { open_folder_dataset(spec); }).find("names must be unique") != std::string::npos);
  spec.test_anomalous_dirs = {root / "crack"};
  CHECK(open_folder_dataset(spec).test.has_masks);
  put_small_mask(flat / "002_mask.png");  // a mask without an image
  CHECK(error_of([&] { open_folder_dataset(spec); }).find("002_mask.png") != std::string::npos);
  std::filesystem::remove(flat / "002_mask.png");
  std::filesystem::remove(flat / "001_mask.png");  // an image without a mask
  CHECK(error_of([&] { open_folder_dataset(spec); }).find("001") != std::string::npos);
}

TEST_CASE("folders: test folders alone (evaluation), and clear errors") {
  ScratchDir root("own-eval");
  make_folders(root);
  FolderSpec spec;
  spec.test_normal_dirs = {root / "good"};
  spec.test_anomalous_dirs = {root / "crack"};
  const Dataset ds = open_folder_dataset(spec);
  CHECK(ds.train.empty());
  CHECK(ds.test.size() == 4);
  CHECK_FALSE(ds.test.has_masks);
  CHECK(error_of([] { open_folder_dataset(FolderSpec{}); }).find("no folder") != std::string::npos);
  spec.test_anomalous_dirs = {root / "nowhere"};
  CHECK(error_of([&] { open_folder_dataset(spec); }).find("nowhere") != std::string::npos);
  std::filesystem::create_directories(root / "empty");
  spec.test_anomalous_dirs = {root / "empty"};
  CHECK(error_of([&] { open_folder_dataset(spec); }).find("holds no images") != std::string::npos);
}

TEST_CASE("manifest: relative paths, any row order, quoted fields, masks, classes") {
  ScratchDir root("manifest");
  make_folders(root);
  put_small_png(root / "odd,name.png");
  put_small_mask(root / "m/000.png");
  write_text(root / "list.csv",
             "\xEF\xBB\xBFpath,class,split,label,mask\r\n"
             "crack/000.png,widget,test,crack,m/000.png\r\n"
             "normal/b.png,widget,train,good,\r\n"
             "\"odd,name.png\",widget,train,good,\r\n"
             "normal/a.png,widget,train,good,\r\n"
             "good/g1.png,widget,test,good,\r\n"
             "\r\n"
             "normal/c.png,gadget,train,good,\r\n");
  const Dataset ds = open_manifest(root / "list.csv");
  CHECK(ds.classes == std::vector<std::string>{"gadget", "widget"});
  REQUIRE(ds.train.size() == 4);
  CHECK(ds.train.samples[0].class_name == "gadget");
  CHECK(ds.train.samples[1].image_path == root / "normal/a.png");
  CHECK(ds.train.samples[3].image_path == root / "odd,name.png");
  REQUIRE(ds.test.size() == 2);
  CHECK(ds.test.samples[0].defect == "crack");
  CHECK(ds.test.samples[0].label == 1);
  CHECK(ds.test.samples[0].mask_path == root / "m/000.png");
  CHECK(ds.test.has_masks);
  CHECK(open_manifest(root / "list.csv", {.classes = {"gadget"}}).train.size() == 1);

  // The mask column may be left out, and columns may come in any order.
  write_text(root / "short.csv", "label,split,class,path\ngood,train,w," + root / "normal/a.png" + "\n");
  const Dataset s = open_manifest(root / "short.csv");
  CHECK(s.train.size() == 1);
  CHECK(s.train.samples[0].image_path == root / "normal/a.png");
}

TEST_CASE("manifest errors name the file, the line and the column") {
  ScratchDir root("manifest-bad");
  make_folders(root);
  const std::string m = root / "m.csv";
  auto error_for = [&](const std::string& text) {
    write_text(m, text);
    return error_of([&] { open_manifest(m); });
  };
  auto has = [](const std::string& error, const std::string& part) {
    CAPTURE(error);
    CHECK(error.find(part) != std::string::npos);
  };
  const std::string head = "path,class,split,label,mask\n";
  std::string e = error_for("path,class,label\nnormal/a.png,w,good\n");
  has(e, m);
  has(e, "line 1");
  has(e, "no 'split' column");
  has(error_for("path,class,split,lable\n"), "unknown column 'lable'");
  e = error_for(head + "normal/a.png,w,train,good,\nnormal/b.png,w,validation,good,\n");
  has(e, "line 3, column 3 (split)");
  has(e, "'validation' is not train or test");
  has(error_for(head + "normal/a.png,w,train,crack,\n"), "line 2, column 4 (label)");
  has(error_for(head + "good/g1.png,w,test,good,normal/a.png\n"), "line 2, column 5 (mask): a normal image has no mask");
  has(error_for(head + "normal/zz.png,w,train,good,\n"), "line 2, column 1 (path): image");
  has(error_for(head + "normal/a.png,w,train,good,\nnormal/a.png,w,train,good,\n"), "listed already on line 2");
  has(error_for(head + "normal/a.png,w,train\n"), "line 2: 3 fields, but the header names 5 columns");
  has(error_for(head + "\"normal/a.png,w,train,good,\n"), "line 2: unterminated quote");
  has(error_for(head + "crack/000.png,w,test,crack,nomask.png\n"), "column 5 (mask): mask");
  has(error_for(head + "notes.txt,w,train,good,\n"), "not an image file");
  has(error_for(head), "lists no images");
  has(error_for(""), "is empty");
  has(error_of([] { open_manifest("/nonexistent/m.csv"); }), "/nonexistent/m.csv");
}
