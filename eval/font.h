// A 5x7 pixel bitmap font for printable ASCII, so pictures can carry numbers and labels
// without a font file or a plotting library.
#pragma once

namespace dn::eval {

constexpr int kGlyphWidth = 5, kGlyphHeight = 7;
// Cell size when text is laid out: one column and one row of spacing.
constexpr int kCellWidth = kGlyphWidth + 1, kCellHeight = kGlyphHeight + 1;

// Row r (0 = top) of the glyph for `c`, as a string of kGlyphWidth characters where '#'
// is ink. Characters outside ' '..'~' are drawn as '?'.
const char* glyph_row(char c, int r);

}  // namespace dn::eval
