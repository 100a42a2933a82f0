#!/usr/bin/env bash
# Throughput and memory of folding an event log (issue 11, docs/performance.md).
#
# Generates event logs grouped by ticket from `handoff gen --seed 1` (each ticket expanded
# into 5 update rows by bench/expand_events.py, seeded), then measures with /usr/bin/time -v:
#   1. the floor: a plain csv-crate pass over the 1M-event file (examples/csv_floor.rs);
#   2. `handoff replay` of policies/support.yaml through bench/events.toml (folding included)
#      at 1M events, as a throughput ratio to the floor (goal: >= 0.4);
#   3. handoff's peak RSS at 1M and 5M events (goal: flat, +<= 10 %).
#
# Usage: bench/events.sh          (BENCH_REPS=n: runs per measurement, best kept; default 3)
# Not part of the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS="${BENCH_REPS:-3}"
EVENTS_PER_TICKET=5
SEED=1
POLICY=policies/support.yaml
MAP=bench/events.toml
OUT=bench/out
HANDOFF=target/release/handoff
FLOOR=target/release/examples/csv_floor

fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || fail "needs GNU time (/usr/bin/time -v)"
cargo build --release --locked --quiet
cargo build --release --locked --quiet --examples
mkdir -p "$OUT"

declare -A FILE
for events in 1000000 5000000; do
  FILE[$events]="$OUT/events-$events.csv"
  if [[ ! -s "${FILE[$events]}" ]]; then
    "$HANDOFF" gen --rows $((events / EVENTS_PER_TICKET)) --seed "$SEED" \
      | python3 bench/expand_events.py "$EVENTS_PER_TICKET" "$SEED" >"${FILE[$events]}"
  fi
  echo "${FILE[$events]}: $(stat -c %s "${FILE[$events]}") bytes" >&2
done
sync

# best NAME COMMAND...: best wall time (s) and largest peak RSS (KiB) over $REPS runs.
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

read -r floor_wall _ floor_cpu < <(best floor-1M "$FLOOR" "${FILE[1000000]}")
read -r fold_wall rss_1m fold_cpu < <(best fold-1M "$HANDOFF" replay --policy "$POLICY" --map "$MAP" \
  --tickets "${FILE[1000000]}" --format json --max-reject-rate 1)
read -r _ rss_5m _ < <(best fold-5M "$HANDOFF" replay --policy "$POLICY" --map "$MAP" \
  --tickets "${FILE[5000000]}" --format json --max-reject-rate 1)
grep -o '"1000000 events made 200000 tickets"' "$OUT/fold-1M.out" >/dev/null \
  || fail "the 1M-event report does not say 1000000 events made 200000 tickets"

awk -v f="$floor_wall" -v w="$fold_wall" -v a="$rss_1m" -v b="$rss_5m" \
  -v fc="$floor_cpu" -v wc="$fold_cpu" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
  printf "csv floor, 1M events:         %.2f s\n", f
  printf "fold + replay, 1M events:     %.2f s  (throughput ratio to the floor: %.2f; goal >= 0.40)\n", w, f / w
  printf "peak RSS, 1M events:          %.1f MiB\n", a / 1024
  printf "peak RSS, 5M events:          %.1f MiB  (%+.1f %%; goal <= +10 %%)\n", b / 1024, (b - a) * 100 / a
  printf "cpu (user+sys): floor %.2f s, fold + replay %.2f s  (ratio %.2f; load average %s)\n", fc, wc, fc / wc, load
}'
