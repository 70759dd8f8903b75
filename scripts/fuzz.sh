#!/usr/bin/env bash
# Runs archgen's fuzz targets (fuzz/, cargo-fuzz on the nightly toolchain),
# one after the other, each for FUZZ_SECONDS (default 60), as one libFuzzer
# job at the lowest CPU priority (nice 19, -jobs=1), so that it can run in
# the background of other work.
#
#   scripts/fuzz.sh                   all targets: read tokenizer profile naming merge
#   scripts/fuzz.sh merge naming      some of them
#   FUZZ_SECONDS=1800 scripts/fuzz.sh the 30 minutes each a release wants
#
# Targets:
#   read       the reader on arbitrary bytes (one and two threads), then the
#              IR builder: no panic, only diagnostics
#   tokenizer  archgen's XML tokenizer against quick-xml: the same tokens,
#              positions and errors
#   profile    the archgen:fields and archgen:metric parsers: no panic, and
#              results that hold together
#   naming     keys and target names: safe, distinct (injective), paths that
#              stay inside
#   merge      the three-way merge: no line either side added is lost
#
# Each target starts from its small committed corpus (fuzz/corpus/TARGET)
# and grows a working one in target/fuzz-corpus/TARGET. A crash is saved in
# fuzz/artifacts/TARGET/ (replay it: cargo +nightly fuzz run TARGET FILE
# --fuzz-dir fuzz) and should become a regression test. Logs go to
# target/fuzz-logs/. The summary line per target gives executions, time and
# crashes. Needs: rustup toolchain install nightly; cargo install cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(read tokenizer profile naming merge)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
secs=${FUZZ_SECONDS:-60}

command -v cargo-fuzz >/dev/null || { echo "error: cargo-fuzz is missing: cargo install cargo-fuzz" >&2; exit 1; }
echo "== building the fuzz targets (nightly, release with debug assertions)"
nice -n 19 cargo +nightly fuzz build -O --fuzz-dir fuzz

mkdir -p target/fuzz-logs
for t in "${targets[@]}"; do
  work="target/fuzz-corpus/$t"
  mkdir -p "$work" "fuzz/artifacts/$t"
  before=$(find "fuzz/artifacts/$t" -type f | wc -l)
  echo "== $t: $secs s"
  started=$(date +%s)
  # -jobs=1 runs one worker and logs to fuzz-0.log; moved aside afterwards.
  nice -n 19 cargo +nightly fuzz run -O --fuzz-dir fuzz "$t" "$work" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -jobs=1 -print_final_stats=1 >"target/fuzz-logs/$t.out" 2>&1 || true
  [ -f fuzz-0.log ] && mv fuzz-0.log "target/fuzz-logs/$t.log"
  took=$(( $(date +%s) - started ))
  log="target/fuzz-logs/$t.log"
  execs=$(grep -h 'stat::number_of_executed_units' "$log" 2>/dev/null | tail -1 | awk '{print $2}')
  crashes=$(( $(find "fuzz/artifacts/$t" -type f | wc -l) - before ))
  echo "$t: ${execs:-?} executions in ${took} s, ${crashes} new crash(es) in fuzz/artifacts/$t/, corpus $(find "$work" -type f | wc -l) inputs"
done
