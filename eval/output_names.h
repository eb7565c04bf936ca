// File names for what a run writes per input image (eval's picture strips, predict's heat
// maps), so that no output can silently replace another. A name is
//
//   unique    distinct input paths of one run get distinct names;
//   readable  it shows the folder and the stem: lineA/cam1/001.png -> cam1_001;
//   stable    it depends only on the run's set of input paths, not on their order, the
//             batch size or where the whole tree lies.
//
// The rule, for the set of input paths (each made absolute and lexically normal first, so
// "x/1.png" and "./x/1.png" are the same file):
//
//  1. A name is a suffix of the path's components: some folders, then the file's stem, each
//     escaped (4.) and joined by '_'. It is the shortest suffix that no other input of the
//     run shares, but never shorter than folder + stem. With lineA/cam1/001.png and
//     lineB/cam1/001.png in one run, the suffix cam1/001 is shared, so both take one more
//     folder: lineA_cam1_001 and lineB_cam1_001; a lone lineC/cam2/007.png stays cam2_007.
//     The distinguishing folders lie below the inputs' common folder, so the names do not
//     change when the tree is moved.
//  2. Files that differ only in their extension (x/1.png, x/1.jpg) keep it: x_1.png, x_1.jpg.
//  3. The caller adds an extension for the kind of file (".png"), and writes each kind of
//     output into its own folder: names that differ stay different files.
//  4. Bytes outside [A-Za-z0-9._-] are percent-escaped as in URLs ("a b" -> a%20b, '%' ->
//     %25, UTF-8 byte by byte), a reversible escape: "a b/1.png" and "a_b/1.png" give
//     a%20b_1 and a_b_1.
//  5. Joining by '_' can still give two inputs one name (a_b/1.png and a/b_1.png in one
//     folder both read a_b_1), and a file may be given twice. OutputNames then throws,
//     naming both inputs, before the command writes anything: it never overwrites.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dn::eval {

// Rule 4: percent-escapes every byte outside [A-Za-z0-9._-].
std::string escape_name_part(std::string_view part);

class OutputNames {
 public:
  OutputNames() = default;  // no inputs
  // Throws dn::Error naming both inputs when two would share a name (or are one file given
  // twice), and naming the input when its name would be too long for a file system.
  explicit OutputNames(const std::vector<std::string>& inputs);

  // The name of `input` (exactly as given to the constructor), without extension.
  // Throws dn::Error for a path that was not one of the inputs.
  const std::string& name(const std::string& input) const;
  // name(input) + extension, e.g. "lineA_cam1_001.png".
  std::string file(const std::string& input, const std::string& extension) const;

 private:
  std::unordered_map<std::string, std::string> names_;  // input -> name
};

// Every file a command will write for its inputs, listed before it writes any. Several kinds
// of output (a heat map, a map, a mask per input) each have their list entries; the check
// throws dn::Error, naming both inputs, when two entries (compared after lexical
// normalisation) are the same file, so one output can never replace another.
struct PlannedFile {
  std::string file;   // where it will be written
  std::string input;  // the input it belongs to
};
void check_distinct_targets(const std::vector<PlannedFile>& files);

}  // namespace dn::eval
