#!/usr/bin/env bash
# Peak RSS of `handoff replay` when every ticket's SLA clock is still running at the end of the
# input (issue 16: pending clocks are bounded, not held per ticket; docs/performance.md).
#
# For each size it generates `handoff gen --rows N --seed 5 --days 1` (every ticket created in
# one day), blanks first_human_response_at, resolved_at and resolved_tier (so no clock ever
# stops: every escalated ticket's clocks stay pending to the end, judged against --as-of), and
# prints replay's wall time, CPU time and peak RSS, then the RSS growth from the first size to the
# last. It fails when the reports of the two thread counts differ or the growth is over 10 %.
# It also prints a 19-value sweep's peak RSS on the same input (its clocks are counted the same
# way, in more kinds: one per run of values and target), for information.
#
# Usage: bench/pending.sh            (PENDING_SIZES="1000000 5000000" by default)
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=(${PENDING_SIZES:-1000000 5000000})
OUT=bench/out
HANDOFF=target/release/handoff
POLICY=policies/support.yaml
fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }

cargo build --release --locked --quiet
mkdir -p "$OUT"
printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| rows (one day, none answered) | pending at the end | wall s | CPU s | peak RSS MB | sweep peak RSS MB |\n|---:|---:|---:|---:|---:|---:|\n'
first_rss=""
last_rss=""
first_sweep=""
last_sweep=""
for rows in "${SIZES[@]}"; do
  file="$OUT/pending-$rows.csv"
  "$HANDOFF" gen --rows "$rows" --seed 5 --days 1 | python3 -c '
import csv, sys
r = csv.reader(sys.stdin)
w = csv.writer(sys.stdout, lineterminator="\n")
head = next(r)
w.writerow(head)
blank = [head.index(c) for c in ("first_human_response_at", "resolved_at", "resolved_tier")]
for row in r:
    for i in blank:
        row[i] = ""
    w.writerow(row)
' >"$file"
  for threads in 1 2; do
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/pending-$rows-$threads.time" \
      "$HANDOFF" replay --policy "$POLICY" --tickets "$file" --format json --threads "$threads" \
      >"$OUT/pending-$rows-$threads.json" 2>/dev/null || [[ $? -eq 1 ]]
  done
  /usr/bin/time -f '%M' -o "$OUT/pending-$rows-sweep.time" \
    "$HANDOFF" sweep --policy "$POLICY" --tickets "$file" --rule low-confidence \
    --param confidence.below --from 0.5 --to 0.95 --step 0.025 --format json --threads 2 \
    >/dev/null 2>&1 || [[ $? -eq 1 ]]
  read -r sweep_rss <"$OUT/pending-$rows-sweep.time"
  cmp -s "$OUT/pending-$rows-1.json" "$OUT/pending-$rows-2.json" \
    || fail "$rows rows: the reports of 1 and 2 threads differ"
  read -r wall user sys rss <"$OUT/pending-$rows-2.time"
  pending=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "pending" and isinstance(x, int):
                yield x
            else:
                yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
print(sum(walk(r.get("sla", r))))' "$OUT/pending-$rows-2.json")
  printf '| %s | %s | %s | %.2f | %.1f | %.1f |\n' "$rows" "$pending" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="$sweep_rss" 'BEGIN { print k / 1024 }')"
  [[ -n "$first_rss" ]] || first_rss=$rss
  last_rss=$rss
  [[ -n "$first_sweep" ]] || first_sweep=$sweep_rss
  last_sweep=$sweep_rss
  rm -f "$file"
done
growth=$(awk -v a="$first_rss" -v b="$last_rss" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
printf 'peak RSS growth from %s to %s rows: %s %%\n' "${SIZES[0]}" "${SIZES[-1]}" "$growth"
printf 'sweep (19 values, for information): %s %%\n' \
  "$(awk -v a="$first_sweep" -v b="$last_sweep" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')"
awk -v g="$growth" 'BEGIN { exit !(g <= 10) }' || fail "peak RSS grew by $growth % (goal: at most 10 %)"
