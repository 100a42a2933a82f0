#!/usr/bin/env bash
# Replay against the floor in one run (issue 16): wall time and CPU time (user + sys) of
# `handoff replay --threads 2` and of `examples/csv_floor` on the same generated file, the two
# commands alternated, best and median of BENCH_REPS runs each; then replay's peak RSS at ROWS and
# at RSS_ROWS rows (one run; RSS_ROWS=0 skips it). CPU time is the figure to trust on a busy
# machine; the load average is printed.
#
# Usage: bench/floor.sh [HANDOFF]     (default target/release/handoff; BENCH_REPS=n, default 5;
#                                       ROWS=n, default 1000000; SEED=n, default 7;
#                                       RSS_ROWS=n, default 5000000: a 1.9 GB file in bench/out)
# Not part of the tests. Builds nothing when HANDOFF is given and csv_floor exists.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS="${BENCH_REPS:-5}"
ROWS="${ROWS:-1000000}"
SEED="${SEED:-7}"
RSS_ROWS="${RSS_ROWS:-5000000}"
HANDOFF="${1:-target/release/handoff}"
FLOOR=target/release/examples/csv_floor
OUT=bench/out
POLICY=policies/support.yaml

if [[ $# -eq 0 ]]; then cargo build --release --locked --quiet; fi
if [[ ! -x "$FLOOR" ]]; then cargo build --release --locked --quiet --example csv_floor; fi
mkdir -p "$OUT"
file="$OUT/floor-$ROWS-$SEED.csv"
[[ -s "$file" ]] || "$HANDOFF" gen --rows "$ROWS" --seed "$SEED" >"$file"
cat "$file" >/dev/null

# run NAME COMMAND...: one timed run; appends "wall cpu rss_kb" to $OUT/NAME.runs.
run() {
  local name=$1 timing="$OUT/$1.time" start end
  shift
  start=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$timing" "$@" >"$OUT/$name.out"
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" '{ printf "%.4f %.4f %d\n", e - s, $1 + $2, $3 }' "$timing" >>"$OUT/$name.runs"
}

rm -f "$OUT"/floor.runs "$OUT"/replay.runs
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((rep = 0; rep < REPS; rep++)); do
  run floor "$FLOOR" "$file"
  run replay "$HANDOFF" replay --policy "$POLICY" --quiet --format json --threads 2 --tickets "$file"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# stat FILE COLUMN: "best median" of a column, one line (`read` fails at an end of input
# without a line end, which stops the script under `set -e`).
stat() { sort -g -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { printf "%.3f %.3f\n", v[1], v[int((NR + 1) / 2)] }'; }
read -r fw fwm < <(stat "$OUT/floor.runs" 1)
read -r fc fcm < <(stat "$OUT/floor.runs" 2)
read -r rw rwm < <(stat "$OUT/replay.runs" 1)
read -r rc rcm < <(stat "$OUT/replay.runs" 2)
rss=$(sort -g -k3 "$OUT/replay.runs" | tail -1 | awk '{ printf "%.1f", $3 / 1024 }')
echo "| $ROWS rows, $REPS runs each | best | median |"
echo "|---|---:|---:|"
echo "| floor wall s | $fw | $fwm |"
echo "| replay --threads 2 wall s | $rw | $rwm |"
echo "| floor CPU s (user+sys) | $fc | $fcm |"
echo "| replay CPU s (user+sys) | $rc | $rcm |"
awk -v a="$fw" -v b="$rw" -v c="$fwm" -v d="$rwm" 'BEGIN { printf "| throughput, replay / floor | %.2f | %.2f |\n", a / b, c / d }'
awk -v a="$rc" -v b="$fc" -v c="$rcm" -v d="$fcm" 'BEGIN { printf "| CPU per row, replay / floor | %.2f | %.2f |\n", a / b, c / d }'
echo "| replay peak RSS MB | $rss | |"
if [[ "$RSS_ROWS" != 0 ]]; then
  big="$OUT/floor-$RSS_ROWS-$SEED.csv"
  [[ -s "$big" ]] || "$HANDOFF" gen --rows "$RSS_ROWS" --seed "$SEED" >"$big"
  rm -f "$OUT/replay-big.runs"
  run replay-big "$HANDOFF" replay --policy "$POLICY" --quiet --format json --threads 2 --tickets "$big"
  big_rss=$(awk '{ printf "%.1f", $3 / 1024 }' "$OUT/replay-big.runs")
  echo "| replay peak RSS MB at $RSS_ROWS rows (one run) | $big_rss | |"
fi
