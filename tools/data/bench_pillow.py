#!/usr/bin/python3
"""The Pillow + torchvision side of apps/bench_data: the reference's preprocessing.

Decodes every image of a data set (train and test images, not masks) with
`PIL.Image.open(p).convert('RGB')` and applies the reference's transform
(Resize((R, R)), ToTensor(), CenterCrop(C), Normalize(ImageNet)), through a torch
DataLoader with the given number of worker processes and batch size, as the reference's
training script does. Prints one JSON line: {"img_s": ..., "images": ..., "seconds": ...,
"workers": ..., "pillow": ..., "torchvision": ..., "torch": ...}.

Run with Debian's interpreter (python3-pil, python3-torch, python3-torchvision):
    /usr/bin/python3 tools/data/bench_pillow.py --data DIR [--workers 2] [--repeat 2]
bench_data runs it itself, in the same run as its own measurement.
"""
import argparse
import json
import os
import sys
import time

import PIL
import torch
import torchvision
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")


def image_paths(root):
    """Every image under <root>/**/train and <root>/**/test, sorted (masks excluded)."""
    out = []
    for folder, _dirs, files in os.walk(root):
        parts = os.path.relpath(folder, root).split(os.sep)
        if "ground_truth" in parts or not ("train" in parts or "test" in parts):
            continue
        out += [os.path.join(folder, f) for f in files if f.lower().endswith(EXTENSIONS)]
    return sorted(out)


class Images(Dataset):
    def __init__(self, paths, resize, crop):
        self.paths = paths
        self.transform = transforms.Compose([
            transforms.Resize((resize, resize)), transforms.ToTensor(), transforms.CenterCrop(crop),
            transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        return self.transform(Image.open(self.paths[i]).convert("RGB"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--resize", type=int, default=448)
    ap.add_argument("--crop", type=int, default=392)
    ap.add_argument("--repeat", type=int, default=1, help="timed passes; the best is reported")
    args = ap.parse_args()
    torch.set_num_threads(1)  # the main process only collates; the workers do the work
    paths = image_paths(args.data)
    if not paths:
        print("bench_pillow: no images under %s" % args.data, file=sys.stderr)
        sys.exit(1)
    loader = DataLoader(Images(paths, args.resize, args.crop), batch_size=args.batch, shuffle=False,
                        num_workers=args.workers, drop_last=False)
    best = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        count = 0
        for batch in loader:
            count += batch.shape[0]
        seconds = time.perf_counter() - start
        assert count == len(paths)
        best = seconds if best is None else min(best, seconds)
    print(json.dumps({"img_s": len(paths) / best, "images": len(paths), "seconds": best,
                      "workers": args.workers, "pillow": PIL.__version__,
                      "torchvision": torchvision.__version__, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
