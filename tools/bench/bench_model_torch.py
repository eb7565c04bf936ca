#!/usr/bin/python3
"""The PyTorch side of the model benchmark: Dinomaly in Debian's PyTorch 1.13, as one JSON line.

    /usr/bin/python3 tools/bench/bench_model_torch.py --crop 224 --batch 8 --threads 2 --steps 3 --mode train

The model is tools/models/reference_model.py (the official code restated: DINOv2-reg ViT-S/14
encoder, bMlp bottleneck with dropout 0.2, 8 decoder blocks with LinearAttention2), with
random weights (speed does not depend on them). As apps/bench does:
  train  one step = forward (frozen encoder under no_grad) + global_cosine_hm_percent at
         p = 0.9 (its gradient hook included) + backward + clip_grad_norm_(0.1) + StableAdamW
  infer  forward under no_grad in eval mode + anomaly map (bilinear, bilinear, Gaussian) + score
The first step of each kind is a warm-up and is not timed. Run one mode per process: the
peak resident memory (ru_maxrss) then belongs to that mode alone. `rss_before_mb` is the
resident memory once the model and the input exist, before the first step, so
peak_rss_mb - rss_before_mb is what the steps themselves added.

OpenBLAS (Debian's libopenblas0-pthread, which PyTorch's generic BLAS resolves to) detects
this processor as Prescott and runs SSE3 kernels at a fifth of its speed unless
OPENBLAS_CORETYPE is set; tools/bench/bench_model.sh sets OPENBLAS_CORETYPE=SkylakeX so that
PyTorch is measured at its best. The "blas" field says which kernels were used.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "models"))
import reference_model as R  # noqa: E402

# dim, depth, heads, position grid; targets 2..9 and two groups of four (docs/reference.md §0)
PRESETS = {
    "vits14": (384, 12, 6, 37),
    "vitb14": (768, 12, 12, 37),
}


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_kernels():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown"
    for pool in threadpool_info():
        if pool.get("internal_api") == "openblas":
            return "openblas-%s" % pool.get("architecture")
    return "other"


def build(encoder, dropout):
    dim, depth, heads, grid = PRESETS[encoder]
    torch.manual_seed(1)
    enc = R.DinoVisionTransformer(dim, depth, heads, grid)
    bottleneck = torch.nn.ModuleList([R.bMlp(dim, 4 * dim, dropout)])
    decoder = torch.nn.ModuleList([R.DecoderBlock(dim, heads) for _ in range(8)])
    targets = [2, 3, 4, 5, 6, 7, 8, 9]
    groups = [[0, 1, 2, 3], [4, 5, 6, 7]]
    model = R.ViTill(enc, bottleneck, decoder, targets, groups, groups)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02)
    for p in enc.parameters():
        p.requires_grad_(False)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--encoder", default="vits14", choices=sorted(PRESETS))
    ap.add_argument("--crop", type=int, default=224)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--mode", choices=["train", "infer"], required=True)
    args = ap.parse_args()
    if args.crop % 14 != 0:
        sys.exit("bench_model_torch: crop %d is not a multiple of 14" % args.crop)
    torch.set_num_threads(args.threads)

    model = build(args.encoder, 0.2)
    img = torch.randn(args.batch, 3, args.crop, args.crop, generator=torch.Generator().manual_seed(2))
    rss_before = rss_mb()

    if args.mode == "train":
        trainable = torch.nn.ModuleList([model.bottleneck, model.decoder])
        opt = R.StableAdamW(trainable.parameters(), lr=2e-3)

        def step():
            model.train()
            en, de, _ = model(img)
            loss = R.global_cosine_hm_percent(en, de, p=0.9, factor=0.1)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable.parameters(), max_norm=0.1)
            opt.step()
    else:
        def step():
            model.eval()
            with torch.no_grad():
                en, de, _ = model(img)
                R.anomaly_map_and_score(en, de, args.crop)

    step()  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    step_s = (time.perf_counter() - t0) / args.steps
    cpu_s = (time.process_time() - c0) / args.steps
    print(json.dumps({
        "project": "pytorch", "version": torch.__version__, "blas": blas_kernels(),
        "encoder": args.encoder, "crop": args.crop, "batch": args.batch, "threads": args.threads,
        "mode": args.mode, "steps": args.steps, "img_s": round(args.batch / step_s, 4),
        "step_s": round(step_s, 4), "cpu_s": round(cpu_s, 4), "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(rss_mb(), 1)}))


if __name__ == "__main__":
    main()
