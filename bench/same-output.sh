#!/usr/bin/env bash
# Byte-identical outputs before and after a change that must not change behaviour
# (a refactoring, a performance change).
#
# Builds the binary of BASE (a git revision, default: main's merge base with HEAD, or HEAD~1 on
# main) and of the working tree, runs both on the same list of commands — every verb and every
# output format on the fixtures, the README tour, the bundled example, 100,000 generated tickets
# and, when ../shared/data is beside the checkout, the two public data sets — and compares
# stdout, stderr, exit code and every file the command writes. Any difference fails the script
# and is shown as a diff. Both binaries are run as `handoff` (each in a folder of its own), since
# `--help` names the program as it was called.
#
# Usage: bench/same-output.sh [BASE]        (ROWS=n changes the generated size; default 100000;
#                                             HANDOFF=path runs that binary as the new one, e.g.
#                                             the shipped build of .ci/dist, instead of building
#                                             the working tree)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

base=${1:-}
if [[ -z "$base" ]]; then
  if [[ $(git rev-parse HEAD) == $(git rev-parse main 2>/dev/null || true) ]]; then
    base=HEAD~1
  else
    base=$(git merge-base HEAD main)
  fi
fi
base_rev=$(git rev-parse --verify "$base^{commit}")
rows=${ROWS:-100000}
work=target/same-output
mkdir -p "$work"

step() { printf '\n== %s\n' "$*" >&2; }

mkdir -p "$work/new-bin"
if [[ -n "${HANDOFF:-}" ]]; then
  step "the new binary: $HANDOFF"
  cp "$HANDOFF" "$work/new-bin/handoff"
else
  step "build the working tree"
  cargo build --release --locked --quiet
  cp target/release/handoff "$work/new-bin/handoff"
fi

step "build $base ($base_rev)"
if [[ ! -x "$work/base-bin-$base_rev/handoff" ]]; then
  rm -rf "$work/base-tree"
  git worktree prune
  git worktree add --detach --force "$work/base-tree" "$base_rev" >/dev/null
  (cd "$work/base-tree" && CARGO_TARGET_DIR="$root/$work/base-target" cargo build --release --quiet)
  mkdir -p "$work/base-bin-$base_rev"
  cp "$work/base-target/release/handoff" "$work/base-bin-$base_rev/handoff"
  git worktree remove --force "$work/base-tree"
fi

step "inputs"
data="$work/data"
mkdir -p "$data"
"$work/new-bin/handoff" gen --rows "$rows" --seed 11 >"$data/gen.csv"
shared="$(cd .. && pwd)/shared/data"

# One command per line; `OUT/` stands for the folder the command may write into.
commands() {
  local p f fmt
  echo "rules"
  echo "rules H040"
  echo "schema"
  echo "gen --rows 50 --seed 3"
  echo "--help"
  for p in policies/*.yaml fixtures/tour/*.yaml fixtures/diff/*.yaml fixtures/lint/*.yaml fixtures/bad/*.yaml; do
    for fmt in human json sarif github; do echo "lint $p --format $fmt"; done
  done
  echo "lint policies/"
  echo "lint policies/support.yaml --tickets fixtures/lint/data-tickets.csv"
  echo "lint policies/support.yaml --tickets examples/support-tickets.csv --format json"
  for t in examples/support-tickets.csv "$data/gen.csv"; do
    for fmt in table json csv markdown; do
      echo "replay --policy policies/support.yaml --tickets $t --format $fmt"
    done
    for by in channel category priority customer_tier month; do
      echo "replay --policy policies/support.yaml --tickets $t --by $by --format json"
      echo "replay --policy policies/support.yaml --tickets $t --by $by"
    done
    echo "replay --policy policies/support.yaml --tickets $t --decisions OUT/decisions.csv --rejects OUT/rejects.csv -o OUT/report.txt"
    echo "replay --policy policies/it-service.yaml --tickets $t --format json"
    echo "replay --policy policies/support.yaml --tickets $t --fail-if escalation_rate>0.3 --format csv"
    for f in fixtures/diff/*.yaml; do
      for fmt in table json csv markdown; do
        echo "diff policies/support.yaml $f --tickets $t --format $fmt"
      done
      echo "diff policies/support.yaml $f --tickets $t --changes OUT/changes.csv"
    done
    for fmt in table json csv; do
      echo "sweep --policy policies/support.yaml --tickets $t --rule low-confidence --param confidence.below --from 0.5 --to 0.95 --step 0.05 --max-escalation-rate 0.4 --format $fmt"
    done
    echo "sweep --policy policies/support.yaml --tickets $t --rule angry-customer --param sentiment.below --from -0.9 --to 0 --step 0.1"
  done
  echo "replay --policy fixtures/replay/policy.yaml --tickets fixtures/replay/tickets.csv --format json --decisions OUT/d.csv --rejects OUT/r.csv"
  echo "replay --policy fixtures/replay/policy.yaml --tickets fixtures/replay/tickets.csv"
  echo "replay --policy fixtures/replay/policy.yaml --tickets fixtures/replay/mapped.csv --map fixtures/replay/map.toml --format json"
  for f in fixtures/bad/tickets/*.csv; do
    echo "replay --policy fixtures/bad/tickets/policy.yaml --tickets $f --rejects OUT/r.csv"
  done
  for id in T0000001 T0000002 T0000059 T0000260; do
    echo "explain --policy policies/support.yaml --tickets examples/support-tickets.csv --id $id"
  done
  for f in policies/tests/*.yaml fixtures/policy-tests/*.yaml; do echo "test $f"; done
  if [[ -d "$shared" ]]; then
    echo "replay --policy policies/support.yaml --tickets $shared/kaggle_customer_support_tickets.csv --map examples/kaggle-tickets.toml --format json"
    echo "replay --policy policies/support.yaml --tickets $shared/kaggle_customer_support_tickets.csv --map examples/kaggle-tickets.toml"
    echo "replay --policy policies/it-service.yaml --tickets $shared/tobi_bueck_multilang_tickets_head.csv --map examples/multilang-tickets.toml --format json"
  fi
}

run_all() {
  local binary=$1 into=$2 n=0 line
  rm -rf "$into"
  mkdir -p "$into"
  while IFS= read -r line; do
    n=$((n + 1))
    local case_dir="$into/$(printf '%04d' "$n")"
    local out="$work/OUT"
    rm -rf "$out"
    mkdir -p "$out"
    # shellcheck disable=SC2086 # the command line is split into words on purpose
    set +e
    "$binary" ${line//OUT\//$out/} >"$work/stdout" 2>"$work/stderr"
    local code=$?
    set -e
    mkdir -p "$case_dir"
    printf '%s\n' "$line" >"$case_dir/command"
    echo "$code" >"$case_dir/exit"
    mv "$work/stdout" "$case_dir/stdout"
    mv "$work/stderr" "$case_dir/stderr"
    mv "$out" "$case_dir/files"
  done < <(commands)
  echo "$n commands" >&2
}

step "run $base"
run_all "$work/base-bin-$base_rev/handoff" "$work/base"
step "run the working tree"
run_all "$work/new-bin/handoff" "$work/new"

step "compare"
if diff -r "$work/base" "$work/new" >"$work/differences.txt"; then
  echo "identical: $(find "$work/new" -mindepth 1 -maxdepth 1 | wc -l) commands, every stdout, stderr, exit code and written file"
else
  head -100 "$work/differences.txt"
  echo "DIFFERENT: see $work/differences.txt ($(grep -c '^diff ' "$work/differences.txt" || true) files differ)" >&2
  exit 1
fi
