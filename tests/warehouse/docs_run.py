#!/usr/bin/env python3
"""Run docs/warehouse.md's commands as written, on the bundled example (issue 12).

    docs_run.py [--handoff PATH]

The example's tickets are split in two: `tickets.csv` (the first half) is what the documented
commands load, `other.partial.json` is `handoff replay --partial-out` of the second half, so the
documented `handoff merge part.csv other.partial.json --format json` must print, byte for byte,
the report one replay of the whole example prints. Run, from the docs' fenced blocks:

- the DuckDB CLI block of "Running it" (the decisions: it must print them);
- the DuckDB CLI block of "Partials from SQL", but its `psql` line, then the merge;
- the DataFusion block of "Partials from SQL" (the CSV written with Python's csv module), after the tables are
  registered as "Running it" says (`register_csv`, every column a string), then the merge.

Not run: the `psql` lines (tests/warehouse/run.py runs the same queries on a server it starts),
Spark's `spark-submit` lines (about 7 minutes in local mode under load: they were run by hand,
docs/warehouse.md says so; tests/sql_partials.rs runs the same query on Spark), `bq` and
`snowsql` (no service here).
The DuckDB CLI is the `duckdb` on PATH or in target/warehouse-venv/bin (the `duckdb-cli`
package, tests/warehouse/setup.sh). Exit 3 when it or DataFusion is missing.
"""

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NOT_INSTALLED = 3
AS_OF = "2026-05-01T00:00:00Z"


def blocks(language):
    text = open(os.path.join(ROOT, "docs", "warehouse.md"), encoding="utf-8").read()
    return re.findall(r"^```" + language + r"\n(.*?)^```", text, flags=re.S | re.M)


def one_block(language, *needles):
    found = [b for b in blocks(language) if all(n in b for n in needles)]
    if len(found) != 1:
        sys.exit(f"docs/warehouse.md: {len(found)} ```{language} blocks hold {needles}, not one")
    return found[0]


def without_psql(block):
    """The block without its Postgres lines (a comment line before them, and `psql …`)."""
    kept = [l for l in block.splitlines() if not l.startswith("psql") and not l.startswith("# Postgres")]
    return "\n".join(kept) + "\n"


def sh(script, folder, env):
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=folder, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}):\n{script}\n{done.stderr}")
    return done.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--handoff", default=os.path.join(ROOT, "target", "debug", "handoff"))
    args = p.parse_args()
    venv_bin = os.path.join(ROOT, "target", "warehouse-venv", "bin")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(os.path.abspath(args.handoff)), env["PATH"], venv_bin])
    if shutil.which("duckdb", path=env["PATH"]) is None:
        sys.stderr.write("the DuckDB CLI is not installed (run tests/warehouse/setup.sh)\n")
        return NOT_INSTALLED
    try:
        import datafusion
        import pyarrow as pa

    except ImportError:
        sys.stderr.write("datafusion is not installed (run tests/warehouse/setup.sh)\n")
        return NOT_INSTALLED

    folder = tempfile.mkdtemp(prefix="handoff-docs-")
    try:
        for name in ("examples", "policies"):
            os.symlink(os.path.join(ROOT, name), os.path.join(folder, name))
        example = os.path.join(ROOT, "examples", "support-tickets.csv")
        with open(example, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        half = (len(rows) - 1) // 2
        for name, part in (("tickets.csv", rows[1:1 + half]), ("second.csv", rows[1 + half:])):
            with open(os.path.join(folder, name), "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(rows[0])
                w.writerows(part)
        sh(f"handoff replay --policy policies/support.yaml --tickets second.csv --as-of {AS_OF} "
           "--partial-out other.partial.json > /dev/null", folder, env)
        whole = sh(f"handoff replay --policy policies/support.yaml --tickets "
                   f"examples/support-tickets.csv --as-of {AS_OF} --format json", folder, env)

        # "Running it", DuckDB (CLI): the decisions, one row per ticket.
        printed = sh(one_block("sh", "duckdb -c", ".read decisions.sql"), folder, env)
        if "first_response_due" not in printed:
            sys.exit(f"the DuckDB CLI decisions block printed no decisions:\n{printed}")
        print("docs: DuckDB CLI decisions block ran")

        # "Partials from SQL", DuckDB (CLI), then the merge with the other half.
        block = one_block("sh", "--emit partials", "duckdb -c")
        merged = sh(without_psql(block), folder, env)
        if merged != whole:
            sys.exit("the DuckDB CLI partials merged to another report than replay's")
        print("docs: DuckDB CLI partials block merged to replay's report")

        # "Partials from SQL", DataFusion: the tables registered as "Running it" says.
        sh(block.splitlines()[0].rstrip("\\").replace("--dialect duckdb", "--dialect datafusion")
           + " " + block.splitlines()[1], folder, env)
        os.remove(os.path.join(folder, "part.csv"))
        ctx = datafusion.SessionContext()
        for name, path in (("tickets", "tickets.csv"), ("handoff_calendar", "calendar.csv")):
            path = os.path.join(folder, path)
            with open(path, newline="", encoding="utf-8") as f:
                header = next(csv.reader(f))
            ctx.register_csv(name, path, schema=pa.schema([(c, pa.string()) for c in header]))
        here = os.getcwd()
        os.chdir(folder)
        try:
            exec(one_block("python", "table.column_names"), {"ctx": ctx})
        finally:
            os.chdir(here)
        merged = sh("handoff merge part.csv other.partial.json --format json", folder, env)
        if merged != whole:
            sys.exit("the DataFusion partials merged to another report than replay's")
        print("docs: DataFusion partials block merged to replay's report")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
