#!/usr/bin/python3
"""Writes the metric fixtures of tests/eval into tests/fixtures/eval/.

Oracles: Debian's python3-sklearn (roc_auc_score, average_precision_score,
precision_recall_curve, roc_curve, auc), python3-skimage (measure.label, regionprops),
scipy.ndimage.label, and the reference's compute_pro and f1_score_max (Dinomaly utils.py)
reproduced below line by line. Only np.bool (gone in numpy 1.24) and DataFrame.append
(gone in pandas 2.0) are replaced by their equivalents.

Run from the repository root:  /usr/bin/python3 tools/eval/make_fixtures.py
"""
import json
import os
import statistics
import sys

import numpy as np
import pandas as pd
import scipy.ndimage
from skimage import measure
from sklearn.metrics import (auc, average_precision_score, precision_recall_curve,
                             roc_auc_score, roc_curve)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic  # noqa: E402

OUT = os.path.join("tests", "fixtures", "eval")


# ---- the reference's functions (Dinomaly utils.py), unchanged in what they compute -----

def f1_score_max(y_true, y_score):
    precs, recs, thrs = precision_recall_curve(y_true, y_score)
    f1s = 2 * precs * recs / (precs + recs + 1e-7)
    f1s = f1s[:-1]
    return f1s.max()


def return_best_thr(y_true, y_score):
    precs, recs, thrs = precision_recall_curve(y_true, y_score)
    f1s = 2 * precs * recs / (precs + recs + 1e-7)
    f1s = f1s[:-1]
    thrs = thrs[~np.isnan(f1s)]
    f1s = f1s[~np.isnan(f1s)]
    best_thr = thrs[np.argmax(f1s)]
    return best_thr


def compute_pro(masks, amaps, num_th=200):
    """utils.py compute_pro; returns (aupro, rows) so the tests can check the thresholds."""
    assert amaps.ndim == 3 and masks.ndim == 3 and amaps.shape == masks.shape
    assert set(masks.flatten()) == {0, 1}, "set(masks.flatten()) must be {0, 1}"
    rows = []  # was: df = pd.DataFrame([], columns=["pro", "fpr", "threshold"])
    binary_amaps = np.zeros_like(amaps, dtype=bool)  # was: dtype=np.bool
    min_th = amaps.min()
    max_th = amaps.max()
    delta = (max_th - min_th) / num_th
    for th in np.arange(min_th, max_th, delta):
        binary_amaps[amaps <= th] = 0
        binary_amaps[amaps > th] = 1
        pros = []
        for binary_amap, mask in zip(binary_amaps, masks):
            for region in measure.regionprops(measure.label(mask)):
                axes0_ids = region.coords[:, 0]
                axes1_ids = region.coords[:, 1]
                tp_pixels = binary_amap[axes0_ids, axes1_ids].sum()
                pros.append(tp_pixels / region.area)
        inverse_masks = 1 - masks
        fp_pixels = np.logical_and(inverse_masks, binary_amaps).sum()
        fpr = fp_pixels / inverse_masks.sum()
        rows.append({"pro": statistics.mean(pros), "fpr": fpr, "threshold": th})  # was df.append
    df = pd.DataFrame(rows, columns=["pro", "fpr", "threshold"])
    all_rows = df.copy()
    df = df[df["fpr"] < 0.3]
    df["fpr"] = df["fpr"] / df["fpr"].max()
    pro_auc = auc(df["fpr"], df["pro"])
    return pro_auc, all_rows


# ---- the standard MVTec AD AUPRO (mvtec_ad_evaluation: pro_curve_util + trapezoid) -----

