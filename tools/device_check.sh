#!/usr/bin/env bash
# The device check: on a fresh GPU machine, in one call of at most 8 minutes, build with
# CUDA, run the CUDA tests, and run the GPU benchmark (Dinomaly ViT-B at 392, batch 16:
# our `bench` app and the same model in the machine's PyTorch, eager fp32 and bf16
# autocast). Every stage is time-boxed; logs and results go under $OUT.
#
#   tools/device_check.sh            on the GPU machine, from the repository root
#   tools/device_check.sh --pack     HERE, beforehand: copies the build tools and headers
#                                    the GPU machine may lack into .devdeps/ (git-ignored)
#
# With the workplace's device tool: run --pack here once, then
#   run(command: "tools/device_check.sh", carry: [".devdeps"], timeout_s: 560)
#
# The GPU machine's image has nvcc, PyTorch, meson and ninja (pip) but probably not the
# Debian -dev packages this tree uses (Eigen, nlohmann-json, libzip, libjpeg, stb, CLI11,
# doctest). Whatever pkg-config cannot find there is taken from .devdeps. If meson cannot
# configure at all, a plain nvcc/g++ command line builds the tensor library and the CUDA
# test suites (not the apps). Environment knobs: OUT (default ./device-out),
# DN_CHECK_BUDGET (seconds, default 470), DN_GPU_ARCHS (default 90), BUILD_DIR
# (default build-device), DN_BENCH_STEPS (default 10), DN_CHECK_PLAIN=1 (skip meson).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD

# --------------------------------------------------------------------------------------
# --pack: gather the dependencies on this (Debian) machine.
# --------------------------------------------------------------------------------------
if [ "${1:-}" = "--pack" ]; then
  D=$ROOT/.devdeps
  rm -rf "$D" && mkdir -p "$D/include" "$D/lib" "$D/pkgconfig" "$D/python" "$D/bin"
  grep -qx '/.devdeps/' .git/info/exclude 2>/dev/null || echo '/.devdeps/' >> .git/info/exclude
  cp -r /usr/include/eigen3 /usr/include/stb /usr/include/nlohmann /usr/include/CLI \
        /usr/include/doctest "$D/include/"
  cp /usr/include/zip.h /usr/include/jpeglib.h /usr/include/jmorecfg.h /usr/include/jerror.h \
     "$D/include/"
  cp /usr/include/x86_64-linux-gnu/zipconf.h /usr/include/x86_64-linux-gnu/jconfig.h "$D/include/" 2>/dev/null ||
    cp /usr/lib/x86_64-linux-gnu/libzip/include/zipconf.h "$D/include/" 2>/dev/null || true
  for lib in libzip.so.4 libjpeg.so.62 libbz2.so.1.0; do
    cp -L "/usr/lib/x86_64-linux-gnu/$lib" "$D/lib/" 2>/dev/null || cp -L "/lib/x86_64-linux-gnu/$lib" "$D/lib/"
  done
  ln -sf libzip.so.4 "$D/lib/libzip.so"
  ln -sf libjpeg.so.62 "$D/lib/libjpeg.so"
  # Relocatable pkg-config files: ${pcfiledir} is wherever .devdeps lands.
  pc() {  # name version cflags libs
    printf 'prefix=${pcfiledir}/..\nName: %s\nDescription: carried by tools/device_check.sh\nVersion: %s\nCflags: %s\nLibs: %s\n' \
      "$1" "$2" "$3" "$4" > "$D/pkgconfig/$1.pc"
  }
  pc eigen3 "$(pkg-config --modversion eigen3)" '-I${prefix}/include/eigen3' ''
  pc stb "$(pkg-config --modversion stb 2>/dev/null || echo 0.0)" '-I${prefix}/include/stb' ''
  pc nlohmann_json "$(pkg-config --modversion nlohmann_json)" '-I${prefix}/include' ''
  pc CLI11 "$(pkg-config --modversion CLI11)" '-I${prefix}/include' ''
  pc libzip "$(pkg-config --modversion libzip)" '-I${prefix}/include' '-L${prefix}/lib -lzip'
  pc libjpeg "$(pkg-config --modversion libjpeg)" '-I${prefix}/include' '-L${prefix}/lib -ljpeg'
  # meson (pure Python), ninja and pkg-config, in case the machine's are missing.
  cp -r /usr/lib/python3/dist-packages/mesonbuild "$D/python/"
  cp "$(command -v ninja)" "$D/bin/ninja"
  cp "$(readlink -f "$(command -v pkg-config)")" "$D/bin/pkg-config"
  cp -L /usr/lib/x86_64-linux-gnu/libpkgconf.so.3 "$D/lib/" 2>/dev/null ||
    cp -L /lib/x86_64-linux-gnu/libpkgconf.so.3 "$D/lib/" 2>/dev/null || true
  cat > "$D/bin/meson" <<'EOF'
