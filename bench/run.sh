#!/usr/bin/env bash
# Throughput and memory benchmark of `handoff replay` (docs/performance.md).
#
# On the same generated ticket files it measures, with /usr/bin/time -v:
#   1. the floor: a plain csv-crate pass over every record (examples/csv_floor.rs);
#   2. `handoff replay` of policies/support.yaml (2 threads, and 1 thread for reference);
#   3. the same routing in the engines an analyst would pick instead, in a virtual environment:
#      DuckDB, DataFusion and polars (bench/peers.py) and pandas (bench/reference.py);
# at 100k and 1M rows, plus handoff's peak RSS at 5M rows. Before anything is timed, each peer
# must count the same tickets per tier as `handoff replay`; after, the timed runs are checked
# again, and handoff's 1M-row report must be byte-identical between runs and between 1 and 2
# threads. Any difference fails the script. Each peer is printed as a ratio to replay (wall
# time and CPU time, user + sys), with its peak RSS.
#
# Usage: bench/run.sh            (BENCH_REPS=n: runs per measurement, best kept; default 3)
#        BENCH_SMALL=2000 BENCH_MID=20000 BENCH_BIG=50000 BENCH_REPS=1 bench/run.sh: a quick check
#        HANDOFF=target/dist-pgo/handoff bench/run.sh: the shipped binary (.ci/dist builds it)
#        instead of `cargo build --release`'s; the floor stays the release build of csv_floor
#        (the fastest of its builds: fat LTO changes nothing, PGO makes it slower; round 14).
# Not part of the unit tests. Rerun it whenever the engine changes.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS="${BENCH_REPS:-3}"
# Sizes: BENCH_SMALL, BENCH_MID (the one the targets are read at) and BENCH_BIG (peak RSS
# only) rows; smaller ones check that the script works, the figures need the defaults.
SMALL=${BENCH_SMALL:-100000}
MID=${BENCH_MID:-1000000}
BIG=${BENCH_BIG:-5000000}
SPEED_ROWS=("$SMALL" "$MID")
SEED=1
POLICY=policies/support.yaml
OUT=bench/out
VENV=bench/.venv
HANDOFF="${HANDOFF:-target/release/handoff}"
FLOOR=target/release/examples/csv_floor
PEERS=(duckdb datafusion polars pandas)

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
[[ -x "$HANDOFF" ]] || fail "$HANDOFF: no such binary (.ci/dist builds target/dist-pgo/handoff)"
echo "handoff: $HANDOFF ($("$HANDOFF" --version))" >&2
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import pandas, duckdb, datafusion, polars, pyarrow' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check pandas duckdb datafusion polars pyarrow >&2
fi
PEER_VERSIONS=$("$VENV/bin/python" -c '
from importlib.metadata import version
print(", ".join(f"{name} {version(name)}" for name in ["duckdb", "datafusion", "polars", "pandas"]))')

# peer NAME FILE: the command that runs peer NAME on FILE (it prints `tier count` lines).
peer() {
  case $1 in
    pandas) echo "$VENV/bin/python" bench/reference.py "$2" ;;
    *) echo "$VENV/bin/python" bench/peers.py "$1" "$2" ;;
  esac
}

# tier_counts REPORT.json: handoff's escalations per tier, as `tier count` lines, sorted.
tier_counts() {
  python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))["report"]
for tier, rate in report["escalation_by_tier"].items():
    print(tier, rate["numerator"])
' "$1" | sort
}

# same_tiers NAME ROWS HANDOFF_REPORT PEER_OUTPUT: fail unless the peer counted what handoff did.
same_tiers() {
  local handoff_counts peer_counts
  handoff_counts=$(tier_counts "$3")
  peer_counts=$(sort "$4")
  if [[ "$handoff_counts" != "$peer_counts" ]]; then
    printf 'handoff:\n%s\n%s:\n%s\n' "$handoff_counts" "$1" "$peer_counts" >&2
    fail "$1 counts other escalations per tier than handoff at $2 rows"
  fi
}

step "tickets (handoff gen --seed $SEED)"
mkdir -p "$OUT"
declare -A FILE BYTES
for rows in "$SMALL" "$MID" "$BIG"; do
  FILE[$rows]="$OUT/tickets-$rows.csv"
  "$HANDOFF" gen --rows "$rows" --seed "$SEED" >"${FILE[$rows]}"
  BYTES[$rows]=$(stat -c %s "${FILE[$rows]}")
  echo "${FILE[$rows]}: ${BYTES[$rows]} bytes" >&2
done
# Writing 2.3 GB leaves the kernel flushing it to disk for a while; on 2 cores that flush
# would take a core from the measurements.
sync

