"""Deterministic synthetic scores, maps and masks, defined with integer arithmetic only.

The C++ tests rebuild exactly the same data (tests/eval/synthetic.h), so large test sets
need no large fixture files: only the expected metric values are committed. Every value is
an integer hash turned into float32 by one correctly rounded division, which numpy and C++
compute identically.
"""
import numpy as np

M32 = np.uint64(0xFFFFFFFF)


def mix(x):
    """lowbias32 integer hash on uint32 values (held in uint64 numpy scalars or arrays)."""
    x = np.asarray(x, dtype=np.uint64) & M32
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x7FEB352D)) & M32
    x = x ^ (x >> np.uint64(15))
    x = (x * np.uint64(0x846CA68B)) & M32
    x = x ^ (x >> np.uint64(16))
    return x


def h(a, b, c, d):
    """Hash of four integers: mix(mix(mix(mix(a) ^ b) ^ c) ^ d)."""
    u = lambda v: np.asarray(v, dtype=np.uint64)
    return mix(mix(mix(mix(a) ^ u(b)) ^ u(c)) ^ u(d))


def ranking_set(n, seed, pos_per_1000, levels, shift, denom):
    """n image-like scores: label 1 with probability pos_per_1000/1000; the score is
    (hash % levels + shift*label) / denom in float32 (levels small -> many ties)."""
    i = np.arange(n, dtype=np.uint64)
    labels = (h(np.uint64(seed), i, np.uint64(1), np.uint64(0)) % np.uint64(1000)) < np.uint64(pos_per_1000)
    v = h(np.uint64(seed), i, np.uint64(2), np.uint64(0)) % np.uint64(levels)
    v = v + labels.astype(np.uint64) * np.uint64(shift)
    scores = v.astype(np.float32) / np.float32(denom)
    return scores, labels


def pixel_class(n_images, height, width, seed, levels, denom):
    """A class of n_images anomaly maps [n,H,W] float32 and masks [n,H,W] bool.

    Image k is normal when k % 3 == 0. An anomalous image holds 1..3 discs
    (centre hash%W, hash%H; radius 2 + hash % max(1, min(H,W)//6)) plus isolated pixels
    where hash % 997 == 0. The map is (hash % levels) plus levels//2 inside each disc grown
    by 2 pixels, divided by denom in float32.
    """
    yy, xx = np.meshgrid(np.arange(height, dtype=np.int64), np.arange(width, dtype=np.int64),
                         indexing="ij")
    pix = (yy * width + xx).astype(np.uint64)
    maps = np.zeros((n_images, height, width), np.float32)
    masks = np.zeros((n_images, height, width), bool)
    s = np.uint64(seed)
    for k in range(n_images):
        kk = np.uint64(k)
        v = h(s, kk, pix, np.uint64(6)) % np.uint64(levels)
        if k % 3 != 0:
            nblobs = 1 + int(h(seed, k, 1, 0) % 3)
            boost = np.zeros((height, width), bool)
            for j in range(nblobs):
                cx = int(h(seed, k, 2, j) % width)
                cy = int(h(seed, k, 3, j) % height)
                r = 2 + int(h(seed, k, 4, j) % max(1, min(height, width) // 6))
                d2 = (xx - cx) ** 2 + (yy - cy) ** 2
                masks[k] |= d2 <= r * r
                boost |= d2 <= (r + 2) * (r + 2)
            masks[k] |= (h(s, kk, pix, np.uint64(5)) % np.uint64(997)) == 0
            v = v + boost.astype(np.uint64) * np.uint64(levels // 2)
        maps[k] = v.astype(np.float32) / np.float32(denom)
    return maps, masks
