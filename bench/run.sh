#!/usr/bin/env bash
# Throughput and memory benchmark of `handoff replay` (docs/performance.md).
#
# On the same generated ticket files it measures, with /usr/bin/time -v:
#   1. the floor: a plain csv-crate pass over every record (examples/csv_floor.rs);
#   2. `handoff replay` of policies/support.yaml (2 threads, and 1 thread for reference);
#   3. the same routing in Python/pandas (bench/reference.py), in a virtual environment;
# at 100k and 1M rows, plus handoff's peak RSS at 5M rows. It checks that handoff and the
# pandas reference count the same escalations per tier, and that handoff's 1M-row report is
# byte-identical between runs and between 1 and 2 threads; any difference fails the script.
#
# Usage: bench/run.sh            (BENCH_REPS=n: runs per measurement, best kept; default 3)
# Not part of the unit tests. Rerun it whenever the engine changes.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS="${BENCH_REPS:-3}"
SPEED_ROWS=(100000 1000000)
RSS_ROWS=(1000000 5000000)
SEED=1
POLICY=policies/support.yaml
OUT=bench/out
VENV=bench/.venv
HANDOFF=target/release/handoff
FLOOR=target/release/examples/csv_floor

step() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }

step "tools"
LOAD=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: load average $LOAD: other work on this machine will skew the measurements" >&2
fi
if [[ ! -x /usr/bin/time ]] || ! /usr/bin/time -v true 2>/dev/null; then
  echo "installing GNU time" >&2
  sudo=$([[ $(id -u) -eq 0 ]] || echo sudo)
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq time >&2
fi
cargo build --release --locked --quiet
cargo build --release --locked --quiet --examples
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import pandas' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check pandas >&2
fi
PANDAS_VERSION=$("$VENV/bin/python" -c 'import pandas; print(pandas.__version__)')

step "tickets (handoff gen --seed $SEED)"
mkdir -p "$OUT"
declare -A FILE BYTES
for rows in 100000 1000000 5000000; do
  FILE[$rows]="$OUT/tickets-$rows.csv"
  "$HANDOFF" gen --rows "$rows" --seed "$SEED" >"${FILE[$rows]}"
  BYTES[$rows]=$(stat -c %s "${FILE[$rows]}")
  echo "${FILE[$rows]}: ${BYTES[$rows]} bytes" >&2
done
# Writing 2.3 GB leaves the kernel flushing it to disk for a while; on 2 cores that flush
# would take a core from the measurements.
sync

