#!/usr/bin/env bash
# Benchmarks `archgen diagram` against `archgen validate` on the largest real
# model (../shared/blueprints/real/pyarchimate_synthetic_large.xml: 195 views,
# 4,122 boxes, 3,303 connections). Target (issue 15): drawing every view
# takes less than 3 x the time `validate` takes. Prints PASS/FAIL on the
# medians, but exits 0 either way: it measures, it does not test. Exits 1
# only when the benchmark itself cannot run.
#
# Three commands, their runs interleaved so that load from elsewhere on a
# shared host falls on all alike:
#   validate      archgen validate A
#   diagram new   archgen diagram A -o DIR, DIR removed before each run
#                 (every file created)
#   diagram again archgen diagram A -o DIR2 into the files of the last run
#                 (nothing changed: every file read and compared, none written)
# The verdict is on the wall-time medians; the CPU time (user + system) of
# each is printed too. Then the in-process phases (cargo bench --bench
# diagram): load, draw, SVG, write.
#
# Knobs (environment): RUNS (21).
set -euo pipefail
cd "$(dirname "$0")/.."

INPUT=../shared/blueprints/real/pyarchimate_synthetic_large.xml
RUNS=${RUNS:-21}
BIN=target/release/archgen

die() { echo "error: $*" >&2; exit 1; }
[ -f "$INPUT" ] || die "input \`$INPUT\` not found (looked relative to the repo root $(pwd))"

echo "== cargo build --release"
cargo build --release --quiet

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== measuring (one warm-up each, then $RUNS interleaved runs)"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
python3 - "$BIN" "$tmp" "$INPUT" "$RUNS" <<'EOF'
import os, shutil, statistics, sys, time

binary, tmp, path, runs = sys.argv[1:]
fresh, again = os.path.join(tmp, "new"), os.path.join(tmp, "again")


def run(args):
    """One process: wall seconds, spawned directly and reaped with wait4."""
    err = os.path.join(tmp, "stderr")
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    start = time.perf_counter()
    pid = os.posix_spawn(binary, [binary, *args], os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    cpu[args[0] if args[0] == "validate" else args[-1]].append(usage.ru_utime + usage.ru_stime)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        with open(err, errors="replace") as f:
            sys.exit(f"error: archgen {' '.join(args)} exited {code}\n" + f.read()[-2000:])
    return wall


def validate():
    return run(["validate", path])


def diagram_new():
    shutil.rmtree(fresh, ignore_errors=True)
    return run(["diagram", path, "-o", fresh])


def diagram_again():
    return run(["diagram", path, "-o", again])


commands = [("validate", validate), ("diagram new", diagram_new), ("diagram again", diagram_again)]
cpu = {"validate": [], fresh: [], again: []}
for _, f in commands:
    f()  # warm-up: page cache, binary; `again` gets its files
views = len(os.listdir(fresh))
samples = {name: [] for name, _ in commands}
for _ in range(int(runs)):
    for name, f in commands:
        samples[name].append(f())

print(f"\n{'command':<15}{'runs':>6}{'median ms':>11}{'min ms':>9}{'max ms':>9}{'x validate':>12}")
base = statistics.median(samples["validate"])
for name, _ in commands:
    s = samples[name]
    med = statistics.median(s)
    print(f"{name:<15}{len(s):>6}{med * 1e3:>11.1f}{min(s) * 1e3:>9.1f}{max(s) * 1e3:>9.1f}{med / base:>12.2f}")
print(f"({views} views drawn; x validate from the medians)\n")
# CPU time (user + system, from wait4) moves less with load from elsewhere
# on a shared host than the wall time does.
cpu_base = statistics.median(cpu["validate"][1:])
for name, key in (("diagram new", fresh), ("diagram again", again)):
    print(f"{name:<15} CPU {statistics.median(cpu[key][1:]) * 1e3:.1f} ms, "
          f"{statistics.median(cpu[key][1:]) / cpu_base:.2f} x validate's {cpu_base * 1e3:.1f} ms")
print()
for name in ("diagram new", "diagram again"):
    ratio = statistics.median(samples[name]) / base
    verdict = "PASS" if ratio < 3 else "FAIL"
    print(f"{name}: {ratio:.2f} x validate (target < 3) {verdict}")
EOF

echo
echo "== in-process phases (cargo bench --bench diagram, 30 runs)"
cargo bench --quiet --bench diagram -- "$INPUT" 30 2>/dev/null | grep -v '^$' | grep -v '^running\|^test result'
