#!/usr/bin/env bash
# Benchmark: whole-process time of `archgen gen` on the example blueprint
# against `cp -r` of the tree it wrote, measured in the same run.
# Target: gen at most 3x the copy. Prints the ratio; exits 0 either way.
#   scripts/bench-gen.sh [BLUEPRINT] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
bp="${1:-blueprints/saas-dashboard.xml}"
runs="${2:-21}"
cargo build --release --quiet
bin="$PWD/target/release/archgen"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bin" gen "$bp" -o "$work/ref" >/dev/null
files=$(find "$work/ref" -type f | wc -l)
bytes=$(du -sb "$work/ref" | cut -f1)

python3 - "$bin" "$bp" "$work" "$runs" "$files" "$bytes" <<'PY'
import os, shutil, statistics, subprocess, sys, time
bin_, bp, work, runs, files, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t
gen, cp = [], []
for i in range(runs):
    # Interleave the two so that machine noise hits both alike.
    gen.append(timed([bin_, "gen", bp, "-o", f"{work}/g{i}"]))
    cp.append(timed(["cp", "-r", f"{work}/ref", f"{work}/c{i}"]))
    shutil.rmtree(f"{work}/g{i}"); shutil.rmtree(f"{work}/c{i}")
g, c = statistics.median(gen), statistics.median(cp)
ratio = g / c
print(f"tree: {files} files, {int(size)/1e3:.1f} kB ({bp})")
print(f"archgen gen (median of {runs}): {g*1e3:.2f} ms")
print(f"cp -r       (median of {runs}): {c*1e3:.2f} ms")
print(f"ratio gen/cp: {ratio:.2f}x  (target <= 3x: {'PASS' if ratio <= 3 else 'FAIL'})")
PY