def standard_aupro(masks, amaps, limit=0.3):
    structure = np.ones((3, 3), dtype=int)
    fp_changes = np.zeros(amaps.shape, np.uint32)
    pro_changes = np.zeros(amaps.shape, np.float64)
    num_ok, num_regions = 0, 0
    for i, gt in enumerate(masks):
        labeled, n = scipy.ndimage.label(gt, structure)
        num_regions += n
        ok = labeled == 0
        num_ok += ok.sum()
        fp_changes[i][ok] = 1
        for k in range(n):
            region = labeled == (k + 1)
            pro_changes[i][region] = 1.0 / region.sum()
    scores = amaps.ravel()
    order = np.argsort(scores, kind="stable")[::-1]
    scores_sorted = scores[order]
    fprs = np.cumsum(fp_changes.ravel()[order].astype(np.float64)) / np.float64(num_ok)
    pros = np.cumsum(pro_changes.ravel()[order]) / num_regions
    keep = np.append(np.diff(scores_sorted) != 0, np.True_)
    fprs = np.clip(fprs[keep], None, 1.0)
    pros = np.clip(pros[keep], None, 1.0)
    x = np.concatenate(([0.0], fprs, [1.0]))
    y = np.concatenate(([0.0], pros, [1.0]))
    # trapezoid(x, y, x_max=limit) of mvtec_ad_evaluation/generic_util.py
    correction = 0.0
    if limit not in x:
        ins = int(np.searchsorted(x, limit, side="right"))  # bisect.bisect
        assert 0 < ins < len(x)
        y_interp = y[ins - 1] + (y[ins] - y[ins - 1]) * (limit - x[ins - 1]) / (x[ins] - x[ins - 1])
        correction = 0.5 * (y_interp + y[ins - 1]) * (limit - x[ins - 1])
    m = x <= limit
    x, y = x[m], y[m]
    return (np.sum(0.5 * (y[1:] + y[:-1]) * (x[1:] - x[:-1])) + correction) / limit


# ---- fixture cases --------------------------------------------------------------------

def ranking_expect(scores, labels):
    scores = np.asarray(scores, np.float32)
    labels = np.asarray(labels, bool)
    if labels.all() or not labels.any():
        return None
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    return {
        "auroc": float(roc_auc_score(labels, scores)),
        "ap": float(average_precision_score(labels, scores)),
        "f1max": float(f1_score_max(labels, scores)),
        "f1_threshold": float(return_best_thr(labels, scores)),
        "roc_fpr": [float(v) for v in fpr] if len(fpr) <= 200 else None,
        "roc_tpr": [float(v) for v in tpr] if len(tpr) <= 200 else None,
    }


