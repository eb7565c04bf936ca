// VisA: the official download is not in MVTec layout; the reference converts it with
// prepare_data/prepare_visa.py (its "1cls" branch) from the split file split_csv/1cls.csv,
// whose rows are `object,split,label,image,mask` with paths relative to the VisA root.
// convert_visa (and the apps/convert_visa command) does the same:
//   train + normal  -> <out>/<object>/train/good/<image name>        (copied)
//   test  + normal  -> <out>/<object>/test/good/<image name>         (copied)
//   test  + anomaly -> <out>/<object>/test/bad/<image name>          (copied)
//                      <out>/<object>/ground_truth/bad/<mask name>   (binarised: any
//                      non-zero pixel becomes 255, saved as an 8-bit gray PNG)
// Other rows are ignored, as in the script. The result opens with open_dataset (layout
// mvtec; masks pair by name, <stem>.png). The reference's output folder is
// VisA_pytorch/1cls; pass that as `out_root` to reproduce its paths.
#pragma once
#include <string>
#include <vector>

namespace dn::data {

struct VisaConversion {
  std::vector<std::string> classes;
  size_t train = 0, test_normal = 0, test_anomalous = 0;
};

// split_csv "" means <visa_root>/split_csv/1cls.csv. Throws dn::Error naming the file or
// CSV line that is wrong (a missing image or mask, a malformed row).
VisaConversion convert_visa(const std::string& visa_root, const std::string& out_root,
                            const std::string& split_csv = "");

}  // namespace dn::data
