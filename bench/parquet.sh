#!/usr/bin/env bash
# Replay of the generated 1M tickets from Parquet against the same tickets from CSV (issue 11,
# docs/performance.md): `handoff gen --rows 1000000 --seed 1`, written as typed Parquet by
# examples/csv_to_parquet.rs (Snappy, row groups of 128Ki rows); both replayed with
# policies/support.yaml to JSON, best wall time and peak RSS over $BENCH_REPS runs (default 3),
# and the two reports compared (they must be identical).
#
# Usage: bench/parquet.sh         Not part of the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS="${BENCH_REPS:-3}"
OUT=bench/out
HANDOFF=target/release/handoff
CONVERT=target/release/examples/csv_to_parquet
POLICY=policies/support.yaml

fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || fail "needs GNU time (/usr/bin/time -v)"
cargo build --release --locked --quiet --bin handoff --example csv_to_parquet
mkdir -p "$OUT"
CSV="$OUT/tickets-1M.csv"
PARQUET="$OUT/tickets-1M.parquet"
[[ -s "$CSV" ]] || "$HANDOFF" gen --rows 1000000 --seed 1 >"$CSV"
[[ -s "$PARQUET" ]] || "$CONVERT" "$CSV" "$PARQUET"
echo "$CSV: $(stat -c %s "$CSV") bytes; $PARQUET: $(stat -c %s "$PARQUET") bytes" >&2
sync

best() {
  local name=$1 wall best_wall="" rss max_rss=0 start end cpu best_cpu=""
  shift
  for _ in $(seq "$REPS"); do
    start=$EPOCHREALTIME
    /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out" || fail "$name failed: $*"
    end=$EPOCHREALTIME
    wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$OUT/$name.time")
    # CPU time (user + sys): steadier than wall time while the machine is busy.
    cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.4f", t }' "$OUT/$name.time")
    if [[ -z "$best_cpu" ]] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then
      best_cpu=$cpu
    fi
    if [[ -z "$best_wall" ]] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
      best_wall=$wall
    fi
    ((rss > max_rss)) && max_rss=$rss
  done
  echo "$best_wall $max_rss $best_cpu"
}

read -r csv_wall csv_rss csv_cpu < <(best csv-1M "$HANDOFF" replay -q --policy "$POLICY" --tickets "$CSV" --format json)
read -r pq_wall pq_rss pq_cpu < <(best parquet-1M "$HANDOFF" replay -q --policy "$POLICY" --tickets "$PARQUET" --format json)
cmp -s "$OUT/csv-1M.out" "$OUT/parquet-1M.out" || fail "the Parquet report differs from the CSV report"

awk -v c="$csv_wall" -v p="$pq_wall" -v a="$csv_rss" -v b="$pq_rss" \
  -v cc="$csv_cpu" -v pc="$pq_cpu" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
  printf "replay 1M tickets from CSV:      %.2f s, peak RSS %.1f MiB\n", c, a / 1024
  printf "replay 1M tickets from Parquet:  %.2f s, peak RSS %.1f MiB  (speed ratio to CSV: %.2f; goal >= 1.00)\n", p, b / 1024, c / p
  printf "cpu (user+sys): CSV %.2f s, Parquet %.2f s  (ratio %.2f; load average %s)\n", cc, pc, cc / pc, load
}'
