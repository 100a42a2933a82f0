#!/usr/bin/env bash
# The compiled DuckDB query against a hand-written one (issue 12, docs/performance.md).
#
# On `handoff gen --rows ROWS --seed 7` it times `handoff sql --dialect duckdb` and
# bench/warehouse/handwritten.duckdb.sql (both with the SLA dues, against the `handoff calendar`
# table) in one DuckDB process (in memory, the tables loaded once, all varchar), alternating
# them, each run materialising the same columns (id, decision, rule, priority and both dues).
# Each query's result must equal `handoff replay --decisions`, ticket by ticket (any difference
# fails the script). Prints the median of each, their ratio (goal: generated ≤ 1.3×
# hand-written), the CPU seconds beside them, and replay's wall time on the CSV.
#
# Usage: bench/warehouse.sh        (ROWS=n, default 1000000; BENCH_REPS=n, default 5;
#                                   HANDOFF=path to use a built binary instead of a release build)
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-1000000}"
REPS="${BENCH_REPS:-5}"
OUT=bench/out
VENV=bench/.venv
[[ -x target/warehouse-venv/bin/python ]] && VENV=target/warehouse-venv
POLICY=policies/support.yaml

fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }

if [[ -z "${HANDOFF:-}" ]]; then
  cargo build --release --locked --quiet
  HANDOFF=target/release/handoff
fi
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import duckdb' 2>/dev/null \
  || "$VENV/bin/pip" install --quiet --disable-pip-version-check duckdb >&2
DUCKDB_VERSION=$("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')

mkdir -p "$OUT"
tickets="$OUT/warehouse-$ROWS.csv"
[[ -s "$tickets" ]] || "$HANDOFF" gen --rows "$ROWS" --seed 7 >"$tickets"
"$HANDOFF" sql --policy "$POLICY" --dialect duckdb --table tickets >"$OUT/generated.duckdb.sql"
# The calendar the dues read: `handoff gen` writes tickets of 2026.
"$HANDOFF" calendar --policy "$POLICY" --from 2025-12-01 --to 2027-02-28 >"$OUT/calendar.csv"

start=$EPOCHREALTIME
"$HANDOFF" replay --policy "$POLICY" --tickets "$tickets" --format json \
  --decisions "$OUT/warehouse-decisions.csv" >"$OUT/warehouse-replay.json"
replay_wall=$(awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.3f", e - s }')
replay_counts=$("$VENV/bin/python" - "$OUT/warehouse-replay.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))["report"]
tiers = report["escalation_by_tier"]
print(" ".join(f"{tier}={tiers[tier]['numerator']}" for tier in sorted(tiers) if tiers[tier]["numerator"]))
PY
)

"$VENV/bin/python" bench/warehouse/time.py "$tickets" "$OUT/calendar.csv" "$OUT/warehouse-decisions.csv" "$REPS" \
  generated="$OUT/generated.duckdb.sql" handwritten=bench/warehouse/handwritten.duckdb.sql \
  >"$OUT/warehouse-times.txt"
cat "$OUT/warehouse-times.txt"
for name in generated handwritten; do
  counts=$(awk -v n="$name" '$1 == n && $2 == "counts" { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$OUT/warehouse-times.txt")
  [[ "$counts" == "$replay_counts" ]] || fail "$name decides $counts, replay $replay_counts"
done
echo "per-tier decisions equal replay's: $replay_counts"

median() { tr ' ' '\n' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { awk -v n="$1" -v f="$2" '$1 == n && $2 == f { $1 = ""; $2 = ""; print }' "$OUT/warehouse-times.txt" | xargs | median; }
gen=$(field generated times)
hand=$(field handwritten times)
gen_cpu=$(field generated cpu)
hand_cpu=$(field handwritten cpu)
ratio=$(awk -v g="$gen" -v h="$hand" 'BEGIN { printf "%.2f", g / h }')
printf '\n| rows | DuckDB %s: generated s (CPU s) | hand-written s (CPU s) | ratio | handoff replay (CSV) s | load average |\n' "$DUCKDB_VERSION"
printf '|---:|---:|---:|---:|---:|---|\n'
printf '| %s | %.3f (%.2f) | %.3f (%.2f) | %s | %s | %s |\n' "$ROWS" "$gen" "$gen_cpu" "$hand" "$hand_cpu" "$ratio" "$replay_wall" "$(cut -d' ' -f1-3 /proc/loadavg)"
awk -v r="$ratio" 'BEGIN { exit !(r > 1.3) }' && fail "generated query takes ${ratio}x the hand-written one (goal ≤ 1.3x)"
echo "generated ≤ 1.3× hand-written: met"
