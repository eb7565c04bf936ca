#!/usr/bin/python3
"""Our inference against ONNX Runtime's, side by side per kind of work: reads
  * `perf script -F tid,time,ip,sym -G` of `apps/bench --mode infer` recorded with
    `perf record -k CLOCK_MONOTONIC` (stdin), keeping only the samples of the timed steps
    (between the bench's infer_from_clock_s and infer_to_clock_s, same clock);
  * the bench's JSON line (argument 1) and profile_ort.mjs's JSON line (argument 2).
Ours: a kind's share of the samples (both threads) times the wall time of a batch; ONNX
Runtime: the kernel times of its nodes, by operator type, per run. Used by
tools/bench/profile_infer.sh."""
import collections
import json
import re
import sys

# (kind, substrings of our symbols, ONNX Runtime operator types); the first kind whose
# substrings match takes a sample. GEMM includes its operand packing on both sides (MLAS
# packs inside MatMul as well).
KINDS = [
    ("matmul/GEMM (with packing)",
     ("sgemm", "pack_a", "pack_b", "micro_kernel", "gebp", "gemm_pack", "product_in_blocks", "general_matrix",
      "im2col", "product_on_this_thread", "batched_matmul"),
     ("MatMul", "Gemm", "FusedMatMul", "FusedGemm", "Conv", "MatMulNBits", "QAttention")),
    ("attention (softmax, per-head products)", ("attention", "softmax", "_exp"),
     ("Softmax", "Attention", "MultiHeadAttention")),
    ("LayerNorm", ("layer_norm",), ("LayerNormalization", "SkipLayerNormalization", "SimplifiedLayerNormalization")),
    ("GELU", ("gelu", "erf"), ("Gelu", "BiasGelu", "FastGelu", "Erf")),
    ("linear attention (decoder)", ("feature_map", "feature_slope", "linear_attention", "LinearHead"),
     ("Elu",)),
    ("allocation/page faults (kernel, memset, malloc)",
     ("clear_page", "page_fault", "memset", "alloc_pages", "handle_mm", "folio", "do_anonymous", "malloc",
      "free", "memcg", "get_page_from_freelist", "mas_walk", "_raw_spin", "alloc_frozen", "percpu_counter",
      "unmap", "zap_", "tlb", "lru", "mmap", "munmap", "release_pages", "cgroup", "rmqueue"), ()),
    ("copies/transposes (contiguous, memmove, concat)",
     ("copy", "memmove", "memcpy", "contiguous", "concat", "cat_", "strided"),
     ("Transpose", "Reshape", "Concat", "Slice", "Gather", "Split", "Expand", "Squeeze", "Unsqueeze", "Flatten",
      "Identity", "Pad", "Tile", "Cast")),
    ("anomaly map (resize, blur, cosine)", ("resample", "resize", "gaussian", "blur", "cosine", "anomaly"),
     ("Resize", "Upsample")),
    ("elementwise and reductions",
     ("binary", "unary", "reduce", "for_each_row", "add_bias", "mean_of", "elementwise", "scale", "norm"),
     ("Add", "Mul", "Div", "Sub", "Sqrt", "Pow", "ReduceMean", "ReduceSum", "ReduceL2", "ReduceMax", "Max", "Min",
      "Clip", "Relu", "Exp", "Abs", "Neg", "Reciprocal", "Where", "Equal", "Sigmoid", "TopK", "ReduceSumSquare",
      "ReduceLogSumExp", "Sum", "Mean")),
    ("OpenMP runtime (waits, barriers)", ("gomp", "GOMP", "omp_", "[unknown]", "sched_yield", "futex", "do_syscall",
                                          "entry_SYSCALL", "schedule"), ("between nodes",)),
]
OTHER = "other"


def read_ours(stream, t0, t1):
    """(counts per kind, unmatched symbols, sample count) of the samples in [t0, t1]."""
    counts, unmatched, n = collections.Counter(), collections.Counter(), 0
    for line in stream:
        m = re.match(r"\s*\d+\s+([\d.]+):\s+[0-9a-f]+\s+(.*)$", line.rstrip())
        if not m or not (t0 <= float(m.group(1)) <= t1):
            continue
        sym = m.group(2)
        kind = next((k for k, keys, _ in KINDS if any(x in sym for x in keys)), OTHER)
        if kind == OTHER:
            unmatched[sym[:80]] += 1
        counts[kind] += 1
        n += 1
    return counts, unmatched, n


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: perf script ... | profile_infer.py OURS.json ORT.json")
    ours = json.loads(open(sys.argv[1]).read())
    theirs = json.loads(open(sys.argv[2]).read())
    counts, unmatched, n = read_ours(sys.stdin, ours["infer_from_clock_s"], ours["infer_to_clock_s"])
    if n == 0:
        sys.exit("profile_infer.py: no samples inside the timed inference steps")
    ours_ms = 1000.0 * ours["infer_step_s"]
    ort = collections.Counter()
    unmatched_ops = collections.Counter()
    for op, v in theirs["ops"].items():
        kind = next((k for k, _, ops in KINDS if op in ops), OTHER)
        if kind == OTHER:
            unmatched_ops[op] += v["ms"]
        ort[kind] += v["ms"]
    ort_ms = theirs["run_ms"]
    print("%s, crop %d, batch %d, %d threads: ours %.0f ms per batch (%d samples in %d timed batches, "
          "%.2f CPU s per batch), ONNX Runtime %.0f ms per run (profiled, %d runs)"
          % (ours["encoder"], ours["crop"], ours["batch"], ours["threads"], ours_ms, n, ours["steps"],
             ours["infer_cpu_s"], ort_ms, theirs["steps"]))
    print("| kind of work | ours, ms per batch | ours, share | ONNX Runtime, ms per batch | ONNX Runtime, share |")
    print("|---|---:|---:|---:|---:|")
    for kind in [k for k, _, _ in KINDS] + [OTHER]:
        share = counts[kind] / n
        print("| %s | %.0f | %.1f%% | %.0f | %.1f%% |"
              % (kind, share * ours_ms, 100 * share, ort[kind], 100 * ort[kind] / ort_ms))
    print("| total | %.0f | 100%% | %.0f | 100%% |" % (ours_ms, ort_ms))
    print("ours, largest of 'other': " + ", ".join("%s (%d)" % kv for kv in unmatched.most_common(6)))
    print("ONNX Runtime, 'other' operators: " + ", ".join("%s (%.0f ms)" % kv for kv in unmatched_ops.most_common(6)))
    print("ONNX Runtime operators: " + ", ".join(
        "%s %.0f ms in %d nodes" % (op, v["ms"], round(v["nodes"]))
        for op, v in sorted(theirs["ops"].items(), key=lambda kv: -kv[1]["ms"])))


if __name__ == "__main__":
    main()
