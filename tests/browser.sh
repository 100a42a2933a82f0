#!/usr/bin/env bash
# The HTML reports in a real browser (issue 13): headless Chromium renders each page (replay,
# replay with --staffing, diff, sweep of the bundled example) to a PNG and dumps its DOM. Each
# page must render, hold its charts (SVG with the expected titles; with --staffing a capacity
# chart per tier), show the same run's JSON figures (every data-figure of the DOM equals the
# JSON at its pointer, and the headline's escalation rate reads as the JSON's), and log no
# console message at all (the pages have no script).
#
# Usage: tests/browser.sh [HANDOFF_BINARY]   (default target/release/handoff)
# Without chromium it says so and exits 1 when BROWSER_REQUIRED=1 (as .ci/run sets), else 0.
set -euo pipefail
cd "$(dirname "$0")/.."

handoff="${1:-target/release/handoff}"
chromium="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium" ]; then
  echo "browser check skipped: no chromium on PATH (apt-get install chromium)"
  [ "${BROWSER_REQUIRED:-0}" = 1 ] && exit 1
  exit 0
fi
out=target/browser
rm -rf "$out"
mkdir -p "$out"

browse() { # browse PAGE ARGS...: chromium's own flags for a page, with console logging
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-extensions --user-data-dir="$out/profile" --enable-logging=stderr --v=0 "$@"
}

page() { # page NAME HANDOFF-ARGS...
  local name="$1"
  shift
  "$handoff" "$@" --format html -o "$out/$name.html"
  "$handoff" "$@" --format json -o "$out/$name.json"
  local url="file://$PWD/$out/$name.html"
  browse --window-size=1200,2200 --screenshot="$out/$name.png" "$url" 2> "$out/$name.png.log" > /dev/null
  browse --dump-dom "$url" 2> "$out/$name.dom.log" > "$out/$name.dom.html"
  echo "$name: rendered $(stat -c %s "$out/$name.png") bytes of PNG, $(stat -c %s "$out/$name.dom.html") bytes of DOM"
}

example=(--tickets examples/support-tickets.csv)
page replay replay --policy policies/support.yaml "${example[@]}"
page capacity replay --policy policies/support.yaml "${example[@]}" --staffing examples/staffing.yaml
page diff diff policies/support.yaml fixtures/diff/support-proposed.yaml "${example[@]}"
page sweep sweep --policy policies/support.yaml "${example[@]}" --rule low-confidence \
  --param confidence.below --from 0.5 --to 0.95 --step 0.05 --max-escalation-rate 0.4

python3 - "$out" <<'PY'
import html
import json
import re
import sys

out = sys.argv[1]
expected_titles = {
    "replay": [
        "Flow of tickets AI → tiers under the policy",
        "SLA first response met by tier × priority",
        "SLA resolution met by tier × priority",
        "Tickets to L1 by hour of the week",
        "Resolution time, escalated vs kept by the AI (median and p90)",
    ],
    "capacity": [
        "Capacity of L1 by hour of the week",
        "Capacity of L2 by hour of the week",
        "Capacity of L3 by hour of the week",
        "CSAT by route, policy vs history (mean score)",
    ],
    "diff": ["Routing transitions: old route (rows) → new route (columns)"],
    "sweep": ["Escalation rate and missed escalations by confidence.below in rule 'low-confidence'"],
}
failures = []
checked = 0
for name, titles in expected_titles.items():
    with open(f"{out}/{name}.png", "rb") as f:
        png = f.read()
    if not png.startswith(b"\x89PNG\r\n\x1a\n") or len(png) < 10_000:
        failures.append(f"{name}: no rendered PNG")
    dom = open(f"{out}/{name}.dom.html", encoding="utf-8").read()
    report = json.load(open(f"{out}/{name}.json", encoding="utf-8"))
    if "</svg>" not in dom:
        failures.append(f"{name}: no SVG in the DOM")
    found = [html.unescape(t) for t in re.findall(r"<svg[^>]*>\s*<title[^>]*>([^<]*)</title>", dom)]
    for title in titles:
        if title not in found:
            failures.append(f"{name}: no chart titled {title!r} (charts: {found})")
    figures = re.findall(r'data-figure="([^"]*)" data-value="([^"]*)"', dom)
    if len(figures) < 20:
        failures.append(f"{name}: only {len(figures)} figures in the DOM")
    for pointer, value in figures:
        node = report
        for key in html.unescape(pointer).split("/")[1:]:
            key = key.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        if json.dumps(node) != html.unescape(value) and not (
            isinstance(node, float) and float(html.unescape(value)) == node
        ):
            failures.append(f"{name}: {pointer} shows {value}, the JSON has {node}")
        checked += 1
    # The escalation rate as a reader sees it, from the JSON's fraction.
    rate = (report["headline"]["new"] if name == "diff" else report["headline"]).get("escalation_rate") \
        if name != "sweep" else report["headline"]["figures"]["escalation_rate"]
    text = f"{rate['value'] * 100:.1f}%"
    if text not in dom:
        failures.append(f"{name}: the escalation rate {text} is not on the page")
    for log in (f"{out}/{name}.png.log", f"{out}/{name}.dom.log"):
        for line in open(log, encoding="utf-8", errors="replace"):
            if ":CONSOLE" in line or "Uncaught" in line:
                failures.append(f"{name}: console: {line.strip()}")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"browser: {len(expected_titles)} pages render in Chromium with their charts; {checked} figures equal the JSON; no console message")
PY