def ranking_cases():
    rng = np.random.default_rng(6)
    cases = []

    def explicit(name, scores, labels):
        scores = np.asarray(scores, np.float32)
        cases.append({"name": name, "scores": [float(s) for s in scores],
                      "labels": [int(v) for v in labels], "expect": ranking_expect(scores, labels)})

    explicit("sklearn_doc", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    explicit("ties_mixed", [0.5, 0.5, 0.5, 0.2, 0.2, 0.9, 0.9, 0.1], [1, 0, 1, 0, 1, 1, 0, 0])
    explicit("all_equal", [0.3] * 7, [0, 1, 0, 0, 1, 0, 1])
    explicit("perfect", [0.1, 0.2, 0.3, 0.7, 0.8], [0, 0, 0, 1, 1])
    explicit("inverted", [0.9, 0.8, 0.3, 0.2, 0.1], [0, 0, 0, 1, 1])
    explicit("one_of_each", [0.4, 0.6], [1, 0])
    explicit("single_class_normal", [0.1, 0.2, 0.3], [0, 0, 0])
    explicit("single_class_anomalous", [0.1, 0.2, 0.3], [1, 1, 1])
    explicit("negative_scores", [-0.5, -0.25, 0.0, -0.0, 0.25, -0.25], [0, 1, 0, 1, 1, 0])
    s = rng.random(300).astype(np.float32)
    l = rng.random(300) < (0.2 + 0.6 * s)
    explicit("random_300", s, l)
    s = np.round(rng.random(400) * 12).astype(np.float32) / np.float32(12)
    l = rng.random(400) < (0.1 + 0.5 * s)
    explicit("random_ties_400", s, l)

    # Large sets rebuilt from the integer formula on both sides.
    for name, n, seed, pos, levels, shift, denom in [
            ("large_ties", 1_000_000, 11, 70, 977, 120, 1531),
            ("large_distinct", 400_000, 12, 300, 1 << 22, 1 << 20, 3_000_017)]:
        scores, labels = synthetic.ranking_set(n, seed, pos, levels, shift, denom)
        e = ranking_expect(scores, labels)
        cases.append({"name": name, "generator": {"n": n, "seed": seed, "pos_per_1000": pos,
                                                  "levels": levels, "shift": shift, "denom": denom},
                      "checksum": {"n_pos": int(labels.sum()),
                                   "score_sum": float(scores.astype(np.float64).sum())},
                      "expect": e})
    return cases


def pixel_expect(maps, masks, with_reference_aupro=True):
    y = masks.ravel()
    s = maps.ravel()
    out = {}
    if y.all() or not y.any():
        return None
    out["auroc"] = float(roc_auc_score(y, s))
    out["ap"] = float(average_precision_score(y, s))
    out["f1max"] = float(f1_score_max(y, s))
    out["f1_threshold"] = float(return_best_thr(y, s))
    try:
        a, rows = compute_pro(masks, maps)
        out["aupro"] = float(a) if np.isfinite(a) else None
        out["aupro_rows"] = len(rows)
        out["aupro_first_fpr"] = float(rows["fpr"].iloc[0])
        out["aupro_kept_rows"] = int((rows["fpr"] < 0.3).sum())
        out["aupro_pro_sum"] = float(np.sum(rows["pro"].to_numpy()))
        out["aupro_fpr_sum"] = float(np.sum(rows["fpr"].to_numpy()))
    except (ValueError, ZeroDivisionError) as err:  # the reference crashes: we give null
        out["aupro"] = None
        out["aupro_error"] = str(err)
    out["aupro_standard"] = float(standard_aupro(masks, maps))
    return out


def pixel_cases():
    cases = []
    for name, n, hgt, wid, seed, levels, denom in [
            ("ties_64", 12, 64, 64, 21, 1600, 1531),
            ("distinct_96x80", 10, 96, 80, 22, 1 << 22, 3_000_017),
            ("small_9x7", 6, 9, 7, 23, 50, 37),
            ("full_256", 6, 256, 256, 24, 1 << 20, 999_983)]:
        maps, masks = synthetic.pixel_class(n, hgt, wid, seed, levels, denom)
        cases.append({"name": name,
                      "generator": {"n": n, "height": hgt, "width": wid, "seed": seed,
                                    "levels": levels, "denom": denom},
                      "checksum": {"mask_pixels": int(masks.sum()),
                                   "map_sum": float(maps.astype(np.float64).sum())},
                      "expect": pixel_expect(maps, masks)})
    return cases


def pixel_explicit_cases():
    """Tiny classes written out in full: diagonal-only regions, all-equal maps, no mask."""
    cases = []

    def add(name, maps, masks):
        maps = np.asarray(maps, np.float32)
        masks = np.asarray(masks, bool)
        cases.append({"name": name, "shape": list(maps.shape),
                      "maps": [float(v) for v in maps.ravel()],
                      "masks": [int(v) for v in masks.ravel()],
                      "expect": pixel_expect(maps, masks)})

    # two images 5x5; the mask of image 1 is a diagonal line (one region under 8-connectivity)
    m0 = np.zeros((5, 5), bool)
    m1 = np.eye(5, dtype=bool)
    m1[0, 4] = True
    rng = np.random.default_rng(7)
    a = (rng.integers(0, 20, size=(2, 5, 5)) / 20).astype(np.float32)
    a[1][m1] += np.float32(0.3)
    add("diagonal_5x5", a, np.stack([m0, m1]))
    add("all_equal_maps", np.full((2, 4, 4), 0.25, np.float32), np.stack([np.zeros((4, 4), bool),
                                                                          np.eye(4, dtype=bool)]))
    add("no_anomalous_pixel", a, np.zeros((2, 5, 5), bool))
    return cases


def threshold_cases():
    """np.arange(min, max, (max-min)/200) as compute_pro builds it, for float32 min/max.

    In numpy 1.x a float32 scalar divided by a Python int is float64, so delta and the
    thresholds are float64; `amaps > th` then casts th to float32 (value-based casting).
    We store the float32 thresholds as uint32 bit patterns: count, sum and a few values."""
    rng = np.random.default_rng(8)
    cases = []
    n201 = 0
    tries = 0
    while len(cases) < 60 and tries < 100000:
        tries += 1
        lo = np.float32(rng.uniform(-1, 1) * 10 ** rng.uniform(-4, 1))
        hi = np.float32(lo + abs(rng.normal()) * 10 ** rng.uniform(-6, 1))
        if not hi > lo:
            continue
        th = np.arange(lo, hi, (hi - lo) / 200)
        is201 = len(th) != 200
        if len(cases) >= 40 and not is201:
            continue  # the last 20 cases are those where arange yields 201 values
        n201 += is201
        th32 = th.astype(np.float32)  # what `amaps > th` compares against
        bits = th32.view(np.uint32).astype(np.int64)
        cases.append({"min": float(lo), "max": float(hi), "count": int(len(th)),
                      "bits_sum": int(bits.sum()),
                      "bits_first": [int(b) for b in bits[:3]],
                      "bits_last": [int(b) for b in bits[-3:]],
                      "dtype": str(th.dtype)})
    return cases


def label_cases():
    rng = np.random.default_rng(9)
    cases = []
    for name, hgt, wid, density in [("sparse", 31, 45, 0.2), ("dense", 40, 40, 0.55),
                                     ("lines", 17, 60, 0.45), ("one_pixel", 1, 1, 1.0),
                                     ("empty", 6, 5, 0.0), ("full", 6, 5, 1.0)]:
        if name == "lines":
            m = np.zeros((hgt, wid), bool)
            for k in range(-hgt, wid, 3):
                for y in range(hgt):
                    if 0 <= k + y < wid:
                        m[y, k + y] = True  # diagonals touching only at corners
        else:
            m = rng.random((hgt, wid)) < density
        lab = measure.label(m)  # default connectivity: full (8-neighbours) in 2-D
        lab4 = measure.label(m, connectivity=1)
        cases.append({"name": name, "height": hgt, "width": wid,
                      "mask": [int(v) for v in m.ravel()],
                      "labels8": [int(v) for v in lab.ravel()],
                      "count4": int(lab4.max()),
                      "areas8": [int(r.area) for r in measure.regionprops(lab)]})
    return cases


def mean_cases():
    """statistics.mean of float64 values: exactly rounded, which a naive sum is not."""
    rng = np.random.default_rng(10)
    cases = []
    for k in range(40):
        n = int(rng.integers(1, 300))
        area = rng.integers(1, 70000, size=n)
        tp = (rng.random(n) * (area + 1)).astype(np.int64)
        vals = tp / area  # numpy float64, like tp_pixels / region.area
        m = statistics.mean(vals)
        cases.append({"tp": [int(v) for v in tp], "area": [int(v) for v in area],
                      "mean_hex": float(m).hex(), "naive_hex": float(sum(vals) / n).hex()})
    return cases


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main():
    if not os.path.isdir(OUT):
        sys.exit(f"run from the repository root ({OUT} not found)")
    import sklearn, skimage
    versions = {"numpy": np.__version__, "sklearn": sklearn.__version__,
                "skimage": skimage.__version__, "pandas": pd.__version__,
                "scipy": scipy.__version__}
    write("ranking.json", {"versions": versions, "cases": ranking_cases()})
    write("pixel.json", {"versions": versions, "cases": pixel_cases() + pixel_explicit_cases()})
    write("pro_thresholds.json", {"versions": versions, "cases": threshold_cases()})
    write("labels.json", {"versions": versions, "cases": label_cases()})
    write("exact_mean.json", {"versions": versions, "cases": mean_cases()})


if __name__ == "__main__":
    main()
