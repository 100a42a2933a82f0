#!/usr/bin/env python3
"""Run docs/warehouse.md's commands as written, on the bundled example (issue 12).

    docs_run.py [--handoff PATH]

The example's tickets are split in two: `tickets.csv` (the first half) is what the documented
partials commands load, `other.partial.json` is `handoff replay --partial-out` of the second
half, so each documented `handoff merge part.csv other.partial.json --format json` must print,
byte for byte, the report one replay of the whole example prints. Run, from the docs' fenced
blocks, in one temporary folder:

- "Running it", DuckDB CLI: the decisions (it must print them);
- "Partials from SQL", DuckDB CLI, then the merge; its Python form (`con.execute(f"COPY …")`,
  on the tables the CLI lines load), then the merge;
- "Partials from SQL", DataFusion (the CSV written with Python's csv module), after the tables
  are registered as "Running it" says (`register_csv`, every column a string), then the merge;
- "Running it", Postgres (`psql`): decisions.csv must hold replay's `--decisions` and
  `--rejects`, ticket for ticket, compared as tests/sql.rs compares them;
- "Partials from SQL", Postgres, then the merge;
- "Business time and partials", `psql -f calendar.sql`: the table loaded must be calendar.csv;
- "Running it", Spark (`spark-submit decide.py`): its decisions/ must hold replay's;
- "Partials from SQL", Spark (`spark-submit partials.py`), then the merge.

The `psql` lines run against a throwaway server started here (a temporary data folder and a
unix socket, as tests/warehouse/run.py starts one; stopped afterwards, also on error), each
block in a database of its own, through PGHOST, PGUSER and PGDATABASE: the commands are not
edited. `spark-submit` is pyspark's in target/warehouse-venv (local mode, on the machine's JDK).
Not run: `bq` and `snowsql` (no service here; their queries are golden files).
The DuckDB CLI, pyspark and DataFusion are in target/warehouse-venv (tests/warehouse/setup.sh);
Postgres' tools (initdb, pg_ctl, createdb, psql) and java come from the Debian packages.
Exit 3 when any of them is missing (.ci/run fails on it).
"""

import argparse
import contextlib
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import run  # tests/warehouse/run.py: the throwaway Postgres server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NOT_INSTALLED = 3
AS_OF = "2026-05-01T00:00:00Z"
# The columns of a decision that tests/sql.rs compares with replay's (and `rejected`).
DECIDED = ("decision", "rule", "reason_kind", "priority", "first_response_due", "resolution_due")


def blocks(language):
    text = open(os.path.join(ROOT, "docs", "warehouse.md"), encoding="utf-8").read()
    return re.findall(r"^```" + language + r"\n(.*?)^```", text, flags=re.S | re.M)


def one_block(language, *needles):
    found = [b for b in blocks(language) if all(n in b for n in needles)]
    if len(found) != 1:
        sys.exit(f"docs/warehouse.md: {len(found)} ```{language} blocks hold {needles}, not one")
    return found[0]


def sh(script, folder, env):
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=folder, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}):\n{script}\n{done.stderr}")
    return done.stdout


def in_folder(folder, run):
    """`run()` with `folder` the working directory (the documented Python names files by
    relative paths)."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        run()
    finally:
        os.chdir(here)


def read_dicts(paths):
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    return rows


def keyed(pairs):
    """{id: fields}, a blank id keyed by its rank among the blank ones (as tests/sql.rs does)."""
    rows, blanks = {}, 0
    for id_, fields in pairs:
        if not id_:
            blanks += 1
            id_ = f"(no id #{blanks})"
        rows[id_] = fields
    return rows


def replay_decisions(tickets, folder, env):
    """Replay's decision and rejection of every ticket, as tests/sql.rs compares them."""
    sh(f"handoff replay --policy policies/support.yaml --tickets {tickets} "
       "--decisions replay.decisions.csv --rejects replay.rejects.csv --max-reject-rate 1 --quiet",
       folder, env)
    decided = [(r["id"], tuple(r[c] for c in DECIDED) + ("",))
               for r in read_dicts([os.path.join(folder, "replay.decisions.csv")])]
    rejected = [("" if r["_reason"] == "id: empty" else r["id"].strip(), ("",) * len(DECIDED) + (r["_reason"],))
                for r in read_dicts([os.path.join(folder, "replay.rejects.csv")])]
    return keyed(decided + rejected)


def same_decisions(engine, paths, expected):
    """The query's result (CSV files, header first) holds replay's decisions, ticket for ticket."""
    got = keyed((r["id"], tuple(r[c] for c in DECIDED + ("rejected",))) for r in read_dicts(paths))
    if got != expected:
        wrong = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
        sys.exit(f"the {engine} decisions differ from replay's for {len(wrong)} tickets, e.g. "
                 + "; ".join(f"{k}: {got.get(k)} != {expected.get(k)}" for k in wrong[:3]))
    print(f"docs: {engine} decisions block ran: {len(got)} tickets, replay's decisions", flush=True)


@contextlib.contextmanager
def postgres_server(env):
    """A throwaway server, started as tests/warehouse/run.py starts one (temporary data folder,
    unix socket; stopped afterwards, also on error); yields `env` with PGHOST and PGUSER set."""
    tools = {t: shutil.which(t, path=env["PATH"]) for t in run.POSTGRES_TOOLS}
    with run.postgres_server(tools) as (folder, _):
        yield dict(env, PGHOST=folder, PGUSER="postgres", PSQLRC=os.devnull)


