// PFM (Portable Float Map): a float image that numpy reads in three lines and OpenCV
// (cv2.imread(path, cv2.IMREAD_UNCHANGED)) reads directly. predict writes its anomaly
// maps in it, NaN marking the pixels the network never saw.
//
// The grayscale form, as the format defines it:
//   "Pf\n"  "<width> <height>\n"  "<scale>\n"  then width x height float32 values, rows
//   from the BOTTOM of the image to the top; a negative scale means little-endian values
//   (we write -1), a positive one big-endian.
#pragma once
#include <string>
#include <vector>

namespace dn::data {

struct FloatMap {
  int width = 0, height = 0;
  std::vector<float> values;  // row-major, rows top to bottom: pixel (x, y) at y * width + x
};

// Writes a grayscale little-endian PFM atomically (temporary file, then rename). Throws
// dn::Error naming the file when the sizes do not agree or the write fails.
void write_pfm(const std::string& path, const FloatMap& map);

// Reads a grayscale PFM of either byte order. Throws dn::Error naming the file when it is
// missing, not a grayscale PFM, or truncated.
FloatMap read_pfm(const std::string& path);

}  // namespace dn::data
