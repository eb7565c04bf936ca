#!/usr/bin/python3
"""Summarises tools/bench/bench_model.sh's JSON lines (stdin): medians over the rounds of each
project's images/s and peak memory, the median of the per-round ratios, and the share of
the machine's sgemm FLOP/s (measured in the same rounds) that our training step sustains."""
import json
import platform
import statistics
import sys


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def scaling(rows):
    """A markdown table, one line per (crop, batch): step seconds and peak RSS of both."""
    table = {}
    for r in rows:
        mode = r["mode"]
        key = (r["crop"], r["batch"])
        if r["project"] == "pytorch":
            table.setdefault(key, {})[("pytorch", mode)] = (r["step_s"], r["peak_rss_mb"])
        else:
            table.setdefault(key, {})[("ours", mode)] = (r[mode + "_step_s"], r["peak_rss_mb"])
    print("| crop | batch | tokens | train s/step: ours | PyTorch | ratio | inference s/batch: ours | PyTorch | ratio "
          "| train peak RSS MB: ours | PyTorch | inference peak RSS MB: ours | PyTorch |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (crop, batch) in sorted(table):
        v = table[(crop, batch)]
        ot, pt, oi, pi = v[("ours", "train")], v[("pytorch", "train")], v[("ours", "infer")], v[("pytorch", "infer")]
        tokens = 1 + 4 + (crop // 14) ** 2
        print("| %d | %d | %d | %.2f | %.2f | %.2fx | %.2f | %.2f | %.2fx | %.0f | %.0f | %.0f | %.0f |" % (
            crop, batch, tokens, ot[0], pt[0], pt[0] / ot[0], oi[0], pi[0], pi[0] / oi[0], ot[1], pt[1], oi[1], pi[1]))


def main():
    rows = [json.loads(line) for line in sys.stdin if line.startswith("{")]
    if "--scaling" in sys.argv:
        scaling(rows)
        return
    rounds = sorted({r["round"] for r in rows})
    by = {}
    options = {}  # (matmul, cache_encoder, mode) -> {round: row}, our option runs
    for r in rows:
        mode = r.get("mode", "")
        if r["project"] == "dinomaly.cpp" and (r.get("matmul", "fp32") != "fp32" or r.get("cache_encoder")):
            options.setdefault((r["matmul"], r["cache_encoder"], mode), {})[r["round"]] = r
            continue
        by.setdefault((r["project"], mode), {})[r["round"]] = r
    ours_t, ours_i = by[("dinomaly.cpp", "train")], by[("dinomaly.cpp", "infer")]
    torch_t, torch_i = by[("pytorch", "train")], by[("pytorch", "infer")]
    sgemm = by[("sgemm", "")]
    med = statistics.median

    def ratio(a, b, ka, kb):
        return med([a[r][ka] / b[r][kb] for r in rounds if b[r][kb] > 0])

    first = ours_t[rounds[0]]
    cfg = "%s, crop %d, batch %d, %d threads, %d timed steps, %d rounds" % (
        first["encoder"], first["crop"], first["batch"], first["threads"], first["steps"], len(rounds))
    out = {
        "config": cfg,
        "machine": "%s, %d cores" % (cpu_name(), __import__("os").cpu_count()),
        "pytorch_blas": torch_t[rounds[0]]["blas"],
        "sgemm_gflops": med([sgemm[r]["gflops"] for r in rounds]),
        "train_img_s": {"ours": med([ours_t[r]["train_img_s"] for r in rounds]),
                        "pytorch": med([torch_t[r]["img_s"] for r in rounds]),
                        "ratio": ratio(ours_t, torch_t, "train_img_s", "img_s")},
        "infer_img_s": {"ours": med([ours_i[r]["infer_img_s"] for r in rounds]),
                        "pytorch": med([torch_i[r]["img_s"] for r in rounds]),
                        "ratio": ratio(ours_i, torch_i, "infer_img_s", "img_s")},
        "train_peak_rss_mb": {"ours": med([ours_t[r]["peak_rss_mb"] for r in rounds]),
                              "pytorch": med([torch_t[r]["peak_rss_mb"] for r in rounds])},
        "infer_peak_rss_mb": {"ours": med([ours_i[r]["peak_rss_mb"] for r in rounds]),
                              "pytorch": med([torch_i[r]["peak_rss_mb"] for r in rounds])},
        "train_gflops_ours": med([ours_t[r]["train_gflops"] for r in rounds]),
        "train_sgemm_fraction": med([ours_t[r]["train_gflops"] / sgemm[r]["gflops"] for r in rounds]),
        "infer_sgemm_fraction": med([ours_i[r]["infer_gflops"] / sgemm[r]["gflops"] for r in rounds]),
        "options": [{"matmul": mm, "cache_encoder": ce, "mode": mode,
                     "img_s": med([v[r][mode + "_img_s"] for r in rounds]),
                     "ratio": ratio(v, torch_t if mode == "train" else torch_i, mode + "_img_s", "img_s"),
                     "peak_rss_mb": med([v[r]["peak_rss_mb"] for r in rounds])}
                    for (mm, ce, mode), v in sorted(options.items())],
        "per_round": [{"round": r, "sgemm_gflops": sgemm[r]["gflops"],
                       "train": [ours_t[r]["train_img_s"], torch_t[r]["img_s"]],
                       "infer": [ours_i[r]["infer_img_s"], torch_i[r]["img_s"]]} for r in rounds],
    }
    if "--markdown" not in sys.argv:
        print(json.dumps(out, indent=1))
        return
    t, i = out["train_img_s"], out["infer_img_s"]
    mt, mi = out["train_peak_rss_mb"], out["infer_peak_rss_mb"]
    print("| %s | dinomaly.cpp | PyTorch 1.13 (%s) | ratio |" % (cfg, out["pytorch_blas"]))
    print("|---|---:|---:|---:|")
    print("| training step, images/s | %.2f | %.2f | %.2fx |" % (t["ours"], t["pytorch"], t["ratio"]))
    print("| inference, images/s | %.2f | %.2f | %.2fx |" % (i["ours"], i["pytorch"], i["ratio"]))
    print("| training process peak RSS, MB | %.0f | %.0f | %.2fx |" % (mt["ours"], mt["pytorch"], mt["ours"] / mt["pytorch"]))
    print("| inference process peak RSS, MB | %.0f | %.0f | %.2fx |" % (mi["ours"], mi["pytorch"], mi["ours"] / mi["pytorch"]))
    for o in out["options"]:
        name = " + ".join(([] if o["matmul"] == "fp32" else ["bf16 products (AMX)"]) +
                          (["encoder cache"] if o["cache_encoder"] else []))
        kind = "training step" if o["mode"] == "train" else "inference"
        torch_ref = t["pytorch"] if o["mode"] == "train" else i["pytorch"]
        print("| option: %s, %s, images/s | %.2f | (%.2f, float32) | %.2fx |" % (name, kind, o["img_s"], torch_ref, o["ratio"]))
    print("\nsgemm (OpenBLAS, numpy, 2048³): %.0f GFLOP/s; our training step: %.0f GFLOP/s = %.0f%% of it; inference %.0f%%"
          % (out["sgemm_gflops"], out["train_gflops_ours"], 100 * out["train_sgemm_fraction"],
             100 * out["infer_sgemm_fraction"]))


if __name__ == "__main__":
    main()
