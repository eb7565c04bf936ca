"""Summary of tools/bench/bench_train_cache.sh: step times from each run's train.csv, the
extrapolation to the full schedule, and the processes' times and peak memory."""
import csv
import glob
import os
import sys

out, batch, iters = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def step_seconds(mode):
    [path] = glob.glob(os.path.join(out, mode, "*", "train.csv"))  # the one class's unit
    with open(path) as f:
        return [batch / float(r["img_s"]) for r in csv.DictReader(f)]


def mean(xs):
    return sum(xs) / len(xs)


def epoch_steps():
    # "encoder cache: ... N of the M training images fit": an epoch is M // batch steps
    with open(os.path.join(out, "cache.log")) as f:
        for line in f:
            if "training images fit" in line:
                return int(line.split(" of the ")[1].split()[0]) // batch
    raise SystemExit("bench_train_cache.py: no encoder-cache line in the cached run's log")


plain, cached = step_seconds("plain"), step_seconds("cache")
epoch = epoch_steps()
# The first step of each run warms up (allocations, the loader's first batches): left out of the means.
plain_step = mean(plain[1:])
first_epoch, later = cached[1:epoch], cached[epoch:]
plain_total = plain_step * iters
cached_total = mean(first_epoch) * epoch + mean(later) * (iters - epoch)
print(f"steps measured: {len(plain)} without the cache, {len(cached)} with it; an epoch is {epoch} steps")
print(f"without the cache: {plain_step:.3f} s/step")
print(f"with the cache: first epoch {mean(first_epoch):.3f} s/step, later steps {mean(later):.3f} s/step "
      f"({plain_step / mean(later):.2f}x faster)")
print(f"extrapolated to {iters} steps: {plain_total / 60:.1f} min without, {cached_total / 60:.1f} min with "
      f"the cache ({plain_total / cached_total:.2f}x)")
for mode in ("plain", "cache"):
    wall, user, system, rss_kb = open(os.path.join(out, mode + ".time")).read().split()[-4:]
    print(f"{mode}: process wall {float(wall):.0f} s, user {float(user):.0f} s, system {float(system):.0f} s, "
          f"peak RSS {int(rss_kb) / 1024:.0f} MB")
