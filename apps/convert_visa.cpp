// convert_visa: the VisA download (split_csv/1cls.csv, <object>/Data/Images, Masks) to the
// 1cls layout that train and eval read (MVTec layout: <object>/train/good, test/good,
// test/bad, ground_truth/bad), as the reference's prepare_visa.py does (data/visa.h):
//
//   convert_visa --visa VisA --out VisA_pytorch/1cls
//   train --data VisA_pytorch/1cls --out runs/visa ...
#include <cstdio>
#include <filesystem>

#include "apps/lib/cli.h"
#include "data/files.h"
#include "data/visa.h"
#include "tensor/error.h"

using namespace dn;

int main(int argc, char** argv) {
  CLI::App app{"convert_visa: VisA's split_csv layout to the 1cls layout train and eval read"};
  std::string visa_root, out, split_csv;
  app.add_option("--visa", visa_root, "the VisA folder (with split_csv/ and one folder per object)")->required();
  app.add_option("--out", out, "output folder (created; must be empty if it exists)")->required();
  app.add_option("--split-csv", split_csv, "the split file (default: VISA/split_csv/1cls.csv)");
  return app::run_app("convert_visa", app, argc, argv, [&]() -> int {
    DN_CHECK(data::is_directory(visa_root), "--visa ", visa_root, ": no such folder");
    std::error_code ec;
    DN_CHECK(!std::filesystem::exists(out, ec) || std::filesystem::is_empty(out, ec), "--out ", out,
             ": the folder is not empty; choose a new one (files of an earlier conversion would mix in)");
    const data::VisaConversion c = data::convert_visa(visa_root, out, split_csv);
    std::string classes;
    for (const auto& name : c.classes) classes += (classes.empty() ? "" : ",") + name;
    std::printf("convert_visa: wrote %s: %zu classes (%s); %zu training, %zu normal and %zu anomalous test images\n",
                out.c_str(), c.classes.size(), classes.c_str(), c.train, c.test_normal, c.test_anomalous);
    return 0;
  });
}