#!/bin/sh
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$here/python${PYTHONPATH:+:$PYTHONPATH}" exec python3 -m mesonbuild.mesonmain "$@"
EOF
  chmod +x "$D/bin/meson"
  echo "packed $(du -sh "$D" | cut -f1) into .devdeps"
  exit 0
fi

# --------------------------------------------------------------------------------------
# The check.
# --------------------------------------------------------------------------------------
OUT=${OUT:-$ROOT/device-out}
mkdir -p "$OUT"
BUDGET=${DN_CHECK_BUDGET:-470}
ARCHS=${DN_GPU_ARCHS:-90}
BUILD=${BUILD_DIR:-build-device}
STEPS=${DN_BENCH_STEPS:-10}
START=$(date +%s)
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"
export PYTHONUNBUFFERED=1

left() { echo $((BUDGET - ($(date +%s) - START))); }
note() { echo "$*" | tee -a "$SUMMARY"; }

# At most 8 files come back from $OUT, so stages append to a few logs:
#   build.log (environment, configure, build), tests.log, bench.log, plus bench_ours.json,
#   bench_torch.jsonl, summary.txt and summary.md. Scratch files live in $WORK.
WORK=$(mktemp -d /tmp/dn-device-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# stage NAME LOG CAP_SECONDS COMMAND...: runs COMMAND with a timeout of min(CAP, time
# left - 5), appending its output to $OUT/LOG; records "NAME: ok|failed (rc)|timed out|
# skipped" in the summary.
stage() {
  local name=$1 log=$OUT/$2 cap=$3
  shift 3
  local t
  t=$(left)
  t=$((t - 5))
  [ "$t" -gt "$cap" ] && t=$cap
  if [ "$t" -lt 5 ]; then
    note "$name: skipped (no time left)"
    return 99
  fi
  local s0 rc
  s0=$(date +%s)
  echo "==== $name: $* (limit ${t}s)" >> "$log"
  timeout -k 5 "$t" "$@" > "$WORK/$name.log" 2>&1
  rc=$?
  cat "$WORK/$name.log" >> "$log"
  local took=$(($(date +%s) - s0))
  if [ $rc -eq 0 ]; then note "$name: ok (${took}s)"
  elif [ $rc -eq 77 ]; then note "$name: SKIPPED (exit 77: no usable CUDA device)"
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then note "$name: timed out after ${t}s"
  else note "$name: failed (rc $rc, ${took}s)"; fi
  return $rc
}

# ---- environment ------------------------------------------------------------------------
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv 2>&1
  nvcc --version 2>&1 | tail -2
  gcc --version 2>&1 | head -1
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))' 2>&1
  echo "nproc $(nproc)"
} > "$OUT/build.log" 2>&1
GPU=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2> /dev/null | head -1)
note "device check $(date -u +%Y-%m-%dT%H:%MZ) on ${GPU:-no GPU visible to nvidia-smi}"

# ---- tools and dependencies ---------------------------------------------------------------
DEPS=$ROOT/.devdeps
MESON=""
if command -v meson > /dev/null; then MESON=meson
elif python3 -c 'import mesonbuild' 2> /dev/null; then MESON="python3 -m mesonbuild.mesonmain"
elif [ -x "$DEPS/bin/meson" ]; then MESON=$DEPS/bin/meson
fi
if ! command -v ninja > /dev/null; then
  if python3 -c 'import ninja' 2> /dev/null; then
    export PATH="$(python3 -c 'import ninja, os; print(ninja.BIN_DIR)'):$PATH"
  elif [ -x "$DEPS/bin/ninja" ]; then export PATH="$DEPS/bin:$PATH"; fi
