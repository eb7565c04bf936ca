#!/usr/bin/python3
"""Where a training step's time goes: reads `perf script -F time,ip,sym -G` (stdin), drops the
samples of the model's set-up (everything up to the last sample in the truncated-normal
initialisation, erfinv/erf), and shares the rest out over the kinds of work below, matched by
symbol name. Used by tools/bench/profile_step.sh."""
import collections
import re
import sys

# (kind, substrings of the symbol); the first kind that matches takes the sample.
KINDS = [
    ("matrix products (own sgemm or Eigen's gebp, with packing)",
     ("sgemm_avx2", "sgemm_avx512", "sgemm_blocked", "pack_a", "pack_b", "micro_kernel", "gebp", "gemm_pack",
      "product_in_blocks", "general_matrix")),
    ("GELU forward and derivative", ("gelu",)),
    ("linear attention (feature map, slopes)", ("feature_map", "feature_slope", "linear_attention", "LinearHead")),
    ("softmax attention (probabilities, exp)", ("attention_prob", "softmax", "exp")),
    ("LayerNorm forward and backward", ("layer_norm",)),
    ("fresh memory: page faults and zeroing (kernel, memset, malloc)",
     ("clear_page", "page_fault", "memset", "alloc_pages", "handle_mm", "folio", "do_anonymous", "malloc",
      "memcg", "get_page_from_freelist", "mas_walk", "_raw_spin", "alloc_frozen", "percpu_counter")),
    ("copies (contiguous, memmove)", ("copy", "memmove", "memcpy")),
    ("dropout masks (Philox)", ("philox", "random", "dropout")),
    ("other elementwise ops and reductions", ("binary", "unary", "reduce", "for_each_row", "add_bias", "mean_of")),
    ("no symbol (OpenMP runtime waits, libm)", ("[unknown]",)),
]
SETUP = ("erfinv", "__erf")


def main():
    samples = []
    for line in sys.stdin:
        m = re.match(r"\s*([\d.]+):\s+[0-9a-f]+\s+(.*)$", line.rstrip())
        if m:
            samples.append((float(m.group(1)), m.group(2)))
    if not samples:
        sys.exit("profile_step.py: no samples on stdin")
    setup_end = max((t for t, s in samples if any(k in s for k in SETUP)), default=samples[0][0])
    steps = [s for t, s in samples if t > setup_end]
    counts, unmatched = collections.Counter(), collections.Counter()
    for sym in steps:
        kind = next((k for k, keys in KINDS if any(x in sym for x in keys)), None)
        if kind is None:
            kind = "other"
            unmatched[sym[:70]] += 1
        counts[kind] += 1
    print("%d samples after the set-up (%.1f s of %.1f s); share of the CPU time:"
          % (len(steps), samples[-1][0] - setup_end, samples[-1][0] - samples[0][0]))
    for kind, _ in KINDS + [("other", ())]:
        print("  %5.1f%%  %s" % (100.0 * counts[kind] / len(steps), kind))
    print("  largest of 'other': " + ", ".join("%s (%d)" % kv for kv in unmatched.most_common(4)))


if __name__ == "__main__":
    main()
