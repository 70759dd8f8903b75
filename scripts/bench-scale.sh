#!/usr/bin/env bash
# Benchmarks how `archgen gen`, `plan` and `check` grow with the model:
# ArchiMetal (../shared/blueprints/real/architools_ArchiMetal_V3.xml)
# replicated FACTORS times by scripts/scale-model.py, and a synthetic model
# of SYNTHETIC elements and twice as many relationships
# (scripts/synthetic-model.py). Prints wall time (median), CPU time and peak
# memory of each command on each model, then the verdicts:
#   linear:  time(largest) / time(smallest) <= 1.25 x the size ratio
#            (x4 -> x64: at most 20), for gen, plan and check
#   memory:  peak RSS <= 4 x input + 100 MB, on every model
#   the synthetic model generates.
# Exits 0 either way (it measures, it does not test); 1 when it cannot run.
#
# gen writes into a fresh folder each run; plan and check run on the folder
# the last gen wrote (in sync: they read every file and write nothing).
# Output folders are removed only at the end: on ext4, creating files right
# after deleting thousands costs a search for free inodes that has nothing
# to do with archgen.
#
# Knobs (environment): FACTORS ("4 8 16 32 64"), RUNS (3), SYNTHETIC (100000;
# 0 to skip).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=../shared/blueprints/real/architools_ArchiMetal_V3.xml
FACTORS=${FACTORS:-"4 8 16 32 64"}
RUNS=${RUNS:-3}
SYNTHETIC=${SYNTHETIC:-100000}
BIN=$PWD/target/release/archgen

die() { echo "error: $*" >&2; exit 1; }
[ -f "$BASE" ] || die "\`$BASE\` not found (looked relative to the repo root $(pwd))"

echo "== cargo build --release"
cargo build --release --quiet

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
models=()
for f in $FACTORS; do
  python3 scripts/scale-model.py "$BASE" "$tmp/archimetal-x$f.xml" "$f"
  models+=("$tmp/archimetal-x$f.xml")
done
if [ "$SYNTHETIC" -gt 0 ]; then
  python3 scripts/synthetic-model.py "$tmp/synthetic-$SYNTHETIC.xml" "$SYNTHETIC" $((2 * SYNTHETIC))
  models+=("$tmp/synthetic-$SYNTHETIC.xml")
fi
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"

python3 - "$BIN" "$tmp" "$RUNS" "${models[@]}" <<'EOF'
import os, statistics, sys, time

binary, tmp, runs, models = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
MB = 1e6


def run(args):
    """(wall s, cpu s, peak RSS bytes) of one archgen process; exits on failure."""
    err = os.path.join(tmp, "stderr")
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    start = time.perf_counter()
    pid = os.posix_spawn(binary, [binary] + args, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        with open(err, errors="replace") as f:
            sys.exit(f"error: archgen {' '.join(args)} exited {code}\n" + f.read()[-2000:])
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


rows = []
for model in models:
    name = os.path.basename(model)[:-4]
    size = os.path.getsize(model)
    samples = {"gen": [], "plan": [], "check": []}
    out = None
    for i in range(runs):
        out = os.path.join(tmp, f"{name}-out{i}")
        samples["gen"].append(run(["gen", model, "-o", out]))
    for cmd in ("plan", "check"):
        for _ in range(runs):
            samples[cmd].append(run([cmd, model, "-o", out]))
    files = sum(len(fs) for _, _, fs in os.walk(out))
    rows.append((name, size, files, {c: (statistics.median(w for w, _, _ in s),
                                         statistics.median(c for _, c, _ in s),
                                         max(r for _, _, r in s)) for c, s in samples.items()}))
    print(f"  measured {name}", file=sys.stderr)

print(f"\n{'model':<22}{'MB':>7}{'files':>7}" + "".join(
    f"{c + ' s':>9}{'cpu':>7}" for c in ("gen", "plan", "check")) + f"{'peak MB':>9}{'budget':>8}")
for name, size, files, m in rows:
    peak = max(r for _, _, r in m.values())
    print(f"{name:<22}{size / MB:>7.1f}{files:>7}" + "".join(
        f"{m[c][0]:>9.2f}{m[c][1]:>7.2f}" for c in ("gen", "plan", "check"))
        + f"{peak / MB:>9.1f}{(4 * size + 100 * MB) / MB:>8.1f}")
print(f"(medians of {runs} runs; cpu = user + system seconds; peak = the largest RSS of any run)\n")

verdict = lambda ok: "PASS" if ok else "FAIL"
scaled = [r for r in rows if r[0].startswith("archimetal-x")]
if len(scaled) >= 2:
    small, large = scaled[0], scaled[-1]
    size_ratio = large[1] / small[1]
    for c in ("gen", "plan", "check"):
        ratio = large[3][c][0] / small[3][c][0]
        cpu = large[3][c][1] / small[3][c][1]
        print(f"linear {c}: {large[0]} / {small[0]}: time x{ratio:.1f} (cpu x{cpu:.1f}) for size "
              f"x{size_ratio:.1f} (target <= 1.25 x {size_ratio:.1f} = {1.25 * size_ratio:.1f}) "
              f"{verdict(ratio <= 1.25 * size_ratio)}")
for name, size, files, m in rows:
    peak = max(r for _, _, r in m.values())
    budget = 4 * size + 100 * MB
    print(f"memory {name}: peak {peak / MB:.1f} MB (budget 4 x input + 100 MB = {budget / MB:.1f} MB) "
          f"{verdict(peak <= budget)}")
for name, size, files, m in rows:
    if name.startswith("synthetic"):
        print(f"synthetic {name}: generates {files} files in {m['gen'][0]:.1f} s PASS")
EOF