fi
ORIG_LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}
if [ -d "$DEPS" ]; then
  # Carried shared libraries only where the machine has none of that name.
  mkdir -p "$WORK/lib"
  for lib in "$DEPS"/lib/*.so.*; do
    ldconfig -p 2> /dev/null | grep -q "$(basename "$lib") " || ln -sf "$lib" "$WORK/lib/"
  done
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$WORK/lib"
  command -v pkg-config > /dev/null || export PATH="$PATH:$DEPS/bin"  # the machine's tools first
  # Only what the machine lacks comes from .devdeps (its .pc files are linked one by one).
  PCDIR=$WORK/pkgconfig
  mkdir -p "$PCDIR"
  for pc in "$DEPS"/pkgconfig/*.pc; do
    name=$(basename "$pc" .pc)
    if ! pkg-config --exists "$name" 2> /dev/null; then
      sed "s#\${pcfiledir}/..#$DEPS#" "$pc" > "$PCDIR/$name.pc"
      echo "carried: $name" >> "$OUT/build.log"
    fi
  done
  export PKG_CONFIG_PATH="$PCDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  if [ ! -f /usr/include/doctest/doctest.h ]; then
    export CPATH="$DEPS/include${CPATH:+:$CPATH}"
    # tests/meson.build names /usr/include/doctest itself; on this throwaway machine (root)
    # put the header there rather than fail to configure.
    [ -w /usr/include ] && cp -r "$DEPS/include/doctest" /usr/include/ && echo "copied doctest to /usr/include" >> "$OUT/build.log"
  fi
fi
echo "meson: ${MESON:-none}; ninja: $(command -v ninja || echo none)" >> "$OUT/build.log"

# ---- build ------------------------------------------------------------------------------
TEST_BIN=""
LOGIC_BIN=""
BENCH_BIN=""
built=no
RECONF=""
[ -f "$BUILD/build.ninja" ] && RECONF=--reconfigure  # a warm machine keeps the last build
[ "${DN_CHECK_PLAIN:-0}" = 1 ] && MESON=""  # force the fallback (to test it)
if [ -n "$MESON" ] && stage configure build.log 90 $MESON setup "$BUILD" $RECONF -Dcuda=enabled -Dgpu_archs="$ARCHS" -Dbuildtype=release; then
  targets="tests/cuda/test_cuda tests/cuda/test_cuda_logic"
  # The bench app, when the tree has one.
  if ninja -C "$BUILD" -t targets all 2> /dev/null | grep -q '^apps/bench:'; then targets="$targets apps/bench"; fi
  # -k 0: the test suites still get built when another target (the bench) fails to.
  stage build build.log 240 ninja -C "$BUILD" -k 0 -j "$(nproc)" $targets
  TEST_BIN=$BUILD/tests/cuda/test_cuda
  LOGIC_BIN=$BUILD/tests/cuda/test_cuda_logic
  [ -x "$TEST_BIN" ] && built=meson
  [ -x "$BUILD/apps/bench" ] && BENCH_BIN=$BUILD/apps/bench
fi
if [ "$built" = no ]; then
  # Fallback: the tensor library (with its CUDA backend) and the CUDA suites, by hand.
  note "meson build unavailable: building the CUDA test suites with nvcc/g++ directly"
  cat > "$WORK/plain_build.sh" << 'EOF'
set -eu
B=$1; ARCHS=$2; DEPS=$3
mkdir -p "$B/obj"
INC="-I. -I$DEPS/include -I$DEPS/include/eigen3 -I/usr/include/eigen3 -I$DEPS/include/stb -I/usr/local/cuda/include"
CXXF="-std=c++20 -O2 -fopenmp -DNDEBUG $INC"
GENCODE=""
for a in $(echo "$ARCHS" | tr ';' ' '); do GENCODE="$GENCODE -gencode=arch=compute_$a,code=sm_$a"; done
compile() {  # source -> object
  src=$1; obj=$B/obj/$(echo "$src" | tr '/' '_').o
  case $src in
    *.cu) nvcc -std=c++20 -O3 --expt-relaxed-constexpr $GENCODE -Xcompiler=-fopenmp -DNDEBUG $INC -c "$src" -o "$obj" ;;
    *) g++ $CXXF -c "$src" -o "$obj" ;;
  esac
}
export -f compile; export B CXXF INC GENCODE
SRCS=$(find tensor -name '*.cpp' -o -name '*.cu' | grep -v 'tensor/cuda/stub.cpp')
echo "$SRCS" | xargs -P "$(nproc)" -I{} bash -c 'compile {}'
LIBOBJS=$(for s in $SRCS; do echo "$B/obj/$(echo "$s" | tr '/' '_').o"; done)
LIBS="-L$DEPS/lib -L/usr/local/cuda/lib64 -lcublas -lcudart -lzip -lgomp -lpthread"
for s in tests/cuda/main.cpp tests/cuda/test_runtime.cpp tests/cuda/test_elementwise.cpp \
         tests/cuda/test_reduce_matmul.cpp tests/cuda/test_nn_index.cpp \
         tests/cuda/test_resample_conv_random.cpp tests/cuda/test_kernel_logic.cpp \
         tests/support/doctest_main.cpp; do echo "$s"; done | xargs -P "$(nproc)" -I{} bash -c 'compile {}'
o() { echo "$B/obj/$(echo "$1" | tr '/' '_').o"; }
g++ -fopenmp -o "$B/test_cuda" $(o tests/cuda/main.cpp) $(o tests/cuda/test_runtime.cpp) \
  $(o tests/cuda/test_elementwise.cpp) $(o tests/cuda/test_reduce_matmul.cpp) \
  $(o tests/cuda/test_nn_index.cpp) $(o tests/cuda/test_resample_conv_random.cpp) $LIBOBJS $LIBS
g++ -fopenmp -o "$B/test_cuda_logic" $(o tests/cuda/test_kernel_logic.cpp) \
  $(o tests/support/doctest_main.cpp) $LIBOBJS $LIBS
EOF
  if stage plain_build build.log 300 bash "$WORK/plain_build.sh" "$BUILD-plain" "$ARCHS" "$DEPS"; then
    built=plain
    TEST_BIN=$BUILD-plain/test_cuda
    LOGIC_BIN=$BUILD-plain/test_cuda_logic
  fi
fi

# ---- tests --------------------------------------------------------------------------------
export DN_SHARED_DATA=$ROOT/../shared/data DN_FIXTURES=$ROOT/tests/fixtures OMP_NUM_THREADS=8
for suite in test_cuda_logic test_cuda; do
  bin=$LOGIC_BIN
  [ $suite = test_cuda ] && bin=$TEST_BIN
  if [ -x "$bin" ]; then
    stage $suite tests.log 150 "$bin" --duration=true
    grep -E '^\[doctest\] (test cases|assertions)|no CUDA device|CUDA device:' "$WORK/$suite.log" |
      sed "s/^/  $suite: /" | tee -a "$SUMMARY"
  else
    note "$suite: not built"
  fi
done

# ---- benchmarks ---------------------------------------------------------------------------
# Ours first (it is what is being measured), then PyTorch's, each alone on the GPU.
if [ -n "$BENCH_BIN" ]; then
  stage bench_ours bench.log 120 "$BENCH_BIN" --device cuda --encoder vitb14 --crop 392 --batch 16 --steps "$STEPS"
  grep '^{' "$WORK/bench_ours.log" | tail -1 > "$OUT/bench_ours.json"
else
  note "bench_ours: skipped (no apps/bench in this tree yet)"
fi
# PyTorch with the machine's own library path (not the carried libraries).
stage bench_torch bench.log 150 env LD_LIBRARY_PATH="$ORIG_LD_LIBRARY_PATH" python3 tools/bench_torch_gpu.py --batch 16 --crop 392 --steps "$STEPS" \
  --modes fp32,bf16 --out "$OUT/bench_torch.jsonl"

# ---- summary (printed last: the reply shows the end of the output) -------------------------
{
  echo
  echo "== Dinomaly ViT-B/14-reg4, crop 392, batch 16 =="
  printf '%-28s %12s %12s %12s\n' "implementation" "train img/s" "infer img/s" "peak MiB"
  python3 - "$OUT" << 'EOF' || true
import json, sys, os
out = sys.argv[1]
rows = []
p = os.path.join(out, "bench_ours.json")
if os.path.exists(p) and os.path.getsize(p) > 0:
    try:
        d = json.loads(open(p).read())
        # GPU memory when the app reports it (any key with "gpu" and "mb"), else what it has.
        gpu = [v for k, v in d.items() if "gpu" in k and k.endswith("mb") and "train" in k] + \
              [v for k, v in d.items() if "gpu" in k and k.endswith("mb")]
        peak = gpu[0] if gpu else d.get("train_peak_tensor_mb", d.get("peak_rss_mb"))
        rows.append(("dinomaly.cpp cuda", d.get("train_img_s"), d.get("infer_img_s"), peak))
    except Exception as e:
        rows.append(("dinomaly.cpp (unreadable)", None, None, None))
p = os.path.join(out, "bench_torch.jsonl")
if os.path.exists(p):
    for line in open(p):
        try:
            d = json.loads(line)
        except Exception:
            continue
        if "error" in d:
            rows.append(("torch %s: %s" % (d.get("mode"), d["error"][:40]), None, None, None))
        else:
            rows.append(("torch %s %s eager" % (d["torch"], d["mode"]), d["train_img_s"], d["infer_img_s"], d["train_peak_mb"]))
f = lambda v: "%12.1f" % v if isinstance(v, (int, float)) else "%12s" % "-"
for name, t, i, m in rows:
    print("%-28s %s %s %s" % (name, f(t), f(i), f(m)))
EOF
  echo
  cat "$SUMMARY"
  echo "total $(($(date +%s) - START))s; logs in $OUT"
} | tee "$OUT/summary.md"