step "peers agree with handoff replay (before timing)"
for rows in "${SPEED_ROWS[@]}"; do
  "$HANDOFF" replay --policy "$POLICY" --quiet --format json --tickets "${FILE[$rows]}" >"$OUT/check-handoff-$rows.out"
  for name in "${PEERS[@]}"; do
    # shellcheck disable=SC2046 # the command is words
    $(peer "$name" "${FILE[$rows]}") >"$OUT/check-$name-$rows.out" || fail "$name failed on $rows rows"
    same_tiers "$name" "$rows" "$OUT/check-handoff-$rows.out" "$OUT/check-$name-$rows.out"
  done
  echo "$rows rows: ${PEERS[*]} count the same escalations per tier as handoff" >&2
done

# measure NAME ROWS REP COMMAND...: run COMMAND once (stdout to $OUT/NAME-ROWS.out) and keep
# the best wall time, the least CPU time (user + sys) and the largest peak RSS over the
# repetitions so far.
declare -A WALL_OF RSS_OF CPU_OF RUN_WALL RUN_CPU
measure() {
  local name=$1 rows=$2 rep=$3
  shift 3
  local out="$OUT/$name-$rows.out" timing="$OUT/$name-$rows.time" start end wall rss cpu
  start=$EPOCHREALTIME
  /usr/bin/time -v -o "$timing" "$@" >"$out" || fail "$name failed on $rows rows: $*"
  end=$EPOCHREALTIME
  wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$timing")
  cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { printf "%.3f", s }' "$timing")
  local least=${CPU_OF[$name,$rows]:-}
  if [[ -z "$least" ]] || awk -v a="$cpu" -v b="$least" 'BEGIN { exit !(a < b) }'; then
    CPU_OF[$name,$rows]=$cpu
  fi
  local best=${WALL_OF[$name,$rows]:-}
  if [[ -z "$best" ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
    WALL_OF[$name,$rows]=$wall
  fi
  if ((rss > ${RSS_OF[$name,$rows]:-0})); then RSS_OF[$name,$rows]=$rss; fi
  RUN_WALL[$name,$rows,$rep]=$wall
  RUN_CPU[$name,$rows,$rep]=$cpu
  if [[ $name == handoff* && $rows == "$MID" ]]; then cp "$out" "$OUT/$name-$rows.run$rep"; fi
  printf '%-12s %8s rows  run %d  %8.3f s  %8.3f s CPU  %8.1f MB\n' "$name" "$rows" "$rep" "$wall" "$cpu" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" >&2
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
    for name in "${PEERS[@]}"; do
      # shellcheck disable=SC2046 # the command is words
      measure "$name" "$rows" "$rep" $(peer "$name" "${FILE[$rows]}")
    done
  done
done
cat "${FILE[$BIG]}" >/dev/null
for ((rep = 0; rep < REPS; rep++)); do
  measure handoff $BIG "$rep" "$HANDOFF" replay --policy "$POLICY" --quiet --format json --threads 2 --tickets "${FILE[$BIG]}"
done

step "checks"
for rows in "${SPEED_ROWS[@]}"; do
  [[ $(cat "$OUT/floor-$rows.out") == "$rows" ]] || fail "the floor read $(cat "$OUT/floor-$rows.out") records of $rows"
  for name in "${PEERS[@]}"; do
    same_tiers "$name" "$rows" "$OUT/handoff-$rows.out" "$OUT/$name-$rows.out"
  done
  echo "$rows rows: handoff and ${PEERS[*]}: same escalations per tier ($(tier_counts "$OUT/handoff-$rows.out" | tr '\n' ' '))" >&2
done
for run in "$OUT"/handoff-$MID.run* "$OUT"/handoff-1t-$MID.run*; do
  cmp -s "$run" "$OUT/handoff-$MID.run0" || fail "the $MID-row report differs: $run"
done
echo "1M rows: the report is byte-identical across $((2 * REPS)) runs (1 and 2 threads)" >&2

step "results"
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }
echo "Machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ { print $2; exit }')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $(rustc --version); $PEER_VERSIONS"
echo "Command: bench/run.sh (BENCH_REPS=$REPS, seed $SEED, policy $POLICY); load average before: $LOAD"
echo
echo "| rows | file MB | measurement | wall s | CPU s | rows/s | MB/s | peak RSS MB |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|"
row() {
  local name=$1 rows=$2 label=$3
  awk -v r="$rows" -v b="${BYTES[$rows]}" -v w="${WALL_OF[$name,$rows]}" -v c="${CPU_OF[$name,$rows]}" -v k="${RSS_OF[$name,$rows]}" -v l="$label" \
    'BEGIN { printf "| %d | %.0f | %s | %.3f | %.3f | %.0f | %.0f | %.1f |\n", r, b / 1e6, l, w, c, r / w, b / 1e6 / w, k / 1024 }'
}
for rows in "${SPEED_ROWS[@]}"; do
  row floor "$rows" "floor (csv crate, 1 thread)"
  row handoff "$rows" "handoff replay --threads 2"
  row handoff-1t "$rows" "handoff replay --threads 1"
  for name in "${PEERS[@]}"; do row "$name" "$rows" "$name"; done
done
row handoff $BIG "handoff replay --threads 2"
echo
echo "Peers against \`handoff replay --threads 2\` (same run; × = the peer's figure over replay's):"
echo
echo "| rows | engine | wall s | × replay wall | CPU s | × replay CPU | peak RSS MB | × replay RSS |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for rows in "${SPEED_ROWS[@]}"; do
  for name in "${PEERS[@]}"; do
    awk -v r="$rows" -v n="$name" \
      -v w="${WALL_OF[$name,$rows]}" -v hw="${WALL_OF[handoff,$rows]}" \
      -v c="${CPU_OF[$name,$rows]}" -v hc="${CPU_OF[handoff,$rows]}" \
      -v k="${RSS_OF[$name,$rows]}" -v hk="${RSS_OF[handoff,$rows]}" \
      'BEGIN { printf "| %d | %s | %.3f | %.2f | %.3f | %.2f | %.1f | %.1f |\n", r, n, w, w / hw, c, c / hc, k / 1024, k / hk }'
  done
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# Issue 16's targets: replay (2 threads) at least the throughput of the single-core floor, and
# at most twice the floor's CPU per row. As the issue measures them: paired runs (each
# repetition runs the floor and then replay, one right after the other), the median of the
# pairs' ratios; the ratio of the best times, unpaired, is printed beside it.
paired_median() { # paired_median A B: the median over the repetitions of A's / B's figure
  local -n figures=$1
  local rep
  for ((rep = 0; rep < REPS; rep++)); do
    awk -v a="${figures[$2,$MID,$rep]}" -v b="${figures[$3,$MID,$rep]}" 'BEGIN { if (b > 0) printf "%.6f\n", a / b; else print "n/a" }'
  done | sort -g | awk '/n\/a/ { none = 1 } { v[NR] = $1 } END { if (none) print "n/a"; else printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
share=$(paired_median RUN_WALL floor handoff)
cpu_share=$(paired_median RUN_CPU handoff floor)
best_share=$(awk -v f="${WALL_OF[floor,$MID]}" -v h="${WALL_OF[handoff,$MID]}" 'BEGIN { printf "%.2f", f / h }')
best_cpu_share=$(ratio "${CPU_OF[handoff,$MID]}" "${CPU_OF[floor,$MID]}")
rss1=$(awk -v k="${RSS_OF[handoff,$MID]}" 'BEGIN { printf "%.1f", k / 1024 }')
rss5=$(awk -v k="${RSS_OF[handoff,$BIG]}" 'BEGIN { printf "%.1f", k / 1024 }')
growth=$(awk -v a="${RSS_OF[handoff,$BIG]}" -v b="${RSS_OF[handoff,$MID]}" 'BEGIN { printf "%+.1f", 100 * (a - b) / b }')
# verdict VALUE OP BOUND: met, MISSED, or n/a when VALUE is not a number (a run too short to time).
verdict() {
  if ! [[ $1 =~ ^[+-]?[0-9]+(\.[0-9]+)?$ ]]; then echo "n/a"
  elif awk -v v="$1" -v b="$3" "BEGIN { exit !(v $2 b) }"; then echo met
  else echo MISSED; fi
}
echo "handoff binary: $HANDOFF"
echo
echo "| target (1M rows unless noted) | measured | |"
echo "|---|---:|---|"
echo "| throughput ≥ 1.0× the floor's (replay with 2 threads; median of $REPS pairs, best times unpaired: ${best_share}×) | ${share}× | $(verdict "$share" ">=" 1.0) |"
echo "| CPU per row ≤ 2× the floor's (median of $REPS pairs, least times unpaired: ${best_cpu_share}×) | ${cpu_share}× | $(verdict "$cpu_share" "<=" 2.0) |"
echo "| peak RSS ≤ 64 MB | $rss1 MB | $(verdict "$rss1" "<=" 64) |"
echo "| RSS at 5M ≤ 1M + 10 % | $growth % | $(verdict "$growth" "<=" 10) |"
echo "| report identical between runs, 1 and 2 threads | yes | met |"
echo
echo "$SMALL rows, one thread: handoff $(printf '%.3f' "${WALL_OF[handoff-1t,$SMALL]}") s vs floor $(printf '%.3f' "${WALL_OF[floor,$SMALL]}") s ($(ratio "${WALL_OF[handoff-1t,$SMALL]}" "${WALL_OF[floor,$SMALL]}")× the floor's time)."
echo "$MID rows, one thread: handoff $(printf '%.3f' "${WALL_OF[handoff-1t,$MID]}") s vs floor $(printf '%.3f' "${WALL_OF[floor,$MID]}") s ($(ratio "${WALL_OF[handoff-1t,$MID]}" "${WALL_OF[floor,$MID]}")× the floor's time)."
