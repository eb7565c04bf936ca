// A data set listed in a CSV file, for images that lie in no particular layout:
//
//   path,class,split,label,mask
//   images/a.png,bottle,train,good,
//   images/b.png,bottle,test,good,
//   images/c.png,bottle,test,crack,masks/c.png
//
// path   the image; a relative path is relative to the manifest's folder
// class  the class name (a multi-class manifest trains one model on all, as --data does)
// split  train or test
// label  good, or the defect type of an anomalous test image (training images are good)
// mask   optional (the column itself may be left out): the mask of an anomalous test image
//
// The columns may come in any order; other columns are an error (a typo such as "lable"
// would otherwise silently drop the labels). Fields may be quoted ("a,b.png", "" for a
// quote). Samples are ordered as the MVTec reader orders them: by class, then label ("good"
// among the defect types), then path, so the order of the rows does not matter.
#pragma once
#include <string>

#include "data/dataset.h"

namespace dn::data {

// Throws dn::Error naming the manifest, the line and the column of what is wrong: a
// missing or unknown column, a bad split or label, a missing image or mask, a path listed
// twice, a mask on a normal image.
Dataset open_manifest(const std::string& manifest_path, const DatasetOptions& options = {});

}  // namespace dn::data