def in_database(name, env, folder):
    """`env` for the documented `psql` lines of one block, in a fresh database of its own."""
    sh(f"createdb {name}", folder, env)
    return dict(env, PGDATABASE=name)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--handoff", default=os.path.join(ROOT, "target", "debug", "handoff"))
    args = p.parse_args()
    venv_bin = os.path.join(ROOT, "target", "warehouse-venv", "bin")
    env = dict(os.environ)
    # handoff, then the venv's tools first, as in an activated venv: spark-submit finds its
    # Spark through the `python3` on PATH, which must be the venv's (with pyspark).
    path = [os.path.dirname(os.path.abspath(args.handoff)), venv_bin, env["PATH"]]
    if shutil.which("initdb", path=os.pathsep.join(path)) is None:
        # The Debian package keeps the server's tools off PATH.
        path += sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:]
    env["PATH"] = os.pathsep.join(path)
    missing = [t for t in ("duckdb", "initdb", "pg_ctl", "createdb", "psql", "spark-submit")
               if shutil.which(t, path=env["PATH"]) is None]
    if shutil.which("java", path=env["PATH"]) is None and not env.get("JAVA_HOME"):
        missing.append("java")
    try:
        import datafusion
        import duckdb
        import pyarrow as pa
    except ImportError:
        missing.append("datafusion or duckdb (Python)")
    if missing:
        sys.stderr.write(f"not installed: {', '.join(missing)} (run tests/warehouse/setup.sh; "
                         "Postgres and Java are Debian packages, .ci/run installs them)\n")
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
        replay = replay_decisions("examples/support-tickets.csv", folder, env)

        # "Running it", DuckDB (CLI): the decisions, one row per ticket.
        printed = sh(one_block("sh", "duckdb -c", ".read decisions.sql"), folder, env)
        if "first_response_due" not in printed:
            sys.exit(f"the DuckDB CLI decisions block printed no decisions:\n{printed}")
        print("docs: DuckDB CLI decisions block ran", flush=True)

        # "Partials from SQL", DuckDB (CLI), then the merge with the other half.
        block = one_block("sh", "--emit partials", "duckdb -c")
        if sh(block, folder, env) != whole:
            sys.exit("the DuckDB CLI partials merged to another report than replay's")
        print("docs: DuckDB CLI partials block merged to replay's report", flush=True)
        # Its Python form (the comment line), on the tables the CLI lines load.
        python = block.split("# or, in Python: ", 1)[1].splitlines()[0]
        con = duckdb.connect()

        def copy_in_python():
            for name, path in (("tickets", "tickets.csv"), ("handoff_calendar", "calendar.csv")):
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', all_varchar = true)")
            exec(python, {"con": con})

        os.remove(os.path.join(folder, "part.csv"))
        in_folder(folder, copy_in_python)
        if sh("handoff merge part.csv other.partial.json --format json", folder, env) != whole:
            sys.exit("the DuckDB Python partials line merged to another report than replay's")
        print("docs: DuckDB Python partials line merged to replay's report", flush=True)

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
        in_folder(folder, lambda: exec(one_block("python", "table.column_names"), {"ctx": ctx}))
        merged = sh("handoff merge part.csv other.partial.json --format json", folder, env)
        if merged != whole:
            sys.exit("the DataFusion partials merged to another report than replay's")
        print("docs: DataFusion partials block merged to replay's report", flush=True)

        started = time.monotonic()
        with postgres_server(env) as pg:
            # "Running it", Postgres: decisions.csv holds replay's decisions.
            sh(one_block("sh", "psql", "--csv -f decisions.sql"), folder, in_database("decide", pg, folder))
            same_decisions("Postgres", [os.path.join(folder, "decisions.csv")], replay)
            # "Partials from SQL", Postgres, then the merge with the other half.
            block = one_block("sh", "psql", "--csv -f partials.sql")
            printed = sh(block, folder, in_database("partials", pg, folder))
            # psql's status lines come first (`CREATE TABLE`, `COPY 150`), then the merge.
            if re.sub(r"\A(?:(?:CREATE TABLE|COPY \d+)\n)*", "", printed) != whole:
                sys.exit("the Postgres partials merged to another report than replay's")
            print("docs: Postgres partials block merged to replay's report", flush=True)
            # "Business time and partials": the calendar as SQL statements, in a folder of its
            # own (the block also writes a calendar.csv of other dates).
            calendar = os.path.join(folder, "calendar")
            os.mkdir(calendar)
            os.symlink(os.path.join(ROOT, "policies"), os.path.join(calendar, "policies"))
            cal = in_database("calendar", pg, folder)
            sh(one_block("sh", "psql -f calendar.sql"), calendar, cal)
            loaded = sh('psql -X -q --csv -c "SELECT * FROM handoff_calendar ORDER BY work_start"',
                        calendar, cal)
            with open(os.path.join(calendar, "calendar.csv"), newline="", encoding="utf-8") as f:
                written = list(csv.reader(f))
            if list(csv.reader(loaded.splitlines())) != written:
                sys.exit("psql -f calendar.sql loaded another table than calendar.csv holds")
            print(f"docs: Postgres calendar block loaded calendar.csv's {len(written) - 1} rows "
                  f"(the Postgres server and blocks: {time.monotonic() - started:.0f} s)", flush=True)

        # "Running it" and "Partials from SQL", Spark: spark-submit in local mode, each block
        # as written (one JVM each).
        started = time.monotonic()
        sh(one_block("sh", "spark-submit decide.py"), folder, env)
        same_decisions("Spark", sorted(glob.glob(os.path.join(folder, "decisions", "part-*.csv"))),
                       replay)
        if sh(one_block("sh", "spark-submit partials.py"), folder, env) != whole:
            sys.exit("the Spark partials merged to another report than replay's")
        print("docs: Spark partials block merged to replay's report "
              f"(both Spark blocks: {time.monotonic() - started:.0f} s)", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
