#!/usr/bin/env bash
# Benchmarks the reader: wall time and peak memory of `archgen validate`
# (read, decode, parse, check) on a real 3.8 MB model (A) and on a model
# FACTOR times larger built from it (B). Prints PASS/FAIL against the
# targets in docs/benchmarks.md, but exits 0 either way: it measures, it
# does not test. Exits 1 only when the benchmark itself cannot run.
#
# The runs of A and B are interleaved, so that load from elsewhere on a shared
# host falls on both alike. PASS/FAIL is judged on the median; the best run
# and the spread are printed too, to show how noisy the host was.
#
# Knobs (environment): FACTOR (10), RUNS_A (21), RUNS_B (7).
set -euo pipefail
cd "$(dirname "$0")/.."

INPUT_A=../shared/blueprints/real/pyarchimate_synthetic_large.xml
FACTOR=${FACTOR:-10}
RUNS_A=${RUNS_A:-21}
RUNS_B=${RUNS_B:-7}
BIN=target/release/archgen

die() { echo "error: $*" >&2; exit 1; }
[ -f "$INPUT_A" ] || die "input A \`$INPUT_A\` not found (looked relative to the repo root $(pwd))"

echo "== cargo build --release"
cargo build --release --quiet

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
INPUT_B=$tmp/scaled-x$FACTOR.xml
echo "== building B: A replicated $FACTOR times"
python3 scripts/scale-model.py "$INPUT_A" "$INPUT_B" "$FACTOR"

elements() {
  "$BIN" inspect --json "$1" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["elements"]))'
}
echo "== checking B (inspect --json)"
count_a=$(elements "$INPUT_A")
count_b=$(elements "$INPUT_B")
[ "$count_b" -eq $((FACTOR * count_a)) ] ||
  die "B has $count_b elements, expected $FACTOR x $count_a = $((FACTOR * count_a))"

echo "== measuring archgen validate (one warm-up, then $RUNS_A runs on A, $RUNS_B on B)"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
python3 - "$BIN" "$tmp" "$INPUT_A" "$RUNS_A" "$INPUT_B" "$RUNS_B" "$FACTOR" <<'EOF'
import os, statistics, subprocess, sys, time

binary, tmp, path_a, runs_a, path_b, runs_b, factor = sys.argv[1:]
MB = 1e6


def run(path):
    """One `archgen validate`: (wall seconds, peak RSS in bytes).

    The process is spawned directly and reaped with wait4, which also gives
    its peak RSS: no shell or /usr/bin/time in between to add to the time.
    """
    err = os.path.join(tmp, "stderr")
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    start = time.perf_counter()
    pid = os.posix_spawn(binary, [binary, "validate", path], os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:  # the warm-up doubles as the check that validate exits 0
        with open(err, errors="replace") as f:
            sys.exit(f"error: archgen validate {path} exited {code}\n" + f.read()[-2000:])
    return wall, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def summary(path, samples):
    walls = [w for w, _ in samples]
    return {"bytes": os.path.getsize(path), "runs": len(samples),
            "median": statistics.median(walls), "min": min(walls), "max": max(walls),
            "rss": max(r for _, r in samples)}


run(path_a), run(path_b)  # warm-up: page cache, binary
samples_a, samples_b = [], []
for i in range(max(int(runs_a), int(runs_b))):
    if i < int(runs_a):
        samples_a.append(run(path_a))
    if i < int(runs_b):
        samples_b.append(run(path_b))
a, b = summary(path_a, samples_a), summary(path_b, samples_b)
verdict = lambda ok: "PASS" if ok else "FAIL"

print(f"\n{'input':<10}{'size MB':>9}{'runs':>6}{'median s':>10}{'min s':>9}{'max s':>9}"
      f"{'MB/s':>9}{'best MB/s':>11}{'peak RSS MB':>13}")
for name, m in (("A", a), (f"B (x{factor})", b)):
    print(f"{name:<10}{m['bytes'] / MB:>9.2f}{m['runs']:>6}{m['median']:>10.3f}"
          f"{m['min']:>9.3f}{m['max']:>9.3f}{m['bytes'] / MB / m['median']:>9.1f}"
          f"{m['bytes'] / MB / m['min']:>11.1f}{m['rss'] / MB:>13.1f}")
print(f"(MB/s from the median, best MB/s from the fastest run; "
      f"A's slowest run took {a['max'] / a['min']:.1f}x its fastest)")
print()

for name, m in (("A", a), ("B", b)):
    mbps = m["bytes"] / MB / m["median"]
    print(f"throughput {name}: {mbps:.1f} MB/s (target >= 150 MB/s) {verdict(mbps >= 150)}")

size_ratio = b["bytes"] / a["bytes"]
time_ratio = b["median"] / a["median"]
print(f"scaling: time ratio {time_ratio:.2f} for size ratio {size_ratio:.2f} "
      f"(target <= 1.1 x size ratio = {1.1 * size_ratio:.2f}) "
      f"{verdict(time_ratio <= 1.1 * size_ratio)}")

for name, m in (("A", a), ("B", b)):
    budget = 4 * m["bytes"] + 30 * MB
    print(f"peak memory {name}: {m['rss'] / MB:.1f} MB (budget 4 x input + 30 MB = "
          f"{budget / MB:.1f} MB) {verdict(m['rss'] <= budget)}")
EOF
