#!/usr/bin/env bash
# Fuzz the policy loader + linter and the ticket row reader with cargo-fuzz (libFuzzer).
#   fuzz/run.sh [SECONDS_PER_TARGET]     (default 600)
# Seeds come from the project's fixtures; findings land in fuzz/artifacts/<target>/.
# cargo-fuzz needs nightly compiler flags; on a stable toolchain RUSTC_BOOTSTRAP=1 allows them.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
work="$(mktemp -d)"
mkdir -p "$work/policy_loader" "$work/ticket_rows"
cp ../policies/*.yaml ../fixtures/lint/*.yaml ../fixtures/bad/*.yaml "$work/policy_loader/" 2>/dev/null || true
cp ../fixtures/bad/tickets/*.csv ../fixtures/replay/*.csv ../fixtures/lint/*.csv "$work/ticket_rows/" 2>/dev/null || true
for target in policy_loader ticket_rows; do
  echo "== $target for ${seconds}s"
  cargo fuzz run --sanitizer none "$target" "$work/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    2>&1 | tee "$work/$target.log" | grep -E "^#[0-9]+ *(DONE|pulse)|stat::|ERROR|panicked|Test unit written" || true
done
echo "logs and corpora in $work"
