// Drawing on an RGB dn::data::Image: rectangles, lines, text, pasting and resizing. Just
// enough to compose picture strips and simple plots. Everything clips at the image edges.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "data/image.h"
#include "eval/colormap.h"

namespace dn::eval {

using data::Image;

// A new RGB image filled with `background`.
Image blank_rgb(int width, int height, Rgb background);

void fill_rect(Image& img, int x, int y, int w, int h, Rgb colour);
// Mixes `colour` into pixel (x, y): alpha 1 replaces it, 0 leaves it.
void blend_pixel(Image& img, int x, int y, Rgb colour, float alpha = 1.0f);
// A straight line (Bresenham) `thickness` pixels wide; dash > 0 draws dash pixels on,
// dash off.
void draw_line(Image& img, int x0, int y0, int x1, int y1, Rgb colour, int thickness = 1,
               int dash = 0);
void draw_rect_outline(Image& img, int x, int y, int w, int h, Rgb colour);

// Regions given as one byte per pixel (non-zero = inside), w x h, row-major.
// region_outline: the pixels of the region that touch an outside pixel among their 8
// neighbours (or the image edge), i.e. its one-pixel outline.
std::vector<uint8_t> region_outline(const std::vector<uint8_t>& inside, int w, int h);
// Paints `colour` over every pixel of img whose byte in `pixels` (img's size) is non-zero.
void mark_pixels(Image& img, const std::vector<uint8_t>& pixels, Rgb colour);

// Text in the 5x7 font (eval/font.h), each font pixel drawn as scale x scale; (x, y) is
// the top-left corner. Returns the width drawn.
int draw_text(Image& img, int x, int y, std::string_view text, Rgb colour, int scale = 1);
int text_width(std::string_view text, int scale = 1);
int text_height(int scale = 1);

// Copies src (1, 3 or 4 channels; gray replicated, alpha dropped) with its top-left at (x, y).
void paste(Image& dst, const Image& src, int x, int y);

// src (1, 3 or 4 channels) as an RGB image of width x height, bilinear with the pixel
// centres aligned (align_corners=False), for display only.
Image resize_rgb(const Image& src, int width, int height);

}  // namespace dn::eval