# measure NAME ROWS REP COMMAND...: run COMMAND once (stdout to $OUT/NAME-ROWS.out) and keep
# the best wall time and the largest peak RSS over the repetitions so far.
declare -A WALL_OF RSS_OF
measure() {
  local name=$1 rows=$2 rep=$3
  shift 3
  local out="$OUT/$name-$rows.out" timing="$OUT/$name-$rows.time" start end wall rss
  start=$EPOCHREALTIME
  /usr/bin/time -v -o "$timing" "$@" >"$out" || fail "$name failed on $rows rows: $*"
  end=$EPOCHREALTIME
  wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$timing")
  local best=${WALL_OF[$name,$rows]:-}
  if [[ -z "$best" ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
    WALL_OF[$name,$rows]=$wall
  fi
  if ((rss > ${RSS_OF[$name,$rows]:-0})); then RSS_OF[$name,$rows]=$rss; fi
  if [[ $name == handoff* && $rows == 1000000 ]]; then cp "$out" "$OUT/$name-$rows.run$rep"; fi
  printf '%-12s %8s rows  run %d  %8.3f s  %8.1f MB\n' "$name" "$rows" "$rep" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" >&2
}

# Repetitions go round the tools, so a burst of other work on the machine hits one run of
# each rather than every run of one.
step "measurements (best of $REPS)"
rm -f "$OUT"/*.run*
for rows in "${SPEED_ROWS[@]}"; do
  cat "${FILE[$rows]}" >/dev/null # every tool reads from the page cache
  for ((rep = 0; rep < REPS; rep++)); do
    measure floor "$rows" "$rep" "$FLOOR" "${FILE[$rows]}"
    measure handoff "$rows" "$rep" "$HANDOFF" replay --policy "$POLICY" --quiet --format json --threads 2 --tickets "${FILE[$rows]}"
    measure handoff-1t "$rows" "$rep" "$HANDOFF" replay --policy "$POLICY" --quiet --format json --threads 1 --tickets "${FILE[$rows]}"
    measure pandas "$rows" "$rep" "$VENV/bin/python" bench/reference.py "${FILE[$rows]}"
  done
done
cat "${FILE[5000000]}" >/dev/null
for ((rep = 0; rep < REPS; rep++)); do
  measure handoff 5000000 "$rep" "$HANDOFF" replay --policy "$POLICY" --quiet --format json --threads 2 --tickets "${FILE[5000000]}"
done

step "checks"
for rows in "${SPEED_ROWS[@]}"; do
  [[ $(cat "$OUT/floor-$rows.out") == "$rows" ]] || fail "the floor read $(cat "$OUT/floor-$rows.out") records of $rows"
  handoff_counts=$(python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))["report"]
for tier, rate in report["escalation_by_tier"].items():
    print(tier, rate["numerator"])
' "$OUT/handoff-$rows.out" | sort)
  pandas_counts=$(sort "$OUT/pandas-$rows.out")
  if [[ "$handoff_counts" != "$pandas_counts" ]]; then
    printf 'handoff:\n%s\npandas:\n%s\n' "$handoff_counts" "$pandas_counts" >&2
    fail "escalation counts per tier differ at $rows rows"
  fi
  echo "$rows rows: same escalations per tier ($(echo $handoff_counts | tr '\n' ' '))" >&2
done
for run in "$OUT"/handoff-1000000.run* "$OUT"/handoff-1t-1000000.run*; do
  cmp -s "$run" "$OUT/handoff-1000000.run0" || fail "the 1M-row report differs: $run"
done
echo "1M rows: the report is byte-identical across $((2 * REPS)) runs (1 and 2 threads)" >&2

step "results"
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }
echo "Machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ { print $2; exit }')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $(rustc --version); pandas $PANDAS_VERSION"
echo "Command: bench/run.sh (BENCH_REPS=$REPS, seed $SEED, policy $POLICY); load average before: $LOAD"
echo
echo "| rows | file MB | measurement | wall s | rows/s | MB/s | peak RSS MB |"
echo "|---:|---:|---|---:|---:|---:|---:|"
row() {
  local name=$1 rows=$2 label=$3
  awk -v r="$rows" -v b="${BYTES[$rows]}" -v w="${WALL_OF[$name,$rows]}" -v k="${RSS_OF[$name,$rows]}" -v l="$label" \
    'BEGIN { printf "| %d | %.0f | %s | %.3f | %.0f | %.0f | %.1f |\n", r, b / 1e6, l, w, r / w, b / 1e6 / w, k / 1024 }'
}
for rows in "${SPEED_ROWS[@]}"; do
  row floor "$rows" "floor (csv crate, 1 thread)"
  row handoff "$rows" "handoff replay --threads 2"
  row handoff-1t "$rows" "handoff replay --threads 1"
  row pandas "$rows" "pandas reference"
done
row handoff 5000000 "handoff replay --threads 2"
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
share=$(awk -v f="${WALL_OF[floor,1000000]}" -v h="${WALL_OF[handoff,1000000]}" 'BEGIN { printf "%.0f", 100 * f / h }')
speedup=$(ratio "${WALL_OF[pandas,1000000]}" "${WALL_OF[handoff,1000000]}")
rss1=$(awk -v k="${RSS_OF[handoff,1000000]}" 'BEGIN { printf "%.1f", k / 1024 }')
rss5=$(awk -v k="${RSS_OF[handoff,5000000]}" 'BEGIN { printf "%.1f", k / 1024 }')
growth=$(awk -v a="${RSS_OF[handoff,5000000]}" -v b="${RSS_OF[handoff,1000000]}" 'BEGIN { printf "%+.1f", 100 * (a - b) / b }')
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }
echo "| target (1M rows unless noted) | measured | |"
echo "|---|---:|---|"
echo "| throughput ≥ 50 % of the floor | $share % | $(verdict "$share >= 50") |"
echo "| ≥ 30× faster than pandas | ${speedup}× | $(verdict "$speedup >= 30") |"
echo "| peak RSS ≤ 64 MB | $rss1 MB | $(verdict "$rss1 <= 64") |"
echo "| RSS at 5M ≤ 1M + 10 % | $growth % | $(verdict "$growth <= 10") |"
echo "| report identical between runs, 1 and 2 threads | yes | met |"
echo
echo "100k rows, one thread: handoff $(printf '%.3f' "${WALL_OF[handoff-1t,100000]}") s vs floor $(printf '%.3f' "${WALL_OF[floor,100000]}") s ($(ratio "${WALL_OF[handoff-1t,100000]}" "${WALL_OF[floor,100000]}")× the floor's time)."
echo "1M rows, one thread: handoff $(printf '%.3f' "${WALL_OF[handoff-1t,1000000]}") s vs floor $(printf '%.3f' "${WALL_OF[floor,1000000]}") s ($(ratio "${WALL_OF[handoff-1t,1000000]}" "${WALL_OF[floor,1000000]}")× the floor's time)."
